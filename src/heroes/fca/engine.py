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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, exists, func, insert, select, text
from sqlalchemy.orm import Session

from heroes.core import audit
from heroes.core.auth import Principal
from heroes.core.db import is_read_only, session_scope
from heroes.core.errors import HeroesError
from heroes.core.evidence import FileHashes, hash_file, record_custody
from heroes.core.fanout import get_fanout
from heroes.fca import access, vectors
from heroes.fca import sources as _sources
from heroes.fca.access import CaseRef
from heroes.fca.archives import Budget, expand
from heroes.fca.models import FcaCase, FcaChunk, FcaEntity, FcaItem, FcaSource, FcaTag
from heroes.fca.processing import process
from heroes.fca.sources import Entry, SourceError, open_source

BATCH_FILES = 64
BATCH_BYTES = 64 * 1024 * 1024
ProgressFn = Callable[[int, str], None]


def get_case(session: Session, ref: CaseRef, *, viewer: Principal, action: str = "read") -> FcaCase:
    """A case the viewer may see (by name, id or "#id"), the read audited; else a 404 error."""
    return access.open_case(session, viewer, ref, action)


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
    semantic: bool = True,
) -> dict[str, Any]:
    """Process one source into a case; resumes a source left unfinished (items already stored are skipped).

    ``actor`` is the account that ingests: it needs the fca:ingest role and may only add to a case it
    is a member of; a new case belongs to its organisation, with it as the lead. With ``semantic`` each
    text's passages are encoded on the workers and their vectors stored for semantic search.
    A source that cannot be opened or read is marked failed with the reason and keeps no items.
    """
    path = Path(source_path).resolve()
    budget = budget or Budget()
    with session_scope() as s:
        case = access.open_or_create(s, access.principal_for(s, actor), case_name, region)
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
        options = {"region": case_region, "ocr": ocr, "vectors": semantic}
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
    chunks: list[dict[str, Any]] = []
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
            chunks.extend(vectors.rows(r.get("chunks", []), item.id, case_id))
        if chunks:
            s.execute(insert(FcaChunk), chunks)
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


def files(session: Session, case_name: CaseRef, *, viewer: Principal) -> list[dict[str, Any]]:
    case = get_case(session, case_name, viewer=viewer, action="files")
    items = session.execute(select(FcaItem).where(FcaItem.case_id == case.id).order_by(FcaItem.id)).scalars()
    return [item_json(i) for i in items]


def sources(session: Session, case_name: CaseRef, *, viewer: Principal) -> list[dict[str, Any]]:
    case = get_case(session, case_name, viewer=viewer, action="sources")
    rows = session.execute(select(FcaSource).where(FcaSource.case_id == case.id).order_by(FcaSource.id)).scalars()
    return [{"id": r.id, "path": r.path, "kind": r.kind, "status": r.status, "error": r.error, "items": r.items,
             "hashes_intake": r.hashes_intake, "hashes_end": r.hashes_end} for r in rows]  # fmt: skip


def entity_view(
    session: Session, case_name: CaseRef, kind: str | None = None, *, viewer: Principal
) -> list[dict[str, Any]]:
    """Each entity with its count, the files it occurs in, and the other cases that hold it too
    (only cases the viewer may see: a link never discloses a case)."""
    case = get_case(session, case_name, viewer=viewer, action="entities")
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
        linked = (
            select(FcaEntity.value, FcaCase.name)
            .join(FcaCase, FcaCase.id == FcaEntity.case_id)
            .where(FcaEntity.value.in_(values[:5000]), FcaEntity.case_id != case.id)
        )
        visible = access.visible_ids(viewer)
        if visible is not None:
            linked = linked.where(FcaEntity.case_id.in_(visible))
        for value, other in session.execute(linked):
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
    case_name: CaseRef,
    query: str,
    limit: int = 50,
    kind: str | None = None,
    path_contains: str | None = None,
    matched_only: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
    entity: str | None = None,
    times: str = "mtime",
    *,
    viewer: Principal,
) -> list[dict[str, Any]]:
    """Full-text search: words, "phrases" and prefix* terms, with highlighted snippets ([...]).

    Filters: content type, part of the path, only hash-matched items, items holding an entity (its
    normalised value), and a time between ``since`` and ``until`` on the ``times`` named (mtime,
    atime, ctime, crtime, exif, or any of them: "any").
    """
    case = get_case(session, case_name, viewer=viewer, action="search")
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
        if (since or until) and not in_range(item_times(item, times), since, until):
            continue
        if item.matches:
            snippet = ""  # matched material: hash and path only, never its content
        out.append({"id": item.id, "path": item.path, "score": round(float(score), 4), "snippet": snippet,
                    "type": item.meta.get("type", "")})  # fmt: skip
        if len(out) >= limit:
            break
    return out


