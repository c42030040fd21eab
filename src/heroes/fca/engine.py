"""FCA's library API: cases, read-only ingest of sources, items, entities, search, matching, timeline.

The CLI, the web routes and the jobs call these functions; nothing here knows about either.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from heroes.core import audit
from heroes.core.db import session_scope
from heroes.core.errors import HeroesError
from heroes.core.evidence import FileHashes, hash_file, record_custody
from heroes.core.fanout import get_fanout
from heroes.fca import sources as _sources
from heroes.fca.archives import Budget, expand
from heroes.fca.models import FcaCase, FcaEntity, FcaItem, FcaSource, FcaTag
from heroes.fca.processing import process
from heroes.fca.sources import Entry, SourceError, open_source

BATCH_FILES = 64
BATCH_BYTES = 64 * 1024 * 1024
ProgressFn = Callable[[int, str], None]


def get_case(session: Session, name: str, create: bool = False, owner: str = "", region: str | None = None) -> FcaCase:
    case = session.execute(select(FcaCase).where(FcaCase.name == name)).scalar_one_or_none()
    if case is None:
        if not create:
            raise HeroesError(f"No case named {name!r}.")
        case = FcaCase(name=name, owner=owner, region=(region or None))
        session.add(case)
        session.flush()
        audit.record(session, owner, "fca.case_create", f"fca_case:{case.id}")
    elif region and case.region != region.upper():
        case.region = region.upper()
    return case


def _hash_segments(paths: Sequence[Path]) -> dict[str, Any]:
    return {p.name: hash_file(p).as_dict() for p in paths}


def _combined(hashes: dict[str, Any]) -> FileHashes | None:
    if len(hashes) != 1:
        return None
    h = next(iter(hashes.values()))
    return FileHashes(md5=h["md5"], sha1=h["sha1"], sha256=h["sha256"], size=h["size"])


def _entries(opener_entries: Iterator[Entry], budget: Budget) -> Iterator[tuple[Entry, bytes | None, str | None]]:
    """Every entry with its content (or the reason it could not be read), archives expanded."""
    for entry in opener_entries:
        try:
            data = entry.read()
        except OSError as exc:
            yield entry, None, f"unreadable: {exc}"
            continue
        yield entry, data, None
        yield from ((child, content, None) for child, content in expand(entry, data, budget))


def ingest(
    source_path: str | Path,
    case_name: str,
    actor: str,
    region: str | None = None,
    ocr: bool = False,
    workers: int = 1,
    runner: str | None = None,
    budget: Budget | None = None,
    progress: ProgressFn | None = None,
    job_id: str | None = None,
) -> dict[str, Any]:
    """Process one source into a case; resumes a source left unfinished (items already stored are skipped).

    A source that cannot be opened or read is marked failed with the reason and keeps no items.
    """
    path = Path(source_path).resolve()
    budget = budget or Budget()
    with session_scope() as s:
        case = get_case(s, case_name, create=True, owner=actor, region=region)
        case_id, case_region = case.id, case.region
        source = s.execute(
            select(FcaSource).where(FcaSource.case_id == case_id, FcaSource.path == str(path))
        ).scalar_one_or_none()
        if source is None:
            source = FcaSource(case_id=case_id, path=str(path), kind="?", status="pending", hashes_intake={},
                               hashes_end={}, items=0)  # fmt: skip
            s.add(source)
            s.flush()
        if source.status == "done":
            return {"source_id": source.id, "items": source.items, "status": "done", "resumed": False}
        source_id, resumed = source.id, source.status in ("running", "failed")
        source.status, source.error, source.job_id = "running", None, job_id
    try:
        opener = open_source(path)
        intake = _hash_segments(opener.segments())
        with session_scope() as s:
            src = s.get(FcaSource, source_id)
            assert src is not None
            if src.hashes_intake and src.hashes_intake != intake:
                raise SourceError(f"{path.name} changed since its first intake: hashes differ.")
            src.kind, src.hashes_intake = opener.kind, intake
            record_custody(s, actor, "fca.intake", str(path), before=_combined(intake),
                           details={"case_id": case_id, "source_id": source_id, "segments": len(intake)})  # fmt: skip
            done_keys = set(s.execute(select(FcaItem.path, FcaItem.inode).where(FcaItem.source_id == source_id)).all())
        count = len(done_keys)
        options = {"region": case_region, "ocr": ocr}
        batch: list[tuple[Entry, bytes, str | None]] = []
        size = 0
        fan = get_fanout(runner or _runner_for(workers), workers)
        # Pipeline: the workers process batch k while this process reads batch k+1 and stores batch k-1.
        background = ThreadPoolExecutor(max_workers=1)
        pending: tuple[list[tuple[Entry, bytes, str | None]], Future[list[dict[str, Any]]]] | None = None

        def flush() -> None:
            nonlocal count, pending
            if pending is None:
                return
            done_batch, future = pending
            pending = None
            count += _store(done_batch, future.result(), case_id, source_id)
            if progress:
                progress(count, done_batch[-1][0].path)

        def submit(units: list[tuple[Entry, bytes, str | None]]) -> None:
            nonlocal pending
            future = background.submit(fan.map, process, [(e.path, data, options) for e, data, _ in units])
            flush()
            pending = (units, future)

        try:
            for entry, data, problem in _entries(opener.entries(), budget):
                if (entry.path, entry.inode) in done_keys:
                    continue
                batch.append((entry, data or b"", problem))
                size += len(data or b"")
                if len(batch) >= BATCH_FILES or size >= BATCH_BYTES:
                    submit(batch)
                    batch, size = [], 0
            if batch:
                submit(batch)
            flush()
        finally:
            background.shutdown(wait=True, cancel_futures=True)
            fan.close()
        end = _hash_segments(opener.segments())
        with session_scope() as s:
            src = s.get(FcaSource, source_id)
            assert src is not None
            src.hashes_end, src.items, src.status = end, count, "done"
            if budget.problems:
                src.error = "; ".join(budget.problems)[:4000]
                _note_item_problems(s, source_id, budget.item_problems)
            record_custody(s, actor, "fca.processed", str(path), before=_combined(intake), after=_combined(end),
                           details={"case_id": case_id, "source_id": source_id, "items": count})  # fmt: skip
            if end != intake:
                raise HeroesError(f"{path.name} changed while it was processed: hashes differ.")
    except (SourceError, OSError, RuntimeError) as exc:
        reason = str(exc) if isinstance(exc, SourceError) else f"{path.name}: {type(exc).__name__}: {exc}"
        _fail(source_id, actor, str(path), reason)
        raise SourceError(reason) from exc
    return {"source_id": source_id, "items": count, "status": "done", "resumed": resumed,
            "problems": budget.problems}  # fmt: skip


def _note_item_problems(session: Session, source_id: int, notes: list[tuple[str, str]]) -> None:
    """A container that could not be expanded (damaged, too deep, over the budget) says so on its own
    item; a note about a member that was never stored goes to the nearest stored container above it."""
    for path, problem in notes:
        candidates = [path]
        while "!/" in candidates[-1]:
            candidates.append(candidates[-1].rsplit("!/", 1)[0])
        for candidate in candidates:
            item = session.execute(
                select(FcaItem).where(FcaItem.source_id == source_id, FcaItem.path == candidate).limit(1)
            ).scalar_one_or_none()
            if item is not None:
                note = problem if candidate == path else f"{path}: {problem}"
                if note not in item.problems:
                    item.problems = [*item.problems, note]
                break


def _full_hashes(entry: Entry) -> dict[str, str]:
    import hashlib

    digests = {name: hashlib.new(name) for name in ("md5", "sha1", "sha256")}
    assert entry.chunks is not None
    for chunk in entry.chunks():
        for d in digests.values():
            d.update(chunk)
    return {name: d.hexdigest() for name, d in digests.items()}


def _runner_for(workers: int) -> str:
    """Ray when the platform runs jobs on Ray, else a local process pool for more than one worker."""
    from heroes.core.settings import get_settings

    if get_settings().job_runner == "ray":
        return "ray"
    return "process" if workers > 1 else "inline"


def _fail(source_id: int, actor: str, path: str, reason: str) -> None:
    """Nothing half-written: the source's items go, the source stays as failed with the reason."""
    with session_scope() as s:
        s.execute(
            delete(FcaEntity).where(FcaEntity.item_id.in_(select(FcaItem.id).where(FcaItem.source_id == source_id)))
        )
        s.execute(delete(FcaItem).where(FcaItem.source_id == source_id))
        src = s.get(FcaSource, source_id)
        assert src is not None
        src.status, src.error, src.items = "failed", reason[:4000], 0
        record_custody(s, actor, "fca.failed", path, details={"source_id": source_id, "reason": reason[:500]})


