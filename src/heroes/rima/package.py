"""Evidence packages: acquire chat sources into a folder or ZIP with hashes, a manifest and custody.

Layout of a package:
    originals/N/...        the files as received, bit for bit (N numbers the sources given)
    messages.jsonl         one message per line, each with its id, source file and source reference
    conversations.json     per conversation: app, title, participants, counts, first and last message
    manifest.json          case, examiner, tool version, times; every file's size, MD5 and SHA-256;
                           what was parsed from which file and table; what could not be read
    manifest.sha256        the manifest's own SHA-256 (also kept in the custody record)
    timestamp.tsr          RFC 3161 timestamp token over the manifest hash, when a TSA was configured
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil
import tempfile
import uuid
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any
from zoneinfo import ZoneInfo

import heroes
from heroes.chats import Conversation, Message, ParseError, find_parser
from heroes.chats.model import Attachment
from heroes.chats.timeutil import iso_utc, localise
from heroes.core.errors import HeroesError
from heroes.core.evidence import FileHashes, hash_file
from heroes.core.i18n import gettext as _
from heroes.rima import sources
from heroes.text import json_loads

FORMAT = "heroes-rima-package/1"
MANIFEST = "manifest.json"
SEAL = "manifest.sha256"
MESSAGES = "messages.jsonl"
CONVERSATIONS = "conversations.json"
TOKEN = "timestamp.tsr"  # noqa: S105 - a file name
COMPANION_SUFFIXES = ("-wal", "-shm", "-journal")

# step, item (a package path), hashes or None, details -> None. Lets the caller write custody records.
Custody = Callable[[str, str, FileHashes | None, dict[str, Any]], None]
ProgressFn = Callable[[str, int, int | None], None]


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class _ConvStats:
    id: str
    app: str
    title: str
    source_file: str
    source_ref: str
    source_id: str
    is_group: bool
    participants: list[dict[str, Any]]
    messages: int = 0
    first: str | None = None
    last: str | None = None
    senders: Counter[str] = field(default_factory=Counter)
    sender_ids: dict[str, str] = field(default_factory=dict)

    def add(self, time: str | None, sender: str, sender_id: str = "") -> None:
        self.messages += 1
        self.senders[sender] += 1
        if sender_id:
            self.sender_ids.setdefault(sender, sender_id)
        if time:
            self.first = min(self.first or time, time)
            self.last = max(self.last or time, time)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "app": self.app,
            "title": self.title,
            "is_group": self.is_group,
            "source_file": self.source_file,
            "source_ref": self.source_ref,
            "source_id": self.source_id,
            # Streamed exports name their people only as they write: fall back to who wrote.
            "participants": self.participants
            or [{"name": name, "identifier": self.sender_ids.get(name, "")} for name in self.senders if name],
            "messages": self.messages,
            "first_message": self.first,
            "last_message": self.last,
            "messages_by_sender": dict(self.senders.most_common()),
        }


def message_record(m: Message, mid: str, conv: _ConvStats, source_file: str) -> dict[str, Any]:
    local = m.time.replace(tzinfo=None).isoformat() if m.time is not None and m.time.tzinfo is None else None
    return {
        "id": mid,
        "conversation": conv.id,
        "conversation_title": conv.title,
        "app": conv.app,
        "sender": m.author,
        "sender_id": m.sender_id,
        "from_me": m.from_me,
        "time": iso_utc(m.time_utc),
        "time_local": local,
        "time_original": m.time_original,
        "utc_offset_minutes": m.utc_offset_minutes,
        "text": m.text,
        "attachments": [a.__dict__ for a in m.attachment_refs] or [{"name": n} for n in m.attachments],
        "reply_to": m.reply_to,
        "reactions": [{"emoji": r.emoji, "by": r.by} for r in m.reactions],
        "edited": m.edited,
        "deleted": m.deleted,
        "system": m.system,
        "source_file": source_file,
        "source_ref": m.ref or "",
        "source_id": m.source_id,
    }


class _Writer:
    """Streams messages into messages.jsonl and keeps per-conversation counts (memory stays flat)."""

    def __init__(self, root: Path, tz: ZoneInfo | None, hashes: dict[str, FileHashes]) -> None:
        self.handle = open(root / MESSAGES, "w", encoding="utf-8")  # noqa: SIM115 - closed in close()
        self.tz = tz
        self.hashes = hashes
        self.count = 0
        self.local_only = 0
        self.conversations: dict[tuple[str, str], _ConvStats] = {}

    def conversation(self, c: Conversation, source_file: str) -> _ConvStats:
        key = (source_file, c.id)
        if key not in self.conversations:
            people = [p.__dict__ for p in c.people] or [{"name": n} for n in c.participants]
            self.conversations[key] = _ConvStats(
                f"C{len(self.conversations) + 1:04d}",
                c.app or c.source_format,
                c.title or c.id,
                source_file,
                c.source_ref,
                c.id,
                c.is_group,
                people,
            )
        return self.conversations[key]

    def message(self, m: Message, source_file: str, default_app: str, base: PurePosixPath) -> None:
        key = (source_file, m.conversation)
        if key not in self.conversations:
            self.conversation(Conversation(m.conversation, app=default_app), source_file)
        conv = self.conversations[key]
        m = localise(m, self.tz)
        if m.attachment_refs or m.attachments:
            m = m.with_(
                attachment_refs=tuple(
                    self._hashed(a, base) for a in m.attachment_refs or [Attachment(n) for n in m.attachments]
                )
            )
        self.count += 1
        record = message_record(m, f"M{self.count:07d}", conv, source_file)
        if record["time"] is None and record["time_local"]:
            self.local_only += 1
        conv.add(record["time"] or record["time_local"], m.author, m.sender_id)
        self.handle.write(json.dumps(record, ensure_ascii=False) + "\n")

    def _hashed(self, a: Attachment, base: PurePosixPath) -> Attachment:
        """Fill an attachment's hashes when its file was acquired beside the chat."""
        for candidate in (a.path, a.name):
            if not candidate:
                continue
            rel = str(base / candidate.lstrip("/"))
            if rel in self.hashes:
                h = self.hashes[rel]
                return Attachment(a.name, a.kind, rel, h.size, h.md5, h.sha256)
        return a

    def close(self) -> None:
        self.handle.close()