def semantic_search(
    session: Session, case_name: CaseRef, query: str, limit: int = 20, *, viewer: Principal
) -> list[dict[str, Any]]:
    """Items whose passages are nearest to the query in the multilingual sentence space, best first.

    The passages' vectors were stored at ingest; only the query is encoded here. Items stored without
    vectors (an older ingest, or one with semantic=False) get theirs now, once.
    """
    case = get_case(session, case_name, viewer=viewer, action="search")
    if is_read_only(session):  # a web read: the missing vectors are stored apart, in a short write
        if _store_missing_vectors(session, case.id):
            session.commit()  # a new snapshot, which sees them (SQLite keeps the old one until then)
    else:
        embed_missing(session, case.id)
    best = vectors.nearest_items(session, case.id, query, limit)
    out = []
    for item_id, chunk_id, score in best:
        item, chunk = session.get(FcaItem, item_id), session.get(FcaChunk, chunk_id)
        assert item is not None and chunk is not None
        snippet = "" if item.matches else item.text[chunk.start : chunk.end].strip()
        out.append({"id": item.id, "path": item.path, "score": round(score, 4), "snippet": snippet,
                    "type": item.meta.get("type", "")})  # fmt: skip
    return out


def _store_missing_vectors(session: Session, case_id: int) -> int:
    """From a read-only session: encode the passages still without vectors outside any transaction,
    then store them in a short write transaction (skipping items another search stored meanwhile)."""
    missing = (
        select(FcaItem.id, FcaItem.text)
        .where(FcaItem.case_id == case_id, FcaItem.text != "")
        .where(~exists().where(FcaChunk.item_id == FcaItem.id))
    )
    found = session.execute(missing).all()
    if not found:
        return 0
    encoded = {item_id: vectors.rows(vectors.embed(body), item_id, case_id) for item_id, body in found}
    with session_scope() as writer:
        stored = set(writer.execute(select(FcaChunk.item_id).where(FcaChunk.item_id.in_(encoded))).scalars())
        rows = [row for item_id, item_rows in encoded.items() if item_id not in stored for row in item_rows]
        if rows:
            writer.execute(insert(FcaChunk), rows)
    return len(encoded) - len(stored)


def embed_missing(session: Session, case_id: int, batch: int = 256) -> int:
    """Encode and store the passages of the case's items that have text but no stored vectors."""
    missing = (
        select(FcaItem.id, FcaItem.text)
        .where(FcaItem.case_id == case_id, FcaItem.text != "")
        .where(~exists().where(FcaChunk.item_id == FcaItem.id))
    )
    done = 0
    rows: list[dict[str, Any]] = []
    for item_id, body in session.execute(missing).all():
        rows.extend(vectors.rows(vectors.embed(body), item_id, case_id))
        done += 1
        if len(rows) >= batch:
            session.execute(insert(FcaChunk), rows)
            rows = []
    if rows:
        session.execute(insert(FcaChunk), rows)
    return done


# -- hash matching, tags, timeline -----------------------------------------------------------


def match(
    session: Session, case_name: CaseRef, hashlists: Sequence[str | Path], *, viewer: Principal
) -> list[dict[str, Any]]:
    """Match every item's hashes against the media tool's lists; matched items are flagged by list."""
    from heroes.media.api import match_hashes

    actor = viewer.actor
    case = get_case(session, case_name, viewer=viewer, action="match")
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


def tag(session: Session, item_id: int, label: str, *, viewer: Principal, case: CaseRef | None = None) -> None:
    """Tag an item of a case the viewer may see (and of ``case`` when named) for the report."""
    item = access.open_item(session, viewer, item_id, "tag")
    if case is not None and get_case(session, case, viewer=viewer, action="tag").id != item.case_id:
        raise HeroesError(f"No item {item_id} in this case.", status_code=404)
    actor = viewer.actor
    exists = session.execute(select(FcaTag).where(FcaTag.item_id == item_id, FcaTag.tag == label)).scalar_one_or_none()
    if exists is None:
        session.add(FcaTag(item_id=item_id, tag=label, author=actor))
        audit.record(session, actor, "fca.tag", f"fca_item:{item_id}")


def tagged(session: Session, case_name: CaseRef, *, viewer: Principal) -> list[tuple[dict[str, Any], list[str]]]:
    case = get_case(session, case_name, viewer=viewer, action="tagged")
    rows = session.execute(
        select(FcaItem, FcaTag.tag).join(FcaTag, FcaTag.item_id == FcaItem.id).where(FcaItem.case_id == case.id)
    ).all()
    grouped: dict[int, tuple[dict[str, Any], list[str]]] = {}
    for item, label in rows:
        grouped.setdefault(item.id, (item_json(item), []))[1].append(label)
    return list(grouped.values())


