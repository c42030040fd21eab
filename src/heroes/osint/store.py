"""Collections of ads kept as JSON Lines under the data folder, filled by imports of WARC captures,
CSV/JSONL files and folders of saved pages. Bad input is refused with its file and line; an import
either adds all its ads or none.

Each collection has access rules beside it (``NAME.access.json``): the account that created it, its
organisation, and members added by name. Only they (and administrators) see it; to anyone else it
does not exist (the same "no collection" as a wrong name, so names do not leak). Every read through
``open_collection`` lands in the audit log. A collection without rules (made before rules existed)
is visible to administrators only, who can ``share_collection`` it.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from heroes.core.i18n import gettext as _
from heroes.core.settings import get_settings
from heroes.osint.adapters import extract_ads
from heroes.osint.ads import Ad, BadInput, ad_from_mapping, parse_jsonl

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class Viewer:
    """Who asks for a collection: an account, its organisation, and whether it administers the platform."""

    actor: str
    organisation_id: int | None = None
    admin: bool = False


@dataclass
class Access:
    owner: str
    organisation_id: int | None = None
    members: list[str] = field(default_factory=list)

    def allows(self, viewer: Viewer) -> bool:
        if viewer.admin or viewer.actor == self.owner or viewer.actor in self.members:
            return True
        return self.organisation_id is not None and self.organisation_id == viewer.organisation_id

    def to_json(self) -> dict[str, object]:
        return {"owner": self.owner, "organisation_id": self.organisation_id, "members": sorted(set(self.members))}


def viewer_of(principal: Any) -> Viewer:
    """The viewer for a signed-in principal (``heroes.core.auth.Principal``), with its organisation."""
    from sqlalchemy import select

    from heroes.core.db import session_scope
    from heroes.core.models import User

    organisation = None
    if principal.username:
        with session_scope() as session:
            user = session.execute(select(User).where(User.username == principal.username)).scalar_one_or_none()
            organisation = user.organisation_id if user is not None else None
    return Viewer(principal.actor, organisation, principal.role == "admin")


def access_path(name: str) -> Path:
    return collection_path(name).with_suffix(".access.json")


def read_access(name: str) -> Access | None:
    path = access_path(name)
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return Access(str(data["owner"]), data.get("organisation_id"), [str(m) for m in data.get("members", [])])


def _write_access(name: str, access: Access) -> None:
    path = access_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(access.to_json(), ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def can_read(name: str, viewer: Viewer) -> bool:
    if not collection_path(name).is_file():
        return False
    access = read_access(name)
    return viewer.admin if access is None else access.allows(viewer)


def check_access(name: str, viewer: Viewer) -> None:
    """Refuse a collection the viewer may not see exactly as one that does not exist."""
    if not can_read(name, viewer):
        raise BadInput(_("No collection named %(n)s.", n=name))


def _audit(viewer: Viewer, action: str, name: str, details: dict[str, Any] | None = None) -> None:
    from heroes.core.audit import record
    from heroes.core.db import session_scope

    with session_scope() as session:
        record(session, viewer.actor, action, f"osint:{name}", details)


def open_collection(name: str, viewer: Viewer, purpose: str = "read") -> list[Ad]:
    """The ads of a collection the viewer may see; the read is audited (``osint.collection.read``)."""
    check_access(name, viewer)
    _audit(viewer, "osint.collection.read", name, {"purpose": purpose})
    return load_collection(name)


def audited_read(name: str, viewer: Viewer, purpose: str) -> None:
    """Check and audit a read served from results stored for the collection (clusters, graph)."""
    check_access(name, viewer)
    _audit(viewer, "osint.collection.read", name, {"purpose": purpose})


def share_collection(
    name: str, viewer: Viewer, members: list[str] | None = None, organisation_id: int | None = None
) -> Access:
    """Add members (and set the organisation) of a collection; its owner or an administrator only."""
    check_access(name, viewer)
    access = read_access(name) or Access(viewer.actor, viewer.organisation_id)
    if not (viewer.admin or viewer.actor == access.owner):
        raise BadInput(_("Only the owner of %(n)s or an administrator can change who sees it.", n=name))
    access.members = sorted({*access.members, *(members or [])})
    if organisation_id is not None:
        access.organisation_id = organisation_id
    _write_access(name, access)
    _audit(viewer, "osint.collection.share", name, access.to_json())
    return access


def collections_dir() -> Path:
    return get_settings().data_dir / "osint" / "collections"


def collection_path(name: str) -> Path:
    if not NAME.match(name):
        raise BadInput(_("A collection name uses letters, digits, '.', '_' and '-' only: %(n)s", n=name))
    return collections_dir() / f"{name}.jsonl"


def list_collections(viewer: Viewer | None = None) -> list[str]:
    """Collection names; with a viewer, only those it may see."""
    folder = collections_dir()
    names = sorted(p.stem for p in folder.glob("*.jsonl")) if folder.is_dir() else []
    return names if viewer is None else [n for n in names if can_read(n, viewer)]


def load_collection(name: str) -> list[Ad]:
    path = collection_path(name)
    if not path.is_file():
        raise BadInput(_("No collection named %(n)s.", n=name))
    with path.open(encoding="utf-8") as handle:
        return list(parse_jsonl(handle, str(path)))


def read_csv(path: Path) -> list[Ad]:
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or "id" not in reader.fieldnames:
            raise BadInput(_('%(f)s line 1: the header needs an "id" column.', f=str(path)))
        ads = []
        for row in reader:
            where = _("%(f)s line %(n)d", f=str(path), n=reader.line_num)
            if None in row:
                raise BadInput(_("%(w)s: more fields than the header has.", w=where))
            ads.append(ad_from_mapping(dict(row), where))
        return ads


def read_warc_ads(path: Path) -> list[Ad]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    with path.open("rb") as handle:
        head = handle.read(64)
    if head.startswith(b"\x1f\x8b"):
        import gzip

        try:
            with gzip.open(path, "rb") as unpacked:
                head = unpacked.read(8)
        except (OSError, EOFError):
            head = b""
    if not head.startswith(b"WARC/"):
        raise BadInput(_("%(f)s is not a readable WARC file: %(e)s", f=str(path), e="no WARC header"))
    ads: list[Ad] = []
    try:
        with path.open("rb") as handle:
            for record in ArchiveIterator(handle):
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                if record.http_headers.get_statuscode() != "200":
                    continue
                if "html" not in (record.http_headers.get_header("Content-Type") or ""):
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                html = record.content_stream().read().decode("utf-8", errors="replace")
                ads += extract_ads(url, html)
    except ArchiveLoadFailed as exc:
        raise BadInput(_("%(f)s is not a readable WARC file: %(e)s", f=str(path), e=str(exc))) from exc
    return ads


def read_any(path: Path) -> list[Ad]:
    name = path.name.lower()
    if path.is_dir():
        ads: list[Ad] = []
        for page in sorted(path.rglob("*.htm*")):
            ads += extract_ads(page.resolve().as_uri(), page.read_text(encoding="utf-8", errors="replace"))
        return ads
    if not path.is_file():
        raise BadInput(_("%(f)s does not exist.", f=str(path)))
    if name.endswith((".warc", ".warc.gz")):
        return read_warc_ads(path)
    if name.endswith(".csv"):
        return read_csv(path)
    if name.endswith((".jsonl", ".ndjson", ".json")):
        with path.open(encoding="utf-8", errors="replace") as handle:
            return list(parse_jsonl(handle, str(path)))
    raise BadInput(_("%(f)s: unknown kind of file (use WARC, CSV, JSONL or a folder of HTML pages).", f=str(path)))


@dataclass
class ImportSummary:
    collection: str
    added: int = 0
    already: int = 0
    per_file: dict[str, int] = field(default_factory=dict)


def import_files(paths: list[Path], collection: str, viewer: Viewer) -> ImportSummary:
    """Read every file first (any error stops before anything is stored), then append new ads. A new
    collection belongs to the viewer and its organisation; an existing one takes ads from its members."""
    target = collection_path(collection)
    if target.is_file():
        check_access(collection, viewer)
    summary = ImportSummary(collection)
    incoming: list[Ad] = []
    for path in paths:
        ads = read_any(path)
        summary.per_file[str(path)] = len(ads)
        incoming += ads
    known = {ad.id for ad in load_collection(collection)} if target.is_file() else set()
    if not target.is_file() and read_access(collection) is None:
        _write_access(collection, Access(viewer.actor, viewer.organisation_id))
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("a", encoding="utf-8") as handle:
        for ad in incoming:
            if ad.id in known:
                summary.already += 1
                continue
            known.add(ad.id)
            handle.write(json.dumps(ad.to_json(), ensure_ascii=False) + "\n")
            summary.added += 1
    _audit(viewer, "osint.collection.import", collection, {"added": summary.added, "already": summary.already})
    return summary
