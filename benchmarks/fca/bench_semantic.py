"""Semantic search with stored vectors, in one run beside its baseline:

1. search latency over N stored passages (default 20,000): the query encoded once, cosine over the
   case's float16 matrix (cold: matrix loaded from the database; warm: kept in memory), beside the
   old way (every passage encoded at query time), timed on the unique passages and scaled to N;
2. quality: planted passages about moving people across a border among distractors, English and
   Spanish queries, precision of the top 10;
3. ingest overhead: the same generated folder ingested without and with stored vectors (1 worker).

    nice python benchmarks/fca/bench_semantic.py --chunks 20000 --unique 600 --docs 150
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

TOPIC_EN = [
    "The girls will be moved across the border at night in the back of the truck.",
    "He keeps their passports until they pay the debt for the trip.",
    "Tomorrow the van takes the women over the frontier; nobody checks the back.",
    "They crossed into the other country hidden among the cargo, the driver was paid in cash.",
]
TOPIC_ES = [
    "Las chicas cruzarán la frontera de noche en la parte de atrás del camión.",
    "Él guarda sus pasaportes hasta que paguen la deuda del viaje.",
    "Mañana la furgoneta pasa a las mujeres al otro lado; nadie revisa la parte trasera.",
    "Entraron al otro país escondidas entre la carga; al conductor le pagaron en efectivo.",
]
DISTRACTORS = [
    "Preheat the oven and bake the cake for forty minutes.",
    "The football match ended in a draw after a late penalty.",
    "Our quarterly sales grew by ten percent in the northern region.",
    "Remember to water the plants and feed the cat while I am away.",
    "El partido terminó en empate tras un penalti en el último minuto.",
    "La reunión del comité se aplaza hasta el próximo jueves por la tarde.",
    "The printer on the third floor is out of toner again.",
    "Compra leche, pan y huevos al volver del trabajo.",
    "The new software release fixes the login bug and speeds up reports.",
    "Hace mucho calor este verano y la piscina está llena de gente.",
]
QUERIES = {
    "en": "messages about moving girls across the border",
    "es": "mensajes sobre pasar chicas al otro lado de la frontera",
}


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def passages(n_unique: int, rng: random.Random) -> tuple[list[str], set[int]]:
    """n_unique passages: every 20th one on the topic (EN or ES), the rest varied distractors."""
    texts, topical = [], set()
    for i in range(n_unique):
        if i % 20 == 0:
            texts.append(rng.choice(TOPIC_EN + TOPIC_ES) + f" ({i})")
            topical.add(i)
        else:
            a, b = rng.sample(DISTRACTORS, 2)
            texts.append(f"{a} {b} ({i})")
    return texts, topical


def latency_and_quality(n_chunks: int, n_unique: int, work: Path) -> None:
    import numpy as np
    from sqlalchemy import insert, select

    from heroes.core import db
    from heroes.embeddings import encode
    from heroes.fca import access, engine, vectors
    from heroes.fca.models import FcaChunk, FcaItem, FcaSource

    os.environ.update(HEROES_DATA_DIR=str(work / "semdata"), HEROES_DATABASE_URL=f"sqlite:///{work}/sem.db")
    db.upgrade()
    from bench_fca import bench_account

    viewer = bench_account()
    rng = random.Random(5)
    texts, topical = passages(n_unique, rng)
    before = load()
    t = time.perf_counter()
    matrix = encode(texts)
    per_passage = (time.perf_counter() - t) / len(texts)
    print(f"encoded {len(texts)} unique passages: {per_passage * 1000:.1f} ms each  [load {before} -> {load()}]")
    with db.session_scope() as s:
        case = access.open_or_create(s, viewer, "semantic")
        src = FcaSource(case_id=case.id, path="/gen", kind="folder", status="done", hashes_intake={}, hashes_end={})
        s.add(src)
        s.flush()
        case_id, source_id = case.id, src.id
    # One item per passage; the stored passages repeat the unique ones (with a little noise) up to N.
    item_rows = [
        {"case_id": case_id, "source_id": source_id, "path": f"p{i}.txt", "inode": str(i), "size": len(body),
         "deleted": False, "mime": "text/plain", "extension_mismatch": False, "md5": "", "sha1": "", "sha256": "",
         "text": body, "meta": {"type": "txt"}, "matches": [], "problems": []}
        for i, body in enumerate(texts)
    ]  # fmt: skip
    with db.session_scope() as s:
        s.execute(insert(FcaItem), item_rows)
        ids = list(s.execute(select(FcaItem.id).where(FcaItem.case_id == case_id).order_by(FcaItem.id)).scalars())
    noise = np.random.default_rng(1)
    chunk_rows = []
    for n in range(n_chunks):
        k = n % len(texts)
        v = matrix[k] if n < len(texts) else matrix[k] + noise.normal(0, 0.02, matrix.shape[1]).astype(np.float32)
        v = (v / np.linalg.norm(v)).astype(vectors.DTYPE)
        chunk_rows.append({"item_id": ids[k], "case_id": case_id, "start": 0, "end": len(texts[k]),
                           "vector": v.tobytes()})  # fmt: skip
    with db.session_scope() as s:
        for start in range(0, len(chunk_rows), 5000):
            s.execute(insert(FcaChunk), chunk_rows[start : start + 5000])
    times = []
    results = {}
    for _rep in range(11):
        for lang, query in QUERIES.items():
            with db.session_scope() as s:
                t = time.perf_counter()
                hits = engine.semantic_search(s, "semantic", query, 10, viewer=viewer)
                times.append((time.perf_counter() - t) * 1000)
            results[lang] = hits
    cold, warm = times[0], sorted(times[1:])
    p50, p95 = statistics.median(warm), warm[int(len(warm) * 0.95) - 1]
    print(f"semantic search over {n_chunks} stored passages ({len(texts)} items), 10 hits:")
    print(
        f"  stored vectors: cold {cold:.0f} ms (matrix read from the database), warm p50 {p50:.0f} ms, p95 {p95:.0f} ms"
    )
    print(f"  old way (encode every passage per query): {per_passage * n_chunks:.1f} s for {n_chunks} passages "
          f"(scaled from the {len(texts)} timed above)  [load {load()}]")  # fmt: skip
    path_index = {f"p{i}.txt": i for i in range(len(texts))}
    for lang, hits in results.items():
        good = sum(path_index[h["path"]] in topical for h in hits)
        print(f"  {lang} query {QUERIES[lang]!r}: {good}/{len(hits)} of the top 10 are planted topic passages "
              f"({len(topical)} planted, EN and ES)")  # fmt: skip


def ingest_overhead(n_docs: int, work: Path) -> None:
    import subprocess

    from bench_fca import document, docx

    rng = random.Random(9)
    folder = work / "docs"
    folder.mkdir()
    for i in range(n_docs):
        text, _, _ = document(rng)
        if i % 3 == 2:
            (folder / f"r{i}.docx").write_bytes(docx(text))
        else:
            (folder / f"n{i}.txt").write_text(text * rng.randrange(1, 4), encoding="utf-8")
    for semantic in (False, True):
        env = dict(os.environ, HEROES_DATA_DIR=str(work / f"ing{semantic}"),
                   HEROES_DATABASE_URL=f"sqlite:///{work}/ing{semantic}.db")  # fmt: skip
        code = (
            f"import sys,time;sys.path.insert(0,{str(Path(__file__).parent)!r});from heroes.core import db;"
            "db.upgrade();import bench_fca;bench_fca.bench_account();from heroes.fca import engine;"
            "from heroes.fca.models import FcaChunk;from sqlalchemy import func,select;"
            f"t=time.perf_counter();r=engine.ingest({str(folder)!r},'ov',actor='bench',semantic={semantic});"
            "d=time.perf_counter()-t;from heroes.core.db import session_scope\n"
            "with session_scope() as s: n=s.execute(select(func.count(FcaChunk.id))).scalar_one()\n"
            "print(d, r['items'], n)"
        )
        before = load()
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(done.stderr[-3000:])
        seconds, items, chunks = done.stdout.split()[-3:]
        label = "with stored vectors" if semantic else "without vectors"
        print(f"  ingest of {items} generated documents {label:<20} {float(seconds):7.1f} s, {chunks} passages"
              f"  [load {before} -> {load()}]")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=20000)
    parser.add_argument("--unique", type=int, default=600)
    parser.add_argument("--docs", type=int, default=150)
    args = parser.parse_args()
    print(f"load average at start: {load()} on {os.cpu_count()} cores", flush=True)
    work = Path(tempfile.mkdtemp(prefix="fca-semantic-"))
    try:
        ingest_overhead(args.docs, work)
        latency_and_quality(args.chunks, args.unique, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
