import io

import pytest
from PIL import Image

from heroes.media.filetype import sniff
from tests.media.synthetic import make_image


def _encoded(fmt: str) -> bytes:
    buf = io.BytesIO()
    make_image(3, (64, 48)).save(buf, fmt)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("JPEG", "jpeg"),
        ("PNG", "png"),
        ("GIF", "gif"),
        ("BMP", "bmp"),
        ("TIFF", "tiff"),
        ("WEBP", "webp"),
    ],
)
def test_images_are_recognised_by_content(fmt: str, expected: str) -> None:
    ftype = sniff(_encoded(fmt)[:256])
    assert (ftype.kind, ftype.fmt) == ("image", expected)


def test_pillow_fallback_for_formats_without_a_table_entry() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(buf, "ICO")
    assert sniff(buf.getvalue()[:256]).kind == "image"


def test_text_empty_and_archives() -> None:
    assert sniff(b"").kind == "empty"
    assert sniff(b"just some words in a text file\n").kind == "other"
    assert sniff(b"PK\x03\x04" + b"\x00" * 60).kind == "archive"


def test_video_container(tmp_path) -> None:
    from tests.media.synthetic import make_video

    path = make_video(tmp_path / "clip.bin", seed=1, seconds=1)
    assert sniff(path.read_bytes()[:256]).kind == "video"
