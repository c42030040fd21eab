"""Collections of ads kept as JSON Lines under the data folder, filled by imports of WARC captures,
CSV/JSONL files and folders of saved pages. Bad input is refused with its file and line; an import
either adds all its ads or none.

Who may see a collection is kept in the database (``heroes.osint.models``): the account that created
it (its owner), an organisation it is shared with, and members added by user name. Only they (and
administrators) see it; to anyone else it does not exist (the same "no collection" as a wrong name,
so names do not leak). Every read through ``open_collection`` / ``audited_read`` lands in the audit
log; those reads run in read-only transactions whose entries go to the audit batch writer
(``heroes.core.audit``), so a read never takes the database's write lock. Changes of who sees a
collection (owner or administrator only) are audited in the transaction that makes them.

Rules written by earlier versions as ``NAME.access.json`` beside the collection are read into rows
the first time the tool looks at collections, and the file is renamed ``NAME.access.json.migrated``.
A collection with neither (made before any rules) is visible to administrators only, who can
``share_collection`` it (they become its owner).
"""

from __future__ import annotations

import contextlib
import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from heroes.core.errors import PermissionDenied
from heroes.core.i18n import gettext as _
from heroes.core.settings import get_settings
from heroes.osint.adapters import extract_ads
from heroes.osint.ads import Ad, BadInput, ad_from_mapping, parse_jsonl

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
USE = "osint:use"


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
    organisation_name: str | None = None  # for pages; not part of the JSON shape

    def allows(self, viewer: Viewer) -> bool:
        if viewer.admin or viewer.actor == self.owner or viewer.actor in self.members:
            return True
        return self.organisation_id is not None and self.organisation_id == viewer.organisation_id

    def can_change(self, viewer: Viewer) -> bool:
        return viewer.admin or viewer.actor == self.owner

    def to_json(self) -> dict[str, object]:
        return {"owner": self.owner, "organisation_id": self.organisation_id, "members": sorted(set(self.members))}


def viewer_of(principal: Any) -> Viewer:
    """The viewer for a signed-in principal (``heroes.core.auth.Principal``), with its organisation."""
    from heroes.core.db import read_scope
    from heroes.core.models import User

    organisation = None
    if principal.username:
        with read_scope() as session:
            user = session.execute(select(User).where(User.username == principal.username)).scalar_one_or_none()
            organisation = user.organisation_id if user is not None else None
    return Viewer(principal.actor, organisation, principal.role == "admin")


def access_path(name: str) -> Path:
    """Where earlier versions kept a collection's rules (read once into rows, then renamed)."""
    return collection_path(name).with_suffix(".access.json")


def migrate_legacy_access() -> int:
    """Read rules left in ``NAME.access.json`` files into rows (once: each file is renamed after).
    A folder listing when there is nothing to do, so it runs before every look at the rules."""
    folder = collections_dir()
    files = sorted(folder.glob("*.access.json")) if folder.is_dir() else []
    moved = 0
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            owner = str(data["owner"])
        except (OSError, ValueError, KeyError, TypeError):
            continue  # unreadable: left in place, the collection stays administrators-only
        with contextlib.suppress(IntegrityError):  # another process read the same file in at that moment
            _migrate_one(path.name.removesuffix(".access.json"), owner, data, path.name)
        with contextlib.suppress(FileNotFoundError):
            path.replace(path.with_name(path.name + ".migrated"))
        moved += 1
    return moved


def _migrate_one(name: str, owner: str, data: dict[str, Any], source: str) -> None:
    from heroes.core.audit import record
    from heroes.core.db import session_scope
    from heroes.core.models import Organisation
    from heroes.osint.models import OsintCollection, OsintCollectionMember

    with session_scope() as session:
        if session.execute(select(OsintCollection.id).where(OsintCollection.name == name)).first() is not None:
            return  # rows win over a file
        organisation = data.get("organisation_id")
        if not isinstance(organisation, int) or session.get(Organisation, organisation) is None:
            organisation = None
        row = OsintCollection(name=name, owner=owner, organisation_id=organisation)
        session.add(row)
        session.flush()
        for member in sorted({str(m) for m in data.get("members", []) if str(m) != owner}):
            session.add(OsintCollectionMember(collection_id=row.id, username=member, added_by=owner))
        record(session, "system", "osint.collection.migrate", f"osint:{name}", {"from": source})


