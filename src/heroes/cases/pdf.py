"""Printable case summary and referral letter (PDF, in English or Spanish), from what the viewer may see.

Both are built from `engine.case_view`, so a PDF never shows a field the reader's role cannot see.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from heroes.core import i18n
from heroes.core.i18n import gettext as _
from heroes.screening.api import unicode_font

from . import labels


class _Document(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.add_font("DejaVu", "", str(unicode_font()))
        self.add_font("DejaVu", "B", str(unicode_font(bold=True)))
        self.set_title(title)
        self.set_auto_page_break(auto=True, margin=15)
        self.add_page()
        self.set_font("DejaVu", "B", 15)
        self.multi_cell(0, 8, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("DejaVu", "", 9)
        self.multi_cell(
            0,
            5,
            _("Confidential: personal data shared under consent. Do not copy or forward."),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.ln(2)

    def heading(self, text: str) -> None:
        self.ln(2)
        self.set_font("DejaVu", "B", 12)
        self.multi_cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("DejaVu", "", 10)

    def field(self, label: str, value: Any) -> None:
        self.set_font("DejaVu", "B", 10)
        self.multi_cell(0, 5.5, f"{label}:", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("DejaVu", "", 10)
        self.multi_cell(0, 5.5, str(value) if value not in (None, "") else "-", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def bullets(self, items: Iterable[str]) -> None:
        self.set_font("DejaVu", "", 10)
        for item in items:
            self.multi_cell(0, 5.5, f"• {item}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _person_lines(doc: _Document, view: dict[str, Any]) -> None:
    doc.field(_("Pseudonym"), view.get("pseudonym"))
    if "child" in view:
        doc.field(_("Age group"), _("child") if view["child"] else _("adult"))
    if "languages" in view:
        doc.field(_("Languages"), ", ".join(view["languages"]))
    if "exploitation" in view:
        doc.field(_("Form of exploitation"), ", ".join(labels.form(f) for f in view["exploitation"]))
    if "risk" in view:
        doc.field(_("Risk level"), labels.risk(view["risk"]))
    if "status" in view:
        doc.field(_("Status"), labels.status(view["status"]))
    if view.get("identity"):
        identity = view["identity"]
        doc.field(_("Legal name"), identity.get("legal_name"))
        doc.field(_("Date of birth"), identity.get("date_of_birth"))
        doc.field(_("Nationality"), identity.get("nationality"))


def case_summary_pdf(view: dict[str, Any], lang: str) -> bytes:
    with i18n.language(lang):
        doc = _Document(_("Case summary %(id)s", id=view["id"]))
        doc.field(_("Organisation"), view["organisation"]["name"])
        doc.field(_("Printed on"), date.today().isoformat())
        doc.heading(_("Person"))
        _person_lines(doc, view)
        if "summary" in view:
            doc.field(_("Situation"), view["summary"])
        if "interview_tally" in view:
            tally = view["interview_tally"]
            doc.heading(_("Interviews"))
            doc.field(_("Times interviewed"), tally["count"])
            doc.bullets(f"{name}: {count}" for name, count in tally["by"].items())
        if "plan" in view:
            doc.heading(_("Service plan"))
            doc.bullets(
                f"{labels.need(item['need'])}: {item['text']}"
                + (f" ({item['owner']}, {item['due']})" if item["kind"] == "action" else "")
                + (f" [{_('done')}]" if item["done"] else "")
                for item in view["plan"]
            )
        if "consents" in view:
            doc.heading(_("Consent"))
            doc.bullets(
                f"{labels.purpose(c['purpose'])} {c['organisation'] or ''}: {labels.giver(c['given_by'])}, "
                f"{labels.method(c['method'])}, {c['given_at'][:10]}"
                + (f" - {_('withdrawn')} {c['withdrawn_at'][:10]}" if c["withdrawn_at"] else "")
                for c in view["consents"]
            )
        return bytes(doc.output())


def referral_letter_pdf(view: dict[str, Any], referral: dict[str, Any], lang: str) -> bytes:
    """The letter to the receiving organisation: only the fields the referral shares."""
    with i18n.language(lang):
        doc = _Document(_("Referral letter"))
        doc.field(_("From"), referral["from"])
        doc.field(_("To"), referral["to"])
        doc.field(_("Date"), referral["created_at"][:10])
        if referral["deadline"]:
            doc.field(_("Please answer by"), referral["deadline"])
        doc.heading(_("Why we refer"))
        if referral["needs"]:
            doc.field(_("Needs"), ", ".join(labels.need(n) for n in referral["needs"]))
        if referral["message"]:
            doc.multi_cell(0, 5.5, referral["message"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        doc.heading(_("Person"))
        shared = {k: v for k, v in view.items() if k in referral["fields"] or k in ("id", "organisation")}
        _person_lines(doc, shared)
        doc.heading(_("Consent"))
        doc.multi_cell(
            0,
            5.5,
            _(
                "The person (or, for a child, their guardian or a best-interest determination) agreed to share "
                "these details with your organisation. Consent can be withdrawn at any time; please do not ask "
                "the person to repeat their story: the recorded interview can be read with consent."
            ),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        return bytes(doc.output())
