"""Case report (PDF with fpdf2, or HTML) of the tagged items; matched media by hash and path only."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from heroes.core.auth import Principal
from heroes.core.i18n import gettext as _
from heroes.fca import engine
from heroes.fca.access import CaseRef


def _lines(session: Session, ref: CaseRef, viewer: Principal) -> tuple[str, list[tuple[str, list[str]]]]:
    case = engine.get_case(session, ref, viewer=viewer, action="report")
    summary = engine.case_summary(session, case, viewer=viewer)
    title = _("Case report: {case}").format(case=case.name)
    blocks: list[tuple[str, list[str]]] = [
        (_("Case"), [_("{items} items ({deleted} deleted), {entities} entities").format(**summary)]),
    ]
    for src in engine.sources(session, case, viewer=viewer):
        intake: dict[str, Any] = src["hashes_intake"] or {}
        sha = next(iter(intake.values()))["sha256"] if intake else "-"
        blocks.append((_("Source"), [src["path"], f"{src['kind']} {src['status']} sha256 {sha}"]))
    for item, tags in engine.tagged(session, case, viewer=viewer):
        lines = [f"{_('Path')}: {item['path']}", f"MD5 {item['md5']}", f"SHA-256 {item['sha256']}",
                 f"{_('Tags')}: {', '.join(tags)}"]  # fmt: skip
        if item["deleted"]:
            lines.append(_("Deleted file"))
        if item["matches"]:
            lines.append(_("Matched hash list: {lists}").format(lists=", ".join(m["list"] for m in item["matches"])))
        blocks.append((_("Tagged item"), lines))
    return title, blocks


def write(session: Session, case: CaseRef, out: Path, *, viewer: Principal) -> None:
    """Write the report of a case the viewer may see (the read audited as fca.report)."""
    title, blocks = _lines(session, case, viewer)
    if out.suffix.lower() in (".html", ".htm"):
        body = "".join(
            f"<h2>{html.escape(h)}</h2><ul>{''.join(f'<li>{html.escape(x)}</li>' for x in lines)}</ul>"
            for h, lines in blocks
        )
        out.write_text(f"<!doctype html><meta charset=utf-8><title>{html.escape(title)}</title>"
                       f"<h1>{html.escape(title)}</h1>{body}", encoding="utf-8")  # fmt: skip
    else:
        out.write_bytes(pdf_bytes(title, blocks))


def pdf_bytes(title: str, blocks: list[tuple[str, list[str]]]) -> bytes:
    from fpdf import FPDF

    pdf: Any = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", "B", 14)

    def safe(s: str) -> str:
        return s.encode("latin-1", "replace").decode("latin-1")

    pdf.multi_cell(0, 8, safe(title), new_x="LMARGIN", new_y="NEXT")
    for heading, lines in blocks:
        pdf.set_font("helvetica", "B", 11)
        pdf.multi_cell(0, 7, safe(heading), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", "", 9)
        for line in lines:
            pdf.multi_cell(0, 5, safe(line), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