def _row(session: Session, name: str) -> Any:
    from heroes.osint.models import OsintCollection

    return session.execute(select(OsintCollection).where(OsintCollection.name == name)).scalar_one_or_none()


def _access_of_row(session: Session, row: Any) -> Access:
    from heroes.core.models import Organisation
    from heroes.osint.models import OsintCollectionMember

    members = session.execute(
        select(OsintCollectionMember.username)
        .where(OsintCollectionMember.collection_id == row.id)
        .order_by(OsintCollectionMember.username)
    ).scalars()
    organisation = session.get(Organisation, row.organisation_id) if row.organisation_id is not None else None
    return Access(row.owner, row.organisation_id, list(members), organisation.name if organisation else None)


def read_access(name: str, session: Session | None = None) -> Access | None:
    """The rules of a collection, or None when it has none (administrators only)."""
    if session is None:
        from heroes.core.db import read_scope

        migrate_legacy_access()
        with read_scope() as own:
            return read_access(name, own)
    row = _row(session, name)
    return _access_of_row(session, row) if row is not None else None


def can_read(name: str, viewer: Viewer, session: Session | None = None) -> bool:
    if not collection_path(name).is_file():
        return False
    access = read_access(name, session)
    return viewer.admin if access is None else access.allows(viewer)


def check_access(name: str, viewer: Viewer, session: Session | None = None) -> None:
    """Refuse a collection the viewer may not see exactly as one that does not exist."""
    if not can_read(name, viewer, session):
        raise BadInput(_("No collection named %(n)s.", n=name))


def _audit(viewer: Viewer, action: str, name: str, details: dict[str, Any] | None = None) -> None:
    from heroes.core.audit import record
    from heroes.core.db import session_scope

    with session_scope() as session:
        record(session, viewer.actor, action, f"osint:{name}", details)


def audited_read(name: str, viewer: Viewer, purpose: str) -> None:
    """Check and audit a read of the collection (its ads, or results stored for it). A read-only
    transaction: the audit entry goes to the batch writer, the read never waits for the write lock."""
    from heroes.core.audit import record
    from heroes.core.db import read_scope

    migrate_legacy_access()
    with read_scope() as session:
        check_access(name, viewer, session)
        record(session, viewer.actor, "osint.collection.read", f"osint:{name}", {"purpose": purpose})


def open_collection(name: str, viewer: Viewer, purpose: str = "read") -> list[Ad]:
    """The ads of a collection the viewer may see; the read is audited (``osint.collection.read``)."""
    audited_read(name, viewer, purpose)
    return load_collection(name)


def collection_access(name: str, viewer: Viewer) -> Access:
    """Who sees a collection, for the viewer (who must see it); an audited read (purpose "sharing")."""
    from heroes.core.audit import record
    from heroes.core.db import read_scope

    migrate_legacy_access()
    with read_scope() as session:
        check_access(name, viewer, session)
        record(session, viewer.actor, "osint.collection.read", f"osint:{name}", {"purpose": "sharing"})
        access = read_access(name, session)
    return access if access is not None else Access("", None, [])


def _changing(session: Session, name: str, viewer: Viewer) -> Any:
    """The collection's row for a change of its rules, by its owner or an administrator (an
    administrator sharing a collection that has no rules becomes its owner)."""
    from heroes.osint.models import OsintCollection

    check_access(name, viewer, session)
    row = _row(session, name)
    if row is None:
        row = OsintCollection(name=name, owner=viewer.actor, organisation_id=viewer.organisation_id)
        session.add(row)
        session.flush()
    elif not (viewer.admin or viewer.actor == row.owner):
        raise PermissionDenied(_("Only the owner of %(n)s or an administrator can change who sees it.", n=name))
    return row


def _account(session: Session, username: str) -> Any:
    from heroes.core.models import User
    from heroes.core.permissions import allowed

    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.active:
        raise BadInput(_("No active account named %(u)s.", u=username))
    if not allowed(user.role, USE):
        raise BadInput(_("The account %(u)s cannot use the OSINT tool (role %(r)s).", u=username, r=user.role))
    return user


