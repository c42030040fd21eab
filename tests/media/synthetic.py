"""Benign generated pictures and clips (shapes, gradients, noise, text) for tests and benchmarks.

The tool must be testable without ever touching real material, so every test and benchmark
makes its own inputs here from a seed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont, ImageOps

_WORDS = ("river", "lamp", "garden", "orbit", "pencil", "harbour", "maple", "cloud")


def make_image(seed: int, size: tuple[int, int] = (480, 360)) -> Image.Image:
    """A distinct picture per seed: gradient background, noise, shapes and a word."""
    rng = np.random.default_rng(seed)
    w, h = size
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, np.pi)
    ramp = (np.cos(angle) * x / w + np.sin(angle) * y / h) * 0.5 + 0.5
    base = rng.uniform(0, 255, 3)
    tint = rng.uniform(-120, 120, 3)
    arr = base[None, None, :] + ramp[..., None] * tint[None, None, :]
    arr += rng.normal(0, 6, (h, w, 1))
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(8, 16))):
        x0, y0 = int(rng.integers(0, w * 3 // 4)), int(rng.integers(0, h * 3 // 4))
        x1, y1 = (
            x0 + int(rng.integers(w // 12, w // 3 + 1)),
            y0 + int(rng.integers(h // 12, h // 3 + 1)),
        )
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        shape = int(rng.integers(0, 3))
        if shape == 0:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
        elif shape == 1:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
        else:
            draw.polygon([(x0, y1), ((x0 + x1) // 2, y0), (x1, y1)], fill=colour)
    for _ in range(int(rng.integers(4, 9))):
        pts = [(int(rng.integers(0, w)), int(rng.integers(0, h))) for _ in range(2)]
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        draw.line(pts, fill=colour, width=int(rng.integers(2, 6)))
    word = _WORDS[int(rng.integers(0, len(_WORDS)))]
    draw.text(
        (int(rng.integers(5, w // 2)), int(rng.integers(5, h - 20))),
        word,
        fill=(0, 0, 0),
    )
    return img


def flat_image(size: tuple[int, int] = (200, 200), colour: int = 128) -> Image.Image:
    """A featureless picture: its PDQ quality is 0."""
    return Image.new("RGB", size, (colour, colour, colour))


# The variations of the match-quality benchmark; each is what a file goes through when it
# is re-shared: resized, recompressed, cropped, mirrored, tilted, captioned.
def half_size(img: Image.Image) -> Image.Image:
    return img.resize((img.width // 2, img.height // 2), Image.Resampling.LANCZOS)


def jpeg_quality(img: Image.Image, quality: int = 50) -> Image.Image:
    import io

    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    buf.seek(0)
    return Image.open(buf).convert("RGB")


def crop_5pct(img: Image.Image) -> Image.Image:
    dx, dy = int(img.width * 0.05), int(img.height * 0.05)
    return img.crop((dx // 2, dy // 2, img.width - (dx - dx // 2), img.height - (dy - dy // 2)))


def mirror(img: Image.Image) -> Image.Image:
    return ImageOps.mirror(img)


def rotate_small(img: Image.Image, degrees: float = 3.0) -> Image.Image:
    return img.rotate(degrees, resample=Image.Resampling.BICUBIC, fillcolor=(0, 0, 0))


def add_caption(img: Image.Image, text: str = "shared again") -> Image.Image:
    out = img.copy()
    draw = ImageDraw.Draw(out)
    band = max(16, img.height // 10)
    draw.rectangle((0, img.height - band, img.width, img.height), fill=(255, 255, 255))
    font = ImageFont.load_default()
    draw.text((8, img.height - band + 2), text, fill=(0, 0, 0), font=font)
    return out


VARIATIONS = {
    "half_size": half_size,
    "jpeg_q50": jpeg_quality,
    "crop_5pct": crop_5pct,
    "flip": mirror,
    "rotate_3deg": rotate_small,
    "caption": add_caption,
}


def make_video(path: str | Path, seed: int, seconds: int = 3, fps: int = 10) -> Path:
    """A short clip of moving shapes over a gradient (MPEG-4 in MP4)."""
    import av

    rng = np.random.default_rng(seed)
    w, h = 160, 120
    y, x = np.mgrid[0:h, 0:w]
    tint = rng.integers(1, 6, 3)
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        for i in range(seconds * fps):
            frame = np.stack(
                [
                    (x * tint[0] + i * 5) % 256,
                    (y * tint[1]) % 256,
                    (x + y * tint[2] + i * 9) % 256,
                ],
                axis=-1,
            ).astype(np.uint8)
            top = 10 + (i * 3) % 60
            frame[top : top + 30, 30 + seed % 50 : 70 + seed % 50] = (255, 255, 0)
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return Path(path)


def reencode(src: str | Path, dst: str | Path, bit_rate: int = 150_000) -> Path:
    """Decode a clip and encode it again at a lower bit rate, as re-sharing does."""
    import av

    with av.open(str(src)) as inp, av.open(str(dst), "w", format="matroska") as out:
        in_stream = inp.streams.video[0]
        stream = out.add_stream("mpeg4", rate=in_stream.average_rate)
        stream.width, stream.height, stream.pix_fmt = (
            in_stream.width,
            in_stream.height,
            "yuv420p",
        )
        stream.bit_rate = bit_rate
        for frame in inp.decode(in_stream):
            img = frame.to_ndarray(format="rgb24")
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return Path(dst)
