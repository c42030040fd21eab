"""Hash lists: the known-file lists law-enforcement bodies exchange, read into one shape.

Each list format is one small importer class registered in ``IMPORTERS``. An importer turns
a file into ``HashEntry`` rows and ``RowError``s (with the line they came from); a broken row
is reported and skipped, it never stops the import.
"""

from __future__ import annotations

import csv
import io
import json
import json.scanner
from abc import ABC, abstractmethod
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from heroes.media.hashers import HASHERS, HashError, get_hasher
from heroes.text import JsonTooDeep, check_json_depth


class ListFormatError(ValueError):
    """The file as a whole cannot be read as the requested list format."""


@dataclass
class HashEntry:
    hash_type: str
    value: str
    category: str = ""
    label: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    line: int = 0


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class HashList:
    name: str
    entries: list[HashEntry] = field(default_factory=list)
    ignore: bool = False  # known-innocent files: a hit suppresses matches
    format: str = ""
    errors: list[RowError] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for e in self.entries:
            out[e.hash_type] = out.get(e.hash_type, 0) + 1
        return out


Row = HashEntry | RowError


def make_entry(hash_type: str, value: str, line: int, **kw: Any) -> Row:
    """Validate one value through its hasher; a bad one becomes a RowError, not an exception."""
    try:
        hasher = get_hasher(hash_type)
        return HashEntry(hasher.name, hasher.normalize(value), line=line, **kw)
    except HashError as exc:
        return RowError(line, str(exc))


class Importer(ABC):
    name: ClassVar[str]
    description: ClassVar[str]

    @abstractmethod
    def sniff(self, head: str) -> bool:
        """Whether the first few KB of text look like this format."""

    @abstractmethod
    def parse(self, text: str) -> Iterator[Row]: ...


IMPORTERS: dict[str, Importer] = {}


class DuplicateImporter(RuntimeError):
    """Two list formats registered under one name."""


def register(cls: type[Importer]) -> type[Importer]:
    if cls.name in IMPORTERS:
        raise DuplicateImporter(f"A hash-list format named {cls.name!r} is already registered.")
    IMPORTERS[cls.name] = cls()
    return cls