def _store(
    batch: list[tuple[Entry, bytes, str | None]], results: list[dict[str, Any]], case_id: int, source_id: int
) -> int:
    with session_scope() as s:
        for (entry, _data, problem), r in zip(batch, results, strict=True):
            if entry.chunks is not None and entry.size > _sources.MAX_READ:
                # Only the first MAX_READ bytes were processed; the hashes cover the whole file.
                r["hashes"] = _full_hashes(entry)
                r["problems"].append(f"larger than {_sources.MAX_READ} bytes: content read in part, hashes in full")
            meta = r["meta"]
            if "pdq" in r["hashes"]:
                meta["pdq"] = r["hashes"]["pdq"]
            item = FcaItem(
                case_id=case_id, source_id=source_id, path=entry.path, inode=entry.inode, size=entry.size,
                deleted=entry.deleted, mime=r["mime"], extension_mismatch=r["extension_mismatch"],
                md5=r["hashes"].get("md5", ""), sha1=r["hashes"].get("sha1", ""), sha256=r["hashes"].get("sha256", ""),
                mtime=entry.times.get("mtime"), atime=entry.times.get("atime"), ctime=entry.times.get("ctime"),
                crtime=entry.times.get("crtime"), language=r["language"], text=r["text"],
                meta=meta | {"type": r["kind"]},
                matches=[], problems=r["problems"] + ([problem] if problem else []),
            )  # fmt: skip
            s.add(item)
            s.flush()
            for e in r["entities"]:
                s.add(FcaEntity(item_id=item.id, case_id=case_id, **e))
    return len(batch)


