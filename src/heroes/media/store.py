"""The media tool's database side: hash lists imported once, scans and their results.

Every change is audited; a scan leaves a custody record for what it read (heroes.core.evidence).
Callers pass the session and the acting principal's name; permission checks happen in the
CLI/web layers through the core's permission table.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from heroes.core import audit, workers
from heroes.core.db import utcnow
from heroes.core.errors import HeroesError, NotFoundError
from heroes.core.evidence import FileHashes, record_custody
from heroes.core.i18n import gettext as _
from heroes.core.settings import get_settings
from heroes.media.hashlists import HashEntry, HashList, ListFormatError, NotText, parse_upload
from heroes.media.models import MediaHashEntry, MediaHashList, MediaScan, MediaScanResult

BATCH = 5000


# --- where the server may read -------------------------------------------------------------


def scan_roots() -> list[Path]:
    """Folders the web app may scan or read lists from (HEROES_MEDIA_ROOTS, ``os.pathsep``-separated).

    A web user names a server-side path; without this fence that would be a way to probe any
    file on the server.
    """
    raw = get_settings().media_roots
    if raw:
        return [Path(p).resolve() for p in raw.split(os.pathsep) if p.strip()]
    return [(get_settings().data_dir / "media-intake").resolve()]


def _plain(text: str) -> str:
    """Reject text a database cannot hold (NUL bytes), instead of failing deep inside it."""
    if "\x00" in text:
        raise HeroesError(_("The text contains a NUL character."))
    return text


def check_server_path(path: str) -> Path:
    try:
        p = Path(_plain(path)).expanduser().resolve()
    except (OSError, RuntimeError):
        raise HeroesError(_("%(path)s does not exist on the server.", path=path)) from None
    roots = scan_roots()
    if not any(p == r or r in p.parents for r in roots):
        allowed = ", ".join(str(r) for r in roots)
        raise HeroesError(
            _("%(path)s is outside the folders this server may read (%(allowed)s).", path=path, allowed=allowed)
        )
    if not p.exists():
        raise HeroesError(_("%(path)s does not exist on the server.", path=path))
    return p


# --- hash lists ----------------------------------------------------------------------------


def _parse(data: str | bytes, name: str, fmt: str | None, ignore: bool, bounded: bool) -> HashList:
    try:
        if not bounded:
            return parse_upload(data, name, fmt, ignore)
        too_long = _(
            "This list is too large to import here (its reading would take longer than %(n)d seconds). "
            "Import it on the server with `heroes media lists import`.",
            n=int(get_settings().cpu_budget_seconds),
        )
        return workers.run_bounded(parse_upload, data, name, fmt, ignore, what=too_long)
    except NotText:
        raise HeroesError(_("The list is not UTF-8 or UTF-16 text.")) from None
    except ListFormatError as exc:
        raise HeroesError(str(exc)) from None
    except RecursionError:  # a safety net: the depth pre-scan refuses deep VICS files first
        raise HeroesError(_("The list is nested too deeply to be read.")) from None
    except (KeyError, TypeError, AttributeError, ValueError) as exc:  # fields of the wrong type
        raise HeroesError(_("The list's structure is not as expected (%(error)s).", error=type(exc).__name__)) from None


def import_list(
    session: Session,
    actor: str,
    text: str | bytes,
    name: str,
    fmt: str | None = None,
    ignore: bool = False,
    source: str = "",
    bounded: bool = False,
) -> tuple[MediaHashList, HashList]:
    """Parse a list (text, or bytes in UTF-8/UTF-16) and store it in the caller's transaction.

    `bounded` (the web): the list is decoded and parsed in a worker process within the CPU budget
    (heroes.core.workers, 413 past it) and may hold at most `media_list_web_max_entries` hashes, so
    one huge or hostile list cannot hold the server or SQLite's write lock for minutes; the CLI
    imports lists of any size. Nothing is stored unless the whole list is."""
    name = _plain(name).strip()
    if not name or len(name) > 120:
        raise HeroesError(_("A list needs a name of 1 to 120 characters."))
    if session.execute(select(MediaHashList.id).where(MediaHashList.name == name)).first():
        raise HeroesError(
            _("A hash list named %(name)s exists already; remove it first or pick another name.", name=name)
        )
    parsed = _parse(text, name, fmt, ignore, bounded)
    most = get_settings().media_list_web_max_entries
    if bounded and len(parsed.entries) > most:
        raise workers.TooMuchWork(
            _(
                "This list holds %(n)d hashes; the web imports up to %(most)d. "
                "Import it on the server with `heroes media lists import`.",
                n=len(parsed.entries),
                most=most,
            )
        )
    if not parsed.entries:
        first = _(" First problem: %(error)s.", error=str(parsed.errors[0])) if parsed.errors else ""
        raise HeroesError(_("No usable hash in this list.") + first)
    row = MediaHashList(
        name=name,
        format=parsed.format,
        ignore=ignore,
        source=Path(source).name[:255],
        entry_count=len(parsed.entries),
        error_count=len(parsed.errors),
        counts=parsed.counts(),
        created_by=actor,
    )
    session.add(row)
    session.flush()
    # Core bulk inserts: a national list can hold millions of rows.
    for start in range(0, len(parsed.entries), BATCH):
        session.execute(
            insert(MediaHashEntry),
            [
                {
                    "list_id": row.id,
                    "hash_type": e.hash_type,
                    "value": e.value,
                    "category": e.category.replace("\x00", "")[:120],
                    "label": e.label.replace("\x00", "")[:200],
                    "meta": e.metadata,
                }
                for e in parsed.entries[start : start + BATCH]
            ],
        )
    audit.record(
        session,
        actor,
        "media.list.import",
        f"media_list:{row.id}",
        {"name": name, "format": parsed.format, "entries": row.entry_count, "errors": row.error_count},
    )
    return row, parsed


def import_list_file(
    session: Session,
    actor: str,
    path: str | Path,
    name: str | None = None,
    fmt: str | None = None,
    ignore: bool = False,
    bounded: bool = False,
) -> tuple[MediaHashList, HashList]:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise HeroesError(_("Cannot read %(path)s: %(error)s.", path=str(p), error=exc.strerror)) from None
    return import_list(session, actor, data, name or p.stem, fmt, ignore, source=p.name, bounded=bounded)


def lists(session: Session) -> list[MediaHashList]:
    return list(session.execute(select(MediaHashList).order_by(MediaHashList.name)).scalars())


def get_list(session: Session, ref: str | int) -> MediaHashList:
    ref = _plain(ref) if isinstance(ref, str) else ref
    if isinstance(ref, int) or str(ref).isdigit():
        row = session.get(MediaHashList, int(ref))
    else:
        row = session.execute(select(MediaHashList).where(MediaHashList.name == ref)).scalar_one_or_none()
    if row is None:
        raise NotFoundError(_("No hash list %(name)s.", name=str(ref)))
    return row


def remove_list(session: Session, actor: str, ref: str | int) -> str:
    row = get_list(session, ref)
    name = row.name
    session.execute(delete(MediaHashEntry).where(MediaHashEntry.list_id == row.id))
    session.delete(row)
    audit.record(session, actor, "media.list.remove", f"media_list:{row.id}", {"name": name})
    return name


def load_lists(session: Session, refs: Sequence[str | int] | None = None) -> list[HashList]:
    """Hash lists from the database, as the matcher takes them (all lists when ``refs`` is None)."""
    rows = lists(session) if refs is None else [get_list(session, r) for r in refs]
    out = []
    for row in rows:
        entries = [
            HashEntry(hash_type, value, category, label)
            for hash_type, value, category, label in session.execute(
                select(
                    MediaHashEntry.hash_type,
                    MediaHashEntry.value,
                    MediaHashEntry.category,
                    MediaHashEntry.label,
                )
                .where(MediaHashEntry.list_id == row.id)
                .order_by(MediaHashEntry.id)
            )
        ]
        out.append(HashList(row.name, entries, ignore=row.ignore, format=row.format))
    return out


# --- scans ---------------------------------------------------------------------------------


def create_scan(
    session: Session, actor: str, paths: Sequence[str], list_names: Sequence[str], distance: int
) -> MediaScan:
    scan = MediaScan(
        owner=actor, source="\n".join(paths), list_names=list(list_names), distance=distance, state="queued"
    )
    session.add(scan)
    session.flush()
    audit.record(session, actor, "media.scan.create", f"media_scan:{scan.id}", {"lists": list(list_names)})
    return scan


def get_scan(session: Session, scan_id: int, actor: str, see_all: bool = False) -> MediaScan:
    scan = session.get(MediaScan, scan_id)
    if scan is None or (scan.owner != actor and not see_all):
        raise NotFoundError(_("No scan %(id)s.", id=scan_id))
    return scan


def recent_scans(session: Session, actor: str, see_all: bool = False, limit: int = 50) -> list[MediaScan]:
    query = select(MediaScan).order_by(MediaScan.id.desc()).limit(limit)
    if not see_all:
        query = query.where(MediaScan.owner == actor)
    return list(session.execute(query).scalars())


def _categories(matches: list[dict[str, Any]]) -> list[str]:
    return sorted({f"{m['list']} / {m['category'] or '-'}" for m in matches})


def save_results(
    session: Session, scan: MediaScan, actor: str, rows: Iterable[dict[str, Any]], summary: dict[str, Any]
) -> int:
    """Store the per-file results and the custody trail of one finished scan."""
    session.execute(delete(MediaScanResult).where(MediaScanResult.scan_id == scan.id))
    count = 0
    batch: list[MediaScanResult] = []
    matched: list[dict[str, Any]] = []
    for row in rows:
        matches = row.get("matches") or []
        batch.append(
            MediaScanResult(
                scan_id=scan.id,
                path=row["path"],
                size=row.get("size"),
                type=row.get("type") or "other",
                md5=row.get("md5"),
                sha1=row.get("sha1"),
                sha256=row.get("sha256"),
                pdq=row.get("pdq"),
                pdq_quality=row.get("pdq_quality"),
                matched=bool(matches),
                categories=_categories(matches),
                matches=matches,
                ignored_by=row.get("ignored_by") or [],
                error=row.get("error"),
            )
        )
        if matches and row.get("sha256"):
            matched.append(row)
        count += 1
        if len(batch) >= BATCH:
            session.add_all(batch)
            session.flush()
            batch = []
    session.add_all(batch)
    scan.state = "done"
    scan.summary = summary
    scan.finished_at = utcnow()
    # Custody: the scan read the source (nothing was changed: "before" only), and each matched
    # file is recorded with its hashes so the finding can be re-verified on the original media.
    for source in scan.source.splitlines():
        record_custody(session, actor, "media.scan", source, details={"scan": scan.id, "files": summary.get("files")})
    for row in matched:
        hashes = FileHashes(int(row.get("size") or 0), row["md5"], row["sha1"], row["sha256"])
        record_custody(
            session,
            actor,
            "media.match",
            row["path"],
            before=hashes,
            details={"scan": scan.id, "categories": _categories(row["matches"])},
        )
    audit.record(
        session,
        actor,
        "media.scan.done",
        f"media_scan:{scan.id}",
        {"files": summary.get("files"), "matched": summary.get("matched_files"), "errors": summary.get("errors")},
    )
    return count


def results(
    session: Session,
    scan: MediaScan,
    category: str | None = None,
    matched_only: bool = True,
    limit: int = 500,
    offset: int = 0,
) -> list[MediaScanResult]:
    query = select(MediaScanResult).where(MediaScanResult.scan_id == scan.id).order_by(MediaScanResult.id)
    if matched_only:
        query = query.where(MediaScanResult.matched.is_(True))
    rows = list(session.execute(query).scalars())
    if category:
        rows = [r for r in rows if category in r.categories]
    return rows[offset : offset + limit]


def errors(session: Session, scan: MediaScan, limit: int = 500) -> list[MediaScanResult]:
    """Files that could not be read or decoded: to be looked at by other means."""
    query = (
        select(MediaScanResult)
        .where(MediaScanResult.scan_id == scan.id, MediaScanResult.error.is_not(None))
        .order_by(MediaScanResult.id)
        .limit(limit)
    )
    return list(session.execute(query).scalars())


def result_json(row: MediaScanResult) -> dict[str, Any]:
    """The same line format as the CLI's JSONL output."""
    out: dict[str, Any] = {
        "path": row.path,
        "size": row.size,
        "type": row.type,
        "md5": row.md5,
        "sha1": row.sha1,
        "sha256": row.sha256,
        "pdq": row.pdq,
        "pdq_quality": row.pdq_quality,
        "matches": row.matches,
    }
    if row.ignored_by:
        out["ignored_by"] = row.ignored_by
    if row.error:
        out["error"] = row.error
    return out