def change_access(
    name: str,
    viewer: Viewer,
    add: list[str] | None = None,
    remove: list[str] | None = None,
    organisation: int | None = None,
    set_organisation: bool = False,
) -> Access:
    """Add and remove members (by user name); with ``set_organisation``, grant the collection to
    ``organisation`` (an id) or take the grant away (None). Owner or administrator only; one audit entry per change,
    in the transaction that makes it. Members must be active accounts that may use the tool."""
    from heroes.core.audit import record
    from heroes.core.db import session_scope
    from heroes.core.models import Organisation
    from heroes.osint.models import OsintCollectionMember

    migrate_legacy_access()
    target = f"osint:{name}"
    with session_scope() as session:
        row = _changing(session, name, viewer)
        current = set(_access_of_row(session, row).members)
        for username in dict.fromkeys(add or []):
            if username == row.owner:
                raise BadInput(_("%(u)s owns %(n)s already.", u=username, n=name))
            _account(session, username)
            if username not in current:
                session.add(OsintCollectionMember(collection_id=row.id, username=username, added_by=viewer.actor))
                current.add(username)
                record(session, viewer.actor, "osint.collection.share", target, {"member_added": username})
        for username in dict.fromkeys(remove or []):
            if username not in current:
                raise BadInput(_("%(u)s is not a member of %(n)s.", u=username, n=name))
            found = session.execute(
                select(OsintCollectionMember).where(
                    OsintCollectionMember.collection_id == row.id, OsintCollectionMember.username == username
                )
            ).scalar_one()
            session.delete(found)
            current.discard(username)
            record(session, viewer.actor, "osint.collection.share", target, {"member_removed": username})
        if set_organisation and organisation != row.organisation_id:
            if organisation is not None and session.get(Organisation, organisation) is None:
                raise BadInput(_("No organisation with id %(i)s.", i=organisation))
            row.organisation_id = organisation
            record(session, viewer.actor, "osint.collection.share", target, {"organisation": organisation})
        session.flush()
        return _access_of_row(session, row)


def share_collection(
    name: str, viewer: Viewer, members: list[str] | None = None, organisation_id: int | None = None
) -> Access:
    """Add members (and set the organisation) of a collection; its owner or an administrator only."""
    return change_access(
        name, viewer, add=members, organisation=organisation_id, set_organisation=organisation_id is not None
    )


def _create_rules(name: str, viewer: Viewer) -> None:
    """A new collection belongs to the viewer and is shared with its organisation."""
    from heroes.core.audit import record
    from heroes.core.db import session_scope
    from heroes.osint.models import OsintCollection

    with session_scope() as session:
        stale = _row(session, name)
        if stale is not None:  # rules left by a collection whose file is gone: a new collection starts afresh
            session.delete(stale)
            session.flush()
        session.add(OsintCollection(name=name, owner=viewer.actor, organisation_id=viewer.organisation_id))
        details = {"organisation": viewer.organisation_id}
        record(session, viewer.actor, "osint.collection.create", f"osint:{name}", details)


def collections_dir() -> Path:
    return get_settings().data_dir / "osint" / "collections"


def collection_path(name: str) -> Path:
    if not NAME.match(name):
        raise BadInput(_("A collection name uses letters, digits, '.', '_' and '-' only: %(n)s", n=name))
    return collections_dir() / f"{name}.jsonl"


def list_collections(viewer: Viewer | None = None) -> list[str]:
    """Collection names; with a viewer, only those it may see (one read of the rules for all)."""
    folder = collections_dir()
    names = sorted(p.stem for p in folder.glob("*.jsonl")) if folder.is_dir() else []
    if viewer is None:
        return names
    from heroes.core.db import read_scope
    from heroes.osint.models import OsintCollection, OsintCollectionMember

    migrate_legacy_access()
    with read_scope() as session:
        rows = {
            name: (owner, organisation)
            for name, owner, organisation in session.execute(
                select(OsintCollection.name, OsintCollection.owner, OsintCollection.organisation_id)
            )
        }
        mine = set(
            session.execute(
                select(OsintCollection.name)
                .join(OsintCollectionMember, OsintCollectionMember.collection_id == OsintCollection.id)
                .where(OsintCollectionMember.username == viewer.actor)
            ).scalars()
        )
    visible = []
    for name in names:
        if name not in rows:
            ok = viewer.admin
        else:
            owner, organisation = rows[name]
            ok = viewer.admin or viewer.actor == owner or name in mine
            ok = ok or (organisation is not None and organisation == viewer.organisation_id)
        if ok:
            visible.append(name)
    return visible


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
    if not target.is_file():
        migrate_legacy_access()
        _create_rules(collection, viewer)
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