# -- reading the results ----------------------------------------------------------------------


def item_json(item: FcaItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "path": item.path,
        "size": item.size,
        "type": item.meta.get("type", ""),
        "mime": item.mime,
        "extension_mismatch": item.extension_mismatch,
        "deleted": item.deleted,
        "inode": item.inode,
        "md5": item.md5,
        "sha1": item.sha1,
        "sha256": item.sha256,
        "mtime": item.mtime.isoformat() if item.mtime else None,
        "atime": item.atime.isoformat() if item.atime else None,
        "ctime": item.ctime.isoformat() if item.ctime else None,
        "crtime": item.crtime.isoformat() if item.crtime else None,
        "language": item.language,
        "source_id": item.source_id,
        "matches": item.matches,
        "problems": item.problems or [],
    }


def files(session: Session, case_name: str) -> list[dict[str, Any]]:
    case = get_case(session, case_name)
    items = session.execute(select(FcaItem).where(FcaItem.case_id == case.id).order_by(FcaItem.id)).scalars()
    return [item_json(i) for i in items]


def sources(session: Session, case_name: str) -> list[dict[str, Any]]:
    case = get_case(session, case_name)
    rows = session.execute(select(FcaSource).where(FcaSource.case_id == case.id).order_by(FcaSource.id)).scalars()
    return [{"id": r.id, "path": r.path, "kind": r.kind, "status": r.status, "error": r.error, "items": r.items,
             "hashes_intake": r.hashes_intake, "hashes_end": r.hashes_end} for r in rows]  # fmt: skip


