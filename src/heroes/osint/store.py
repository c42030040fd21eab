"""Collections of ads kept as JSON Lines under the data folder, filled by imports of WARC captures,
CSV/JSONL files and folders of saved pages. Bad input is refused with its file and line; an import
either adds all its ads or none.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from heroes.core.i18n import gettext as _
from heroes.core.settings import get_settings
from heroes.osint.adapters import extract_ads
from heroes.osint.ads import Ad, BadInput, ad_from_mapping, parse_jsonl

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def collections_dir() -> Path:
    return get_settings().data_dir / "osint" / "collections"


def collection_path(name: str) -> Path:
    if not NAME.match(name):
        raise BadInput(_("A collection name uses letters, digits, '.', '_' and '-' only: %(n)s", n=name))
    return collections_dir() / f"{name}.jsonl"


def list_collections() -> list[str]:
    folder = collections_dir()
    return sorted(p.stem for p in folder.glob("*.jsonl")) if folder.is_dir() else []


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


def import_files(paths: list[Path], collection: str) -> ImportSummary:
    """Read every file first (any error stops before anything is stored), then append new ads."""
    target = collection_path(collection)
    summary = ImportSummary(collection)
    incoming: list[Ad] = []
    for path in paths:
        ads = read_any(path)
        summary.per_file[str(path)] = len(ads)
        incoming += ads
    known = {ad.id for ad in load_collection(collection)} if target.is_file() else set()
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("a", encoding="utf-8") as handle:
        for ad in incoming:
            if ad.id in known:
                summary.already += 1
                continue
            known.add(ad.id)
            handle.write(json.dumps(ad.to_json(), ensure_ascii=False) + "\n")
            summary.added += 1
    return summary