def _parse_one(path: Path, shown: str, writer: _Writer, on_progress: ProgressFn | None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "parser": None,
        "app": None,
        "conversations": 0,
        "messages": 0,
        "tables": [],
        "problems": [],
    }
    try:
        parser = find_parser(path)
    except OSError as exc:
        entry["problems"].append(f"{shown}: cannot read ({exc.strerror})")
        return entry
    if parser is None:
        return entry
    entry.update(parser=parser.name, app=parser.app)
    before = (writer.count, len(writer.conversations))
    tables: set[str] = set()
    base = PurePosixPath(shown).parent
    try:
        for item in parser.stream(path, entry["problems"]):
            if isinstance(item, Conversation):
                writer.conversation(item, shown)
            else:
                writer.message(item, shown, parser.app, base)
                ref = item.ref or ""
                tables.add(ref.split(".", 1)[0] if "=" in ref else ref.split(" ", 1)[0])
                if on_progress and writer.count % 5000 == 0:
                    on_progress("parse", writer.count, None)
    except ParseError as exc:
        entry["problems"].append(str(exc))
    entry["messages"] = writer.count - before[0]
    entry["conversations"] = len(writer.conversations) - before[1]
    entry["tables"] = sorted(t for t in tables if t)
    return entry


def acquire(
    inputs: list[Path],
    out: Path,
    *,
    case: str,
    examiner: str,
    tz: ZoneInfo | None = None,
    tsa_url: str | None = None,
    custody: Custody | None = None,
    on_progress: ProgressFn | None = None,
) -> dict[str, Any]:
    """Copy the sources into a new evidence package at `out` (a folder, or a .zip), parse them, seal it.

    Returns the manifest. `custody(step, item, hashes, details)` is called for every copy, parse and
    the sealing, so the caller can write custody records in the audit log.
    """
    if not case.strip() or not examiner.strip():
        raise HeroesError(_("Name the case and the examiner."))
    if not inputs:
        raise HeroesError(_("Name at least one source file or folder."))
    as_zip = out.suffix.lower() == ".zip"
    if out.exists() and (as_zip or any(out.iterdir()) if out.is_dir() else True):
        raise HeroesError(_("{path} already exists; choose a new package name.").format(path=out))
    record = custody or (lambda *_: None)
    out.parent.mkdir(parents=True, exist_ok=True)
    created = not out.exists()
    try:
        return _acquire(inputs, out, as_zip, case, examiner, tz, tsa_url, record, on_progress)
    except BaseException:
        # Never leave a half-written package that could pass for a whole one; the sources are untouched.
        if created and out.is_dir():
            shutil.rmtree(out, ignore_errors=True)
        raise