def entity_view(session: Session, case_name: str, kind: str | None = None) -> list[dict[str, Any]]:
    """Each entity with its count, the files it occurs in, and the other cases that hold it too."""
    case = get_case(session, case_name)
    query = (
        select(FcaEntity.kind, FcaEntity.value, FcaItem.path, FcaEntity.status)
        .join(FcaItem, FcaItem.id == FcaEntity.item_id)
        .where(FcaEntity.case_id == case.id)
    )
    if kind:
        query = query.where(FcaEntity.kind == kind)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    paths: dict[tuple[str, str], set[str]] = defaultdict(set)
    valid: set[tuple[str, str]] = set()
    for k, v, p, status in session.execute(query):
        counts[(k, v)] += 1
        paths[(k, v)].add(p)
        if status == "valid":
            valid.add((k, v))
    others: dict[str, set[str]] = defaultdict(set)
    if counts:
        values = list({v for _, v in counts})
        for value, other in session.execute(
            select(FcaEntity.value, FcaCase.name)
            .join(FcaCase, FcaCase.id == FcaEntity.case_id)
            .where(FcaEntity.value.in_(values[:5000]), FcaEntity.case_id != case.id)
        ):
            others[value].add(other)
    rows = [
        {
            "kind": k,
            "value": v,
            "count": n,
            "paths": sorted(paths[(k, v)]),
            "other_cases": sorted(others.get(v, ())),
            "status": "valid" if (k, v) in valid else "possible",
        }
        for (k, v), n in counts.items()
    ]
    return sorted(rows, key=lambda r: (-r["count"], r["kind"], r["value"]))


# -- full-text search ----------------------------------------------------------------------

_TOKEN = re.compile(r'"([^"]+)"|(\S+)')


def _pg_tsquery(query: str) -> str:
    parts = []
    for phrase, word in _TOKEN.findall(query):
        if phrase:
            words = re.findall(r"\w+", phrase)
            if words:
                parts.append("(" + " <-> ".join(words) + ")")
        else:
            prefix = word.endswith("*")
            cleaned = re.findall(r"\w+", word)
            if cleaned:
                parts.append(" & ".join(cleaned) + (":*" if prefix else ""))
    return " & ".join(parts)


def _fts5_query(query: str) -> str:
    parts = []
    for phrase, word in _TOKEN.findall(query):
        if phrase:
            parts.append('"' + phrase.replace('"', "") + '"')
        else:
            prefix = word.endswith("*")
            cleaned = re.sub(r'["*()^:]', " ", word).split()
            parts.extend('"' + w + '"' for w in cleaned)
            if prefix and parts:
                parts[-1] += "*"
    return " ".join(parts)


def search(
    session: Session,
    case_name: str,
    query: str,
    limit: int = 50,
    kind: str | None = None,
    path_contains: str | None = None,
    matched_only: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
    entity: str | None = None,
) -> list[dict[str, Any]]:
    """Full-text search: words, "phrases" and prefix* terms, with highlighted snippets ([...]).

    Filters: content type, part of the path, only hash-matched items, modification time between
    ``since`` and ``until``, items holding an entity (its normalised value).
    """
    case = get_case(session, case_name)
    holding: set[int] | None = None
    if entity:
        holding = set(
            session.execute(
                select(FcaEntity.item_id).where(FcaEntity.case_id == case.id, FcaEntity.value == entity)
            ).scalars()
        )
    if session.get_bind().dialect.name == "postgresql":
        tsq = _pg_tsquery(query)
        if not tsq:
            return []
        sql = text(
            "SELECT id, ts_rank(to_tsvector('simple', text), q) AS score, "
            "ts_headline('simple', text, q, 'StartSel=[, StopSel=], MaxWords=25, MinWords=8') AS snippet "
            "FROM fca_items, to_tsquery('simple', :q) q "
            "WHERE case_id = :case AND to_tsvector('simple', text) @@ q ORDER BY score DESC LIMIT :limit"
        )
        rows = session.execute(sql, {"q": tsq, "case": case.id, "limit": limit * 4}).all()
    else:
        fq = _fts5_query(query)
        if not fq:
            return []
        sql = text(
            "SELECT fca_items.id, -bm25(fca_fts) AS score, snippet(fca_fts, 0, '[', ']', '…', 16) AS snippet "
            "FROM fca_fts JOIN fca_items ON fca_items.id = fca_fts.rowid "
            "WHERE fca_fts MATCH :q AND fca_items.case_id = :case ORDER BY bm25(fca_fts) LIMIT :limit"
        )
        rows = session.execute(sql, {"q": fq, "case": case.id, "limit": limit * 4}).all()
    out = []
    for item_id, score, snippet in rows:
        item = session.get(FcaItem, item_id)
        assert item is not None
        if kind and item.meta.get("type") != kind:
            continue
        if path_contains and path_contains not in item.path:
            continue
        if matched_only and not item.matches:
            continue
        if holding is not None and item.id not in holding:
            continue
        if (since or until) and (
            item.mtime is None or (since and item.mtime < since) or (until and item.mtime > until)
        ):
            continue
        if item.matches:
            snippet = ""  # matched material: hash and path only, never its content
        out.append({"id": item.id, "path": item.path, "score": round(float(score), 4), "snippet": snippet,
                    "type": item.meta.get("type", "")})  # fmt: skip
        if len(out) >= limit:
            break
    return out


