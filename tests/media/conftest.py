"""Benign inputs the media tests generate: pictures of shapes, gradients, noise and words."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.media.synthetic import flat_image, make_image


@pytest.fixture
def evidence_folder(tmp_path: Path) -> Path:
    """A seized-media folder in miniature: duplicates, a renamed extension, a corrupt picture,
    an empty file, a plain text file and a featureless (low-quality) picture."""
    root = tmp_path / "seized"
    (root / "sub").mkdir(parents=True)
    make_image(1).save(root / "one.jpg", quality=92)
    make_image(2).save(root / "two.png")
    (root / "sub" / "copy-of-one.jpg").write_bytes((root / "one.jpg").read_bytes())
    (root / "holiday.txt").write_bytes((root / "two.png").read_bytes())  # renamed PNG
    good = (root / "one.jpg").read_bytes()
    (root / "broken.jpg").write_bytes(good[: len(good) // 3])  # truncated JPEG
    (root / "noise.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"not really a jpeg")
    (root / "empty.jpg").write_bytes(b"")
    (root / "notes.md").write_text("shopping: bread, milk\n", encoding="utf-8")
    flat_image().save(root / "grey.png")
    return root