def _acquire(
    inputs: list[Path],
    out: Path,
    as_zip: bool,
    case: str,
    examiner: str,
    tz: ZoneInfo | None,
    tsa_url: str | None,
    record: Custody,
    on_progress: ProgressFn | None,
) -> dict[str, Any]:
    started = _now()
    package_id = str(uuid.uuid4())
    with contextlib.ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="rima-", dir=out.parent))) if as_zip else out
        root.mkdir(parents=True, exist_ok=True)
        plan = list(sources.expand(inputs))
        hashes: dict[str, FileHashes] = {}
        files: list[dict[str, Any]] = []
        for i, (src, rel) in enumerate(plan, start=1):
            h = sources.copy_hashed(src, root / rel)
            hashes[rel] = h
            files.append({"path": rel, "source_path": str(src), "acquired_at": _now(), **h.as_dict()})
            record("acquire", rel, h, {"package": package_id, "source": str(src)})
            if on_progress:
                on_progress("copy", i, len(plan))
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="rima-work-")))
        # ZIP members are hashed and listed so attachments inside an export can be matched.
        expanded: list[tuple[dict[str, Any], Path, str]] = []
        for entry in files:
            path = root / entry["path"]
            if zipfile.is_zipfile(path):
                entry["members"] = []
                for name, extracted in sources.safe_extract(path, work / entry["path"]):
                    shown = f"{entry['path']}!/{name}"
                    mh = hash_file(extracted)
                    hashes[shown] = mh
                    entry["members"].append({"name": name, "size": mh.size, "md5": mh.md5, "sha256": mh.sha256})
                    expanded.append((entry, extracted, shown))
            else:
                expanded.append((entry, path, entry["path"]))
        writer = _Writer(root, tz, hashes)
        parsed: list[dict[str, Any]] = []
        try:
            for _entry, path, shown in expanded:
                if path.name.endswith(COMPANION_SUFFIXES):
                    continue  # read together with its database
                result = _parse_one(path, shown, writer, on_progress)
                if result["parser"] or result["problems"]:
                    parsed.append({"file": shown, **result})
                    record(
                        "parse",
                        shown,
                        None,
                        {"package": package_id, "parser": result["parser"], "messages": result["messages"]},
                    )
        finally:
            writer.close()
        conversations = [c.as_dict() for c in writer.conversations.values()]
        (root / CONVERSATIONS).write_text(json.dumps(conversations, ensure_ascii=False, indent=1), "utf-8")
        outputs = []
        for name in (MESSAGES, CONVERSATIONS):
            h = hash_file(root / name)
            outputs.append({"path": name, **h.as_dict()})
        unrecognised = [
            e["path"]
            for e in files
            if not e["path"].endswith(COMPANION_SUFFIXES)
            and "members" not in e
            and not any(p["file"] == e["path"] for p in parsed)
        ]
        manifest = {
            "format": FORMAT,
            "package_id": package_id,
            "case": case,
            "examiner": examiner,
            "tool": {"name": "heroes rima", "version": heroes.__version__},
            "started_at": started,
            "finished_at": _now(),
            "time_zone": str(tz) if tz else None,
            "messages": writer.count,
            "messages_with_local_time_only": writer.local_only,
            "conversations": len(conversations),
            "files": files,
            "parsed": parsed,
            "not_recognised": unrecognised,
            "outputs": outputs,
        }
        data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
        (root / MANIFEST).write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        (root / SEAL).write_text(f"{digest}  {MANIFEST}\n", "utf-8")
        from heroes.rima import timestamp

        stamp = timestamp.request(data, tsa_url)
        if stamp.token:
            (root / TOKEN).write_bytes(stamp.token)
        manifest["timestamp"] = stamp.as_dict()
        record(
            "seal",
            MANIFEST,
            hash_file(root / MANIFEST),
            {"package": package_id, "case": case, "timestamp": stamp.status},
        )
        if as_zip:
            _zip_folder(root, out)
    return manifest