def semantic_search(session: Session, case_name: str, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Nearest passages to the query in the multilingual sentence space (heroes.embeddings)."""
    import numpy as np

    from heroes.embeddings import encode

    case = get_case(session, case_name)
    passages: list[tuple[int, str, str]] = []
    for item_id, path, body in session.execute(
        select(FcaItem.id, FcaItem.path, FcaItem.text).where(FcaItem.case_id == case.id, FcaItem.text != "")
    ):
        for part in re.split(r"\n\s*\n|(?<=[.!?])\s+", body[:20000]):
            part = part.strip()
            if len(part) >= 12:
                passages.append((item_id, path, part[:500]))
    if not passages:
        return []
    vectors = encode([p[2] for p in passages])
    q = encode([query])[0]
    scores = vectors @ q / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(q) + 1e-9)
    best: dict[int, tuple[float, str, str]] = {}
    for (item_id, path, part), score in zip(passages, scores, strict=True):
        if item_id not in best or score > best[item_id][0]:
            best[item_id] = (float(score), path, part)
    ranked = sorted(best.items(), key=lambda kv: -kv[1][0])[:limit]
    return [{"id": i, "path": p, "score": round(sc, 4), "snippet": part} for i, (sc, p, part) in ranked]


# -- hash matching, tags, timeline -----------------------------------------------------------


def match(session: Session, case_name: str, hashlists: Sequence[str | Path], actor: str) -> list[dict[str, Any]]:
    """Match every item's hashes against the media tool's lists; matched items are flagged by list."""
    from heroes.media.api import match_hashes

    case = get_case(session, case_name)
    items = list(session.execute(select(FcaItem).where(FcaItem.case_id == case.id).order_by(FcaItem.id)).scalars())
    queries = [
        {k: v for k, v in {"md5": i.md5, "sha1": i.sha1, "sha256": i.sha256, "pdq": i.meta.get("pdq", "")}.items() if v}
        for i in items
    ]
    found = match_hashes(queries, hashlists) if items else []
    out = []
    for item, matches in zip(items, found, strict=True):
        slim = [{k: m[k] for k in ("list", "hash_type", "category", "distance")} for m in matches]
        if slim != item.matches:
            item.matches = slim
        if slim:
            out.append({"path": item.path, "sha256": item.sha256, "matches": slim})
    audit.record(session, actor, "fca.match", f"fca_case:{case.id}", {"lists": len(hashlists), "matched": len(out)})
    return out


def tag(session: Session, item_id: int, label: str, actor: str) -> None:
    if session.get(FcaItem, item_id) is None:
        raise HeroesError(f"No item {item_id}.")
    exists = session.execute(select(FcaTag).where(FcaTag.item_id == item_id, FcaTag.tag == label)).scalar_one_or_none()
    if exists is None:
        session.add(FcaTag(item_id=item_id, tag=label, author=actor))
        audit.record(session, actor, "fca.tag", f"fca_item:{item_id}")


def tagged(session: Session, case_name: str) -> list[tuple[dict[str, Any], list[str]]]:
    case = get_case(session, case_name)
    rows = session.execute(
        select(FcaItem, FcaTag.tag).join(FcaTag, FcaTag.item_id == FcaItem.id).where(FcaItem.case_id == case.id)
    ).all()
    grouped: dict[int, tuple[dict[str, Any], list[str]]] = {}
    for item, label in rows:
        grouped.setdefault(item.id, (item_json(item), []))[1].append(label)
    return list(grouped.values())


TIMES = (("mtime", "M..."), ("atime", ".A.."), ("ctime", "..C."), ("crtime", "...B"))


def timeline(session: Session, case_name: str) -> list[dict[str, Any]]:
    case = get_case(session, case_name)
    events = []
    for item in session.execute(select(FcaItem).where(FcaItem.case_id == case.id)).scalars():
        for field, macb in TIMES:
            when: datetime | None = getattr(item, field)
            if when:
                events.append({"time": when.isoformat(), "macb": macb, "source": "FILE", "path": item.path,
                               "inode": item.inode, "deleted": item.deleted, "sha256": item.sha256})  # fmt: skip
        exif = item.meta.get("datetimeoriginal")
        if exif:
            try:
                when = datetime.strptime(exif, "%Y:%m:%d %H:%M:%S")
            except ValueError:
                when = None
            if when:
                events.append({"time": when.isoformat(), "macb": "EXIF", "source": "EXIF", "path": item.path,
                               "inode": item.inode, "deleted": item.deleted, "sha256": item.sha256})  # fmt: skip
    return sorted(events, key=lambda e: e["time"])


L2TCSV = ["date", "time", "timezone", "MACB", "source", "sourcetype", "type", "user", "host", "short", "desc",
          "version", "filename", "inode", "notes", "format", "extra"]  # fmt: skip


def write_timeline(events: list[dict[str, Any]], out: Path) -> int:
    if out.suffix.lower() in (".jsonl", ".json"):
        with out.open("w", encoding="utf-8") as f:
            for e in events:
                f.write(json.dumps(e) + "\n")
        return len(events)
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(L2TCSV)
        for e in events:
            when = datetime.fromisoformat(e["time"])
            desc = f"{e['path']}{' (deleted)' if e['deleted'] else ''}"
            writer.writerow([when.strftime("%m/%d/%Y"), when.strftime("%H:%M:%S"), "UTC", e["macb"], e["source"],
                             "File stat" if e["source"] == "FILE" else "EXIF", e["macb"], "-", "-", e["path"], desc,
                             "2", e["path"], e["inode"], "-", "heroes.fca", f"sha256: {e['sha256']}"])  # fmt: skip
    return len(events)


def export_rows(rows: list[dict[str, Any]], out: Path) -> int:
    """Items or entities as JSON lines (.jsonl) or CSV (lists joined with '|')."""
    if out.suffix.lower() in (".jsonl", ".json"):
        with out.open("w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        return len(rows)
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        keys = list(rows[0]) if rows else []
        writer.writerow(keys)
        for row in rows:
            writer.writerow(["|".join(map(str, v)) if isinstance(v, list) else
                             json.dumps(v) if isinstance(v, dict) else v for v in row.values()])  # fmt: skip
    return len(rows)


def case_summary(session: Session, case_name: str) -> dict[str, Any]:
    case = get_case(session, case_name)
    n_items = session.execute(select(func.count()).select_from(FcaItem).where(FcaItem.case_id == case.id)).scalar_one()
    n_deleted = session.execute(
        select(func.count()).select_from(FcaItem).where(FcaItem.case_id == case.id, FcaItem.deleted.is_(True))
    ).scalar_one()
    n_entities = session.execute(
        select(func.count()).select_from(FcaEntity).where(FcaEntity.case_id == case.id)
    ).scalar_one()
    return {"case": case.name, "region": case.region, "items": n_items, "deleted": n_deleted, "entities": n_entities}


def case_name(session: Session, case_id: int) -> str:
    case = session.get(FcaCase, case_id)
    if case is None:
        raise HeroesError(f"No case {case_id}.", status_code=404)
    return case.name


def case_rows(session: Session) -> list[dict[str, Any]]:
    return [
        {"id": c.id, "name": c.name, "region": c.region, "owner": c.owner, "created_at": c.created_at.isoformat()}
        for c in session.execute(select(FcaCase).order_by(FcaCase.name)).scalars()
    ]


def list_cases(session: Session) -> list[str]:
    return list(session.execute(select(FcaCase.name).order_by(FcaCase.name)).scalars())
