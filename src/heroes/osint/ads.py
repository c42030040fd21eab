"""Ad records and reading them from JSON Lines, with clear errors by line."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from heroes.core.errors import HeroesError
from heroes.core.i18n import gettext as _


class BadInput(HeroesError):
    """An input file that cannot be read as ads; the message names the file and line."""


@dataclass(frozen=True)
class Ad:
    id: str
    title: str = ""
    location: str = ""
    age: int | None = None
    text: str = ""
    price: str = ""
    posted: str = ""
    image_hashes: tuple[str, ...] = field(default_factory=tuple)  # PDQ, 64 hex digits each
    images: tuple[str, ...] = field(default_factory=tuple)  # local picture files, hashed when linking

    @property
    def body(self) -> str:
        return f"{self.title}\n{self.text}"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "location": self.location,
            "age": self.age,
            "text": self.text,
            "price": self.price,
            "posted": self.posted,
            "image_hashes": list(self.image_hashes),
            "images": list(self.images),
        }


def _age(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def ad_from_mapping(row: dict[str, Any], where: str) -> Ad:
    if not isinstance(row, dict):
        raise BadInput(_("%(w)s: expected a JSON object for one ad.", w=where))
    ad_id = row.get("id")
    if ad_id is None or str(ad_id).strip() == "":
        raise BadInput(_('%(w)s: the ad has no "id".', w=where))
    hashes = row.get("image_hashes") or ()
    if isinstance(hashes, str) or not all(isinstance(h, str) for h in hashes):
        raise BadInput(_('%(w)s: "image_hashes" must be a list of hexadecimal strings.', w=where))
    images = row.get("images") or ()
    if isinstance(images, str) or not all(isinstance(i, str) for i in images):
        raise BadInput(_('%(w)s: "images" must be a list of file paths.', w=where))
    return Ad(
        id=str(ad_id),
        title=str(row.get("title") or ""),
        location=str(row.get("location") or ""),
        age=_age(row.get("age")),
        text=str(row.get("text") or ""),
        price=str(row.get("price") or ""),
        posted=str(row.get("posted") or ""),
        image_hashes=tuple(h.lower() for h in hashes),
        images=tuple(images),
    )


def parse_jsonl(lines: Iterable[str], source: str = "<input>", base: Path | None = None) -> Iterator[Ad]:
    """Ads of a JSON Lines text; relative ``images`` paths are taken from ``base``."""
    seen: set[str] = set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = _("%(f)s line %(n)d", f=source, n=number)
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadInput(_("%(w)s: not valid JSON (%(e)s).", w=where, e=exc.msg)) from exc
        ad = ad_from_mapping(row, where)
        if base is not None and ad.images:
            ad = replace(ad, images=tuple(str(base / p) for p in ad.images))
        if ad.id in seen:
            raise BadInput(_("%(w)s: the id %(id)s was already used by an earlier ad.", w=where, id=ad.id))
        seen.add(ad.id)
        yield ad


def read_jsonl(path: Path) -> list[Ad]:
    if not path.is_file():
        raise BadInput(_("%(f)s does not exist.", f=str(path)))
    with path.open(encoding="utf-8", errors="replace") as handle:
        return list(parse_jsonl(handle, str(path), path.parent))


def write_jsonl(rows: Iterable[dict[str, Any]], path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count