def _norm_header(cell: str) -> str:
    return " ".join(cell.replace("_", " ").replace("-", " ").strip().lower().split())


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) for every non-blank row; line numbers are 1-based physical lines."""
    reader = csv.reader(io.StringIO(text))
    start = 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells) and not cells[0].lstrip().startswith("#"):
                yield start, cells
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ListFormatError(f"line {reader.line_num}: {exc}") from None


@register
class PlainCsvImporter(Importer):
    """``hash_type,hash,category[,label]``; an optional header row starting ``hash_type``."""

    name = "csv"
    description = "hash_type,hash,category[,label]"

    def sniff(self, head: str) -> bool:
        first = head.lstrip("\ufeff").split("\n", 1)[0].strip().lower()
        if first.startswith("hash_type"):
            return True
        kind = first.split(",", 1)[0].strip()
        return kind in HASHERS

    def parse(self, text: str) -> Iterator[Row]:
        for line, cells in _csv_rows(text.lstrip("\ufeff")):
            if cells[0].strip().lower() == "hash_type":
                continue
            if len(cells) < 3 or len(cells) > 4:
                yield RowError(line, f"expected 3 or 4 columns, found {len(cells)}")
                continue
            label = cells[3].strip() if len(cells) == 4 else ""
            yield make_entry(cells[0], cells[1], line, category=cells[2].strip(), label=label)


class HeaderCsvImporter(Importer):
    """CSV whose header names the columns; each hash column present yields one entry."""

    hash_columns: ClassVar[dict[str, str]] = {
        "md5": "md5",
        "md5 hash": "md5",
        "sha1": "sha1",
        "sha 1": "sha1",
        "sha1 hash": "sha1",
        "sha256": "sha256",
        "sha 256": "sha256",
        "pdq": "pdq",
        "pdq hash": "pdq",
    }
    category_columns: ClassVar[tuple[str, ...]]
    label_columns: ClassVar[tuple[str, ...]]
    marker_columns: ClassVar[tuple[str, ...]]  # header names that identify the format

    def _header(self, text: str) -> list[str]:
        first = text.lstrip("\ufeff").split("\n", 1)[0]
        return [_norm_header(c) for c in next(csv.reader([first]), [])]

    def sniff(self, head: str) -> bool:
        header = self._header(head)
        return any(m in header for m in self.marker_columns) and any(c in self.hash_columns for c in header)

    def parse(self, text: str) -> Iterator[Row]:
        rows = _csv_rows(text.lstrip("\ufeff"))
        try:
            _, raw_header = next(rows)
        except StopIteration:
            return
        header = [_norm_header(c) for c in raw_header]
        hash_cols = [(i, self.hash_columns[h]) for i, h in enumerate(header) if h in self.hash_columns]
        if not hash_cols:
            raise ListFormatError(f"{self.name}: the header names no hash column (md5, sha1 ...)")
        cat_col = _first_index(header, self.category_columns)
        label_col = _first_index(header, self.label_columns)
        for line, cells in rows:
            if len(cells) != len(header):
                yield RowError(line, f"expected {len(header)} columns, found {len(cells)}")
                continue
            meta = {
                raw_header[i].strip(): v.strip()
                for i, v in enumerate(cells)
                if v.strip() and i not in {c for c, _ in hash_cols}
            }
            category = cells[cat_col].strip() if cat_col is not None else ""
            label = cells[label_col].strip() if label_col is not None else ""
            found = False
            for col, kind in hash_cols:
                if cells[col].strip():
                    found = True
                    yield make_entry(
                        kind,
                        cells[col],
                        line,
                        category=category,
                        label=label,
                        metadata=meta,
                    )
            if not found:
                yield RowError(line, "no hash value in this row")


def _first_index(header: list[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        if name in header:
            return header.index(name)
    return None


@register
class CaidCsvImporter(HeaderCsvImporter):
    """CAID-style export: MD5/SHA1[/PDQ] columns with a category (A, B, C, non-indecent)."""

    name = "caid"
    description = "CAID-style CSV (header: MD5, SHA1, Category or Grade, ID)"
    category_columns = ("category", "grade", "caid category", "severity")
    label_columns = ("caid id", "caidid", "image id", "id")
    marker_columns = ("caid id", "caidid", "grade", "caid category")


@register
class NcmecCsvImporter(HeaderCsvImporter):
    """NCMEC-style hash sharing export: hash columns with a classification (A1, A2, B1, B2)."""

    name = "ncmec"
    description = "NCMEC-style CSV (header: MD5, SHA1, PDQ, Classification, Hash ID)"
    category_columns = ("classification", "ncmec classification", "category")
    label_columns = ("hash id", "ncmec id", "ncmec hash id", "id")
    marker_columns = (
        "classification",
        "ncmec classification",
        "ncmec id",
        "ncmec hash id",
    )


class _PositionDecoder(json.JSONDecoder):
    """json decoder that remembers where each object starts, to report rows by line."""

    def __init__(self) -> None:
        super().__init__()
        self.positions: dict[int, int] = {}
        plain_parse_object: Any = getattr(json.decoder, "JSONObject")  # noqa: B009

        def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[Any, int]:
            obj, end = plain_parse_object(s_and_end, *args)
            self.positions[id(obj)] = s_and_end[1] - 1
            return obj, end

        self.parse_object = parse_object
        # The C scanner ignores parse_object; the Python one honours it.
        self.scan_once = getattr(json.scanner, "py_make_scanner")(self)  # noqa: B009


@register
class VicsJsonImporter(Importer):
    """Project VIC VICS JSON, 1.x (``odata.metadata``) and 2.0 (``@odata.context``).

    ``value`` holds either cases carrying a ``Media`` array or the media themselves.
    MD5 and SHA1 become entries; Category, MediaID, Series and VictimIdentified are kept
    as category/label/metadata, and every other scalar field as metadata.
    """

    name = "vics"
    description = "Project VIC VICS JSON 1.x / 2.0"
    _KEPT = (
        "MediaID",
        "Series",
        "VictimIdentified",
        "OffenderIdentified",
        "IsDistributed",
    )

    def sniff(self, head: str) -> bool:
        return head.lstrip("\ufeff \r\n\t").startswith("{") and (
            "odata.metadata" in head or "odata.context" in head or "ProjectVic" in head
        )

    def parse(self, text: str) -> Iterator[Row]:
        decoder = _PositionDecoder()
        text = text.lstrip("\ufeff")
        try:
            check_json_depth(text)  # the position-keeping decoder is pure Python: it must never meet 100,000 levels
            doc = decoder.decode(text)
        except JsonTooDeep as exc:
            raise ListFormatError(f"VICS JSON {exc}") from None
        except json.JSONDecodeError as exc:
            raise ListFormatError(f"line {exc.lineno}: not valid JSON: {exc.msg}") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("value"), list):
            raise ListFormatError("VICS JSON needs a top-level object with a 'value' array")
        newlines = [i for i, ch in enumerate(text) if ch == "\n"]

        def line_of(obj: object) -> int:
            return bisect_right(newlines, decoder.positions.get(id(obj), 0)) + 1

        for item in doc["value"]:
            if isinstance(item, dict) and isinstance(item.get("Media"), list):
                media: Iterable[Any] = item["Media"]
            else:
                media = [item]
            for m in media:
                yield from self._media(m, line_of(m))

    def _media(self, m: Any, line: int) -> Iterator[Row]:
        if not isinstance(m, dict):
            yield RowError(line, "a Media item must be a JSON object")
            return
        category = m.get("Category")
        meta = {
            k: v
            for k, v in m.items()
            if k not in {"MD5", "SHA1", "SHA256", "Category"} and (v is None or isinstance(v, str | int | float | bool))
        }
        label = str(m.get("MediaID", "")) if m.get("MediaID") is not None else ""
        kw: dict[str, Any] = {
            "category": "" if category is None else str(category),
            "label": label,
            "metadata": meta,
        }
        found = False
        for key, kind in (("MD5", "md5"), ("SHA1", "sha1"), ("SHA256", "sha256")):
            value = m.get(key)
            if value:
                found = True
                yield make_entry(kind, str(value), line, **kw)
        if not found:
            yield RowError(line, "Media item without MD5 or SHA1")


def detect_format(head: str) -> Importer:
    for importer in IMPORTERS.values():
        if importer.sniff(head):
            return importer
    names = ", ".join(IMPORTERS)
    raise ListFormatError(f"cannot tell the list format; name it with --format ({names})")


class NotText(ListFormatError):
    """The file is neither UTF-8 nor UTF-16 text."""


def decode_text(data: bytes, name: str = "the list") -> str:
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise NotText(f"{name}: not UTF-8 or UTF-16 text")


def read_text(path: Path) -> str:
    return decode_text(path.read_bytes(), path.name)


def parse_upload(data: str | bytes, name: str, fmt: str | None = None, ignore: bool = False) -> HashList:
    """Decode (when given bytes) and parse a list. A module-level function so that the web can run it
    in a budgeted worker process (heroes.core.workers): a list of millions of rows is CPU work."""
    text = data if isinstance(data, str) else decode_text(data)
    return parse_list(text, name, fmt, ignore)


def parse_list(text: str, name: str, fmt: str | None = None, ignore: bool = False) -> HashList:
    if fmt:
        try:
            importer = IMPORTERS[fmt.lower()]
        except KeyError:
            raise ListFormatError(f"unknown list format {fmt!r}; known: {', '.join(IMPORTERS)}") from None
    else:
        importer = detect_format(text[:4096])
    result = HashList(name=name, ignore=ignore, format=importer.name)
    for row in importer.parse(text):
        if isinstance(row, RowError):
            result.errors.append(row)
        else:
            result.entries.append(row)
    return result


def load_list(
    path: str | Path,
    name: str | None = None,
    fmt: str | None = None,
    ignore: bool = False,
) -> HashList:
    p = Path(path)
    try:
        text = read_text(p)
    except OSError as exc:
        raise ListFormatError(f"cannot read hash list {p}: {exc.strerror}") from None
    return parse_list(text, name or p.stem, fmt, ignore)