TIMES = (("mtime", "M..."), ("atime", ".A.."), ("ctime", "..C."), ("crtime", "...B"))


def timeline(
    session: Session,
    case_name: CaseRef,
    since: datetime | None = None,
    until: datetime | None = None,
    times: str = "any",
    *,
    viewer: Principal,
) -> list[dict[str, Any]]:
    """File system (MACB) and EXIF times of every item in time order, optionally between two times
    and of one kind only (``times``: mtime, atime, ctime, crtime, exif; any)."""
    if times not in TIME_FIELDS:
        raise HeroesError(f"Unknown time {times!r}; choose one of: {', '.join(TIME_FIELDS)}.")
    case = get_case(session, case_name, viewer=viewer, action="timeline")
    events = []
    for item in session.execute(select(FcaItem).where(FcaItem.case_id == case.id)).scalars():
        for field, macb in TIMES:
            when: datetime | None = getattr(item, field)
            if when and times in ("any", field) and in_range([when], since, until):
                events.append({"time": when.isoformat(), "macb": macb, "source": "FILE", "path": item.path,
                               "inode": item.inode, "deleted": item.deleted, "sha256": item.sha256})  # fmt: skip
        when = exif_time(item)
        if when and times in ("any", "exif") and in_range([when], since, until):
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


def case_summary(session: Session, case_name: CaseRef, *, viewer: Principal) -> dict[str, Any]:
    case = get_case(session, case_name, viewer=viewer, action="summary")
    n_items = session.execute(select(func.count()).select_from(FcaItem).where(FcaItem.case_id == case.id)).scalar_one()
    n_deleted = session.execute(
        select(func.count()).select_from(FcaItem).where(FcaItem.case_id == case.id, FcaItem.deleted.is_(True))
    ).scalar_one()
    n_entities = session.execute(
        select(func.count()).select_from(FcaEntity).where(FcaEntity.case_id == case.id)
    ).scalar_one()
    return {"case": case.name, "region": case.region, "items": n_items, "deleted": n_deleted, "entities": n_entities}


def case_name(session: Session, case_id: int, *, viewer: Principal) -> str:
    return get_case(session, case_id, viewer=viewer, action="view").name


def case_rows(session: Session, *, viewer: Principal) -> list[dict[str, Any]]:
    """The cases the viewer may see."""
    return [
        {"id": c.id, "name": c.name, "region": c.region, "owner": c.owner, "created_at": c.created_at.isoformat()}
        for c in access.visible_cases(session, viewer)
    ]


def list_cases(session: Session, *, viewer: Principal) -> list[str]:
    return [c.name for c in access.visible_cases(session, viewer)]


# -- times ------------------------------------------------------------------------------------

TIME_FIELDS = ("mtime", "atime", "ctime", "crtime", "exif", "any")


def exif_time(item: FcaItem) -> datetime | None:
    """The picture's EXIF DateTimeOriginal (camera local time, read as UTC), if any and readable."""
    raw = item.meta.get("datetimeoriginal")
    if not raw:
        return None
    try:
        return datetime.strptime(str(raw), "%Y:%m:%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def item_times(item: FcaItem, which: str = "mtime") -> list[datetime]:
    if which not in TIME_FIELDS:
        raise HeroesError(f"Unknown time {which!r}; choose one of: {', '.join(TIME_FIELDS)}.")
    fields = [f for f, _ in TIMES] if which == "any" else [which] if which != "exif" else []
    found = [t for t in (getattr(item, f) for f in fields) if t is not None]
    if which in ("exif", "any"):
        exif = exif_time(item)
        if exif is not None:
            found.append(exif)
    return found


def items_in_range(
    session: Session,
    case_name: CaseRef,
    since: datetime | None,
    until: datetime | None,
    times: str = "any",
    *,
    viewer: Principal,
) -> list[int]:
    """Ids of the case's items with a time (of the kind named) between since and until."""
    case = get_case(session, case_name, viewer=viewer, action="search")
    items = session.execute(select(FcaItem).where(FcaItem.case_id == case.id)).scalars()
    return [i.id for i in items if in_range(item_times(i, times), since, until)]


def in_range(times: Sequence[datetime], since: datetime | None, until: datetime | None) -> bool:
    """True when one of the times lies between since and until (inclusive; naive times are UTC)."""
    lo, hi = _aware(since), _aware(until)
    return any((lo is None or t >= lo) and (hi is None or t <= hi) for t in map(_aware, times) if t is not None)


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