def _zip_folder(root: Path, out: Path) -> None:
    partial = out.with_name(out.name + ".partial")
    with zipfile.ZipFile(partial, "x", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for f in sorted(p for p in root.rglob("*") if p.is_file()):
            zf.write(f, f.relative_to(root).as_posix())
    partial.rename(out)


# --- reading a package (folder or ZIP) ---


class Package:
    """Read access to a package folder or ZIP, member by member."""

    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise HeroesError(_("No such evidence package: {path}").format(path=path))
        self.path = path
        self.zip: zipfile.ZipFile | None = None
        if path.is_file():
            try:
                self.zip = zipfile.ZipFile(path)
            except zipfile.BadZipFile:
                raise HeroesError(
                    _("{path} is neither a package folder nor a package ZIP.").format(path=path)
                ) from None
        if not self.exists(MANIFEST):
            raise HeroesError(_("{path} has no manifest.json; it is not an evidence package.").format(path=path))

    def names(self) -> list[str]:
        if self.zip is not None:
            return [i.filename for i in self.zip.infolist() if not i.is_dir()]
        return [p.relative_to(self.path).as_posix() for p in self.path.rglob("*") if p.is_file()]

    def exists(self, name: str) -> bool:
        if self.zip is not None:
            return name in self.zip.NameToInfo
        return (self.path / name).is_file()

    @contextlib.contextmanager
    def open(self, name: str) -> Iterator[IO[bytes]]:
        if self.zip is not None:
            with self.zip.open(name) as handle:
                yield handle
        else:
            with open(self.path / name, "rb") as handle:
                yield handle

    def read_bytes(self, name: str) -> bytes:
        with self.open(name) as handle:
            return handle.read()

    def manifest(self) -> dict[str, Any]:
        try:
            value: dict[str, Any] = json_loads(self.read_bytes(MANIFEST))
        except (ValueError, UnicodeDecodeError) as exc:
            raise HeroesError(_("manifest.json is not valid JSON ({error}).").format(error=exc)) from None
        return value

    def conversations(self) -> list[dict[str, Any]]:
        value: list[dict[str, Any]] = json_loads(self.read_bytes(CONVERSATIONS))
        return value

    def messages(self) -> Iterator[dict[str, Any]]:
        with self.open(MESSAGES) as raw:
            for line in io.TextIOWrapper(raw, encoding="utf-8"):
                if line.strip():
                    yield json_loads(line)

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class Verification:
    ok: bool
    checked: int
    changed: list[str]
    missing: list[str]
    unexpected: list[str]
    manifest_sha256: str
    package_id: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def verify(path: Path, expected_manifest_sha256: str | None = None) -> Verification:
    """Recompute every hash in the package and name each file that changed, went missing or appeared.

    The manifest itself is checked against its seal file and, when given, the hash kept in the
    custody record (which a forger editing both files cannot change).
    """
    with Package(path) as pkg:
        data = pkg.read_bytes(MANIFEST)
        digest = hashlib.sha256(data).hexdigest()
        changed: list[str] = []
        missing: list[str] = []
        seal = pkg.read_bytes(SEAL).decode("utf-8", "replace").split()[:1] if pkg.exists(SEAL) else []
        if seal != [digest] or (expected_manifest_sha256 and expected_manifest_sha256 != digest):
            changed.append(MANIFEST)
        manifest = pkg.manifest()
        listed = [*manifest.get("files", []), *manifest.get("outputs", [])]
        for entry in listed:
            name = entry["path"]
            if not pkg.exists(name):
                missing.append(name)
                continue
            with pkg.open(name) as handle:
                got = _hash_stream(handle)
            if got != (entry.get("size"), entry.get("md5"), entry.get("sha256")):
                changed.append(name)
        known = {e["path"] for e in listed} | {MANIFEST, SEAL, TOKEN}
        unexpected = sorted(n for n in pkg.names() if n not in known)
        return Verification(
            not (changed or missing or unexpected),
            len(listed) + 1,
            changed,
            missing,
            unexpected,
            digest,
            str(manifest.get("package_id", "")),
        )


def _hash_stream(handle: IO[bytes]) -> tuple[int, str, str]:
    md5, sha = hashlib.md5(usedforsecurity=False), hashlib.sha256()
    size = 0
    while chunk := handle.read(sources.CHUNK):
        size += len(chunk)
        md5.update(chunk)
        sha.update(chunk)
    return size, md5.hexdigest(), sha.hexdigest()


def copy_package(path: Path, dest: Path) -> None:
    """Copy a package folder or ZIP (used by the web app to keep uploads under the data folder)."""
    if path.is_dir():
        shutil.copytree(path, dest)
    else:
        shutil.copyfile(path, dest)
