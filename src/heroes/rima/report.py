"""Reports from an evidence package: HTML and PDF transcripts, CSV and JSONL exports.

Every message line carries its package id (M0000001...), which `messages.jsonl` and the manifest
tie back to the original file and the table row or line it came from.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from heroes.core.errors import HeroesError
from heroes.core.i18n import gettext as _
from heroes.rima.package import Package, Verification, verify

CSV_FIELDS = [
    "id",
    "conversation",
    "conversation_title",
    "app",
    "time",
    "time_local",
    "utc_offset_minutes",
    "sender",
    "sender_id",
    "from_me",
    "text",
    "attachments",
    "reply_to",
    "edited",
    "deleted",
    "system",
    "source_file",
    "source_ref",
]
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FORMATS = (".html", ".pdf", ".csv", ".jsonl")


def report_data(path: Path, grooming: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Everything a report shows, messages grouped by conversation in time order."""
    check = verify(path)
    with Package(path) as pkg:
        manifest = pkg.manifest()
        conversations = pkg.conversations()
        by_conv: dict[str, list[dict[str, Any]]] = {c["id"]: [] for c in conversations}
        for m in pkg.messages():
            by_conv.setdefault(m["conversation"], []).append(m)
    for msgs in by_conv.values():
        msgs.sort(key=lambda m: (m["time"] or m["time_local"] or "", m["id"]))
    return {
        "manifest": manifest,
        "verification": check,
        "conversations": [{**c, "transcript": by_conv.get(c["id"], [])} for c in conversations],
        "grooming": grooming or [],
    }


def write(path: Path, out: Path, grooming: list[dict[str, Any]] | None = None) -> Path:
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise HeroesError(_("Report format must be one of: {formats}").format(formats=", ".join(FORMATS)))
    if suffix == ".csv":
        with Package(path) as pkg:
            write_csv(pkg.messages(), out)
    elif suffix == ".jsonl":
        with Package(path) as pkg, open(out, "w", encoding="utf-8") as handle:
            for m in pkg.messages():
                handle.write(json.dumps(m, ensure_ascii=False) + "\n")
    elif suffix == ".html":
        out.write_text(html(report_data(path, grooming)), encoding="utf-8")
    else:
        out.write_bytes(pdf(report_data(path, grooming)))
    return out


def write_csv(messages: Iterable[dict[str, Any]], out: Path) -> None:
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
        for m in messages:
            row = dict(m)
            row["attachments"] = "; ".join(
                f"{a.get('name', '')}" + (f" sha256:{a['sha256']}" if a.get("sha256") else "") for a in m["attachments"]
            )
            # A cell starting with = + - @ would run as a formula in a spreadsheet.
            for key in ("text", "sender", "conversation_title", "attachments"):
                if isinstance(row.get(key), str) and row[key][:1] in ("=", "+", "-", "@"):
                    row[key] = "'" + row[key]
            writer.writerow(row)


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["_"] = _
    return env


def html(data: dict[str, Any]) -> str:
    return _env().get_template("rima/report_document.html").render(**data)


def _verification_line(check: Verification) -> str:
    if check.ok:
        return _("Verified: every hash in the manifest matches ({n} files).").format(n=check.checked)
    problems = [*check.changed, *check.missing, *check.unexpected]
    return _("NOT VERIFIED: changed, missing or unexpected files: {files}").format(files=", ".join(problems))


def pdf(data: dict[str, Any]) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if not regular.is_file():
        raise HeroesError(_("PDF reports need the DejaVu fonts (Debian package fonts-dejavu-core)."))
    manifest = data["manifest"]
    doc = FPDF(format="A4")
    doc.add_font("DejaVu", "", str(regular))
    doc.add_font("DejaVu", "B", str(bold))
    try:
        import uharfbuzz  # noqa: F401 - shaping joins Arabic letters and orders right-to-left text

        doc.set_text_shaping(True)
    except ImportError:  # pragma: no cover - uharfbuzz is a dependency
        pass
    doc.set_auto_page_break(auto=True, margin=15)
    doc.set_margins(14, 14, 14)
    doc.add_page()

    def line(text: str, size: float = 9, style: str = "", h: float = 4.5) -> None:
        doc.set_font("DejaVu", style, size)
        doc.multi_cell(0, h, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    line(_("Chat evidence report"), 15, "B", 8)
    line(f"{_('Case')}: {manifest['case']}    {_('Examiner')}: {manifest['examiner']}")
    tool = manifest["tool"]
    line(f"{_('Package')}: {manifest['package_id']}    {_('Tool')}: {tool['name']} {tool['version']}")
    line(f"{_('Acquired')}: {manifest['started_at']} - {manifest['finished_at']}")
    line(f"{_('Manifest SHA-256')}: {data['verification'].manifest_sha256}")
    line(_verification_line(data["verification"]), 9, "B")
    doc.ln(2)
    line(_("Files"), 12, "B", 7)
    for f in manifest["files"]:
        line(f"{f['path']}  ({f['size']} B)  SHA-256 {f['sha256']}  MD5 {f['md5']}", 7, h=3.6)
    for p in manifest["parsed"]:
        tables = ", ".join(p["tables"])
        line(f"{p['file']}: {p['parser']} - {p['messages']} {_('messages')} [{tables}]", 8)
        for problem in p["problems"]:
            line(f"  ! {problem}", 8)
    if data["grooming"]:
        doc.ln(2)
        line(_("Grooming analysis"), 12, "B", 7)
        for g in data["grooming"]:
            line(f"{g['title']} ({g['app']}): {_('score')} {g['score']:.2f}, {_('level')} {g['level']}", 9, "B")
            for st in g["stages"]:
                ids = ", ".join(str(e.get("message_id", "")) for e in st["evidence"])
                line(f"  {st['name']}: {ids}", 8)
            for w in g.get("warnings", []):
                line(f"  ! {w}", 8)
    for c in data["conversations"]:
        doc.add_page()
        line(f"{c['title']} [{c['app']}] ({c['id']})", 12, "B", 7)
        people = ", ".join(p.get("name") or p.get("identifier", "") for p in c["participants"])
        line(f"{_('Participants')}: {people}", 8)
        line(
            f"{_('Messages')}: {c['messages']}   {_('First')}: {c['first_message']}   {_('Last')}: {c['last_message']}",
            8,
        )
        line(f"{_('Source')}: {c['source_file']} {c['source_ref']}", 8)
        doc.ln(1)
        for m in c["transcript"]:
            when = m["time"] or f"{m['time_local']} ({_('local time')})"
            flags = "".join(
                f" [{label}]"
                for key, label in (("deleted", _("deleted")), ("edited", _("edited")), ("system", _("system")))
                if m[key]
            )
            line(f"{m['id']}  {when}  {m['sender']}{flags}", 7, "B", 3.6)
            if m["text"]:
                line(m["text"], 9)
            for a in m["attachments"]:
                line(f"  [{_('attachment')}] {a.get('name', '')} {a.get('sha256', '')}", 7, h=3.6)
    return bytes(doc.output())
