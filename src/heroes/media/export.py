"""Export scan results as Project VIC VICS 2.0 JSON, for other forensic tools.

One ``Media`` per distinct file content (by MD5), with every path it was found at under
``MediaFiles``. Only hashes, sizes and paths leave the tool; never the files.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

VICS_CONTEXT = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/CUSTOM/$metadata#Media"
UNCATEGORIZED = 0


def _vics_category(matches: list[dict[str, Any]]) -> int:
    """VICS categories are integers; a list whose category is not one stays uncategorized."""
    for m in matches:
        if str(m.get("category", "")).strip().isdigit():
            return int(str(m["category"]).strip())
    return UNCATEGORIZED


def to_vics(rows: Iterable[dict[str, Any]], matched_only: bool = True) -> dict[str, Any]:
    media: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row.get("error") and not row.get("md5"):
            continue
        matches = row.get("matches") or []
        if matched_only and not matches:
            continue
        key = row.get("md5") or row["path"]
        entry = media.get(key)
        if entry is None:
            entry = {
                "MediaID": len(media) + 1,
                "Category": _vics_category(matches),
                "MD5": (row.get("md5") or "").upper(),
                "SHA1": (row.get("sha1") or "").upper(),
                "MediaSize": row.get("size"),
                "IsPrecategorized": bool(matches),
                "MediaFiles": [],
                "Comments": "; ".join(sorted({f"{m['list']}:{m['category']}:{m['hash_type']}" for m in matches})),
            }
            if row.get("pdq"):
                entry["PDQ"] = row["pdq"]  # not in the VICS schema; tools ignore unknown keys
            media[key] = entry
        entry["MediaFiles"].append(
            {
                "FileName": row["path"].replace("\\", "/").rsplit("/", 1)[-1],
                "FilePath": row["path"],
                "MD5": (row.get("md5") or "").upper(),
            }
        )
    return {"@odata.context": VICS_CONTEXT, "value": list(media.values())}


def write_vics(rows: Iterable[dict[str, Any]], out: str, matched_only: bool = True) -> int:
    doc = to_vics(rows, matched_only)
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1, ensure_ascii=False)
    return len(doc["value"])
