"""Semantic search over vectors stored at ingest: passages, float16 vectors, English and Spanish
queries, the query encoded once, and vectors made later for items ingested without them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from heroes.core.db import session_scope
from heroes.fca import engine, vectors
from heroes.fca.models import FcaChunk, FcaItem
from tests.fca.conftest import viewer

DOCS = {
    "border.txt": "Shipping schedule for the warehouse.\n\nThe girls will be moved across the border at night "
    "in the back of the truck; the driver has their passports.",
    "recipe.txt": "Preheat the oven to 180 degrees. Mix the flour, the eggs and the sugar, then bake the cake "
    "for forty minutes.",
    "football.txt": "El partido del domingo terminó empate; el portero paró un penalti en el último minuto.",
    "rent.txt": "The landlord raised the rent again and the heating in the flat still does not work.",
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "laptop"
    root.mkdir()
    for name, body in DOCS.items():
        (root / name).write_text(body, encoding="utf-8")
    return root


def test_spans_cover_the_text_in_passages() -> None:
    text = ("A short sentence here. " * 60) + "\n\n" + ("x" * 1300) + "\nTail sentence that ends it."
    cuts = vectors.spans(text, size=200)
    assert cuts == sorted(cuts) and all(e - s <= 200 + 30 for s, e in cuts)
    assert all(text[s:e].strip() for s, e in cuts)
    covered = sum(e - s for s, e in cuts)
    assert covered >= len(text.strip()) * 0.95  # nearly every character is in some passage
    assert vectors.spans("ok.") == []  # too short to mean anything
    assert len(vectors.spans("word. " * 10000, size=50, limit=7)) == 7


def test_vectors_are_stored_at_ingest_and_searched(heroes_db, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine.ingest(folder, "laptop", actor="tester")
    me = viewer("tester")
    with session_scope() as s:
        chunks = list(s.execute(select(FcaChunk)).scalars())
        assert len(chunks) >= len(DOCS)
        border = s.execute(select(FcaItem).where(FcaItem.path == "border.txt")).scalar_one()
        mine = [c for c in chunks if c.item_id == border.id]
        assert len(mine) == 2  # the paragraph break makes two passages
        v = np.frombuffer(mine[0].vector, dtype=np.float16)
        assert v.shape == (512,) and abs(float(np.linalg.norm(v.astype(np.float32))) - 1) < 0.01
        assert border.text[mine[1].start : mine[1].end].startswith("The girls")

    import heroes.embeddings as shared

    encoded: list[int] = []
    real = shared.encode

    def counting(texts, *args, **kwargs):  # type: ignore[no-untyped-def]
        encoded.append(len(texts))
        return real(texts, *args, **kwargs)

    monkeypatch.setattr(shared, "encode", counting)
    for query in ("moving girls across the border", "trasladar a las chicas al otro lado de la frontera"):
        with session_scope() as s:
            hits = engine.semantic_search(s, "laptop", query, 3, viewer=me)
        assert hits[0]["path"] == "border.txt", (query, hits)
        assert "border" in hits[0]["snippet"] and hits[0]["score"] > hits[1]["score"]
    with session_scope() as s:
        (cake,) = engine.semantic_search(s, "laptop", "cómo hornear un pastel", 1, viewer=me)
    assert cake["path"] == "recipe.txt"
    assert encoded == [1, 1, 1]  # each query encoded once; no stored passage encoded again


def test_items_ingested_without_vectors_get_them_at_the_first_search(heroes_db, folder: Path) -> None:
    engine.ingest(folder, "later", actor="tester", semantic=False)
    me = viewer("tester")
    with session_scope() as s:
        assert s.execute(select(func.count(FcaChunk.id))).scalar_one() == 0
        hits = engine.semantic_search(s, "later", "football match result", 2, viewer=me)
    assert hits[0]["path"] == "football.txt"
    with session_scope() as s:
        stored = s.execute(select(func.count(FcaChunk.id))).scalar_one()
        assert stored >= len(DOCS)
        engine.semantic_search(s, "later", "rent", 2, viewer=me)
        assert s.execute(select(func.count(FcaChunk.id))).scalar_one() == stored  # made once


def test_a_web_read_stores_missing_vectors_apart_and_sees_them(heroes_db, folder: Path) -> None:
    """The web reads in a read-only session: the vectors still missing are encoded outside any
    transaction, stored in a short write of their own, and the search sees them at once."""
    from heroes.core.db import read_scope

    engine.ingest(folder, "later", actor="tester", semantic=False)
    me = viewer("tester")
    with read_scope() as s:
        hits = engine.semantic_search(s, "later", "football match result", 2, viewer=me)
    assert hits[0]["path"] == "football.txt"
    with session_scope() as s:
        stored = s.execute(select(func.count(FcaChunk.id))).scalar_one()
        assert stored >= len(DOCS)
    with read_scope() as s:
        engine.semantic_search(s, "later", "rent", 2, viewer=me)
    with session_scope() as s:
        assert s.execute(select(func.count(FcaChunk.id))).scalar_one() == stored  # made once
