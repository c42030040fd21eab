"""Ads linked by a re-posted photo: pictures the test draws (shapes), hashed with PDQ through the
media tool's registry; only hashes are kept."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image, ImageDraw
from typer.testing import CliRunner

from heroes.cli import app
from heroes.osint.images import pdq_of_bytes, pdq_of_file


def draw(path: Path, shift: int, size: int = 200, fmt: str = "PNG") -> Path:
    image = Image.new("RGB", (200, 200), "white")
    pen = ImageDraw.Draw(image)
    pen.ellipse((20 + shift, 30, 150 + shift, 180), fill="red")
    pen.rectangle((100 - shift, 10, 190 - shift, 90), fill="blue")
    image.resize((size, size)).save(path, fmt)
    return path


def test_resized_copy_has_a_near_hash_and_a_flat_picture_none(tmp_path: Path) -> None:
    one = pdq_of_file(draw(tmp_path / "a.png", 0))
    copy = pdq_of_file(draw(tmp_path / "b.jpg", 0, size=120, fmt="JPEG"))
    other = pdq_of_file(draw(tmp_path / "c.png", 40))
    assert one and copy and other
    assert (int(one, 16) ^ int(copy, 16)).bit_count() <= 31 < (int(one, 16) ^ int(other, 16)).bit_count()
    flat = tmp_path / "flat.png"
    Image.new("RGB", (64, 64), "gray").save(flat)
    assert pdq_of_file(flat) is None and pdq_of_bytes(b"not a picture") is None


def test_cluster_links_ads_by_their_picture_files(tmp_path: Path) -> None:
    draw(tmp_path / "a.png", 0)
    draw(tmp_path / "b.jpg", 0, size=120, fmt="JPEG")
    draw(tmp_path / "c.png", 40)
    rows = [
        {"id": "1", "title": "Room", "text": "A room to rent.", "images": ["a.png"]},
        {"id": "2", "title": "Flat", "text": "Flat near the park.", "images": ["b.jpg"]},
        {"id": "3", "title": "House", "text": "House by the sea.", "images": ["c.png"]},
    ]
    source = tmp_path / "ads.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["osint", "cluster", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert got[0]["cluster"] == got[1]["cluster"] != got[2]["cluster"]
    assert got[0]["reasons"][0].startswith("image:")
