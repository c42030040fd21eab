"""The referral note: what was observed and what to do, as a printable structure and a PDF.

Built on request from an assessment and returned to the professional; nothing is stored. No
names appear unless the professional types them in (the `person` and `notes` fields).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from .content import Content, get_content
from .engine import Assessment, Step

FONT_DIR = Path(__file__).parent / "fonts"
MAX_FREE_TEXT = 2000


@dataclass(frozen=True)
class NoteExtras:
    """What only the professional can add; empty by default so the note names nobody."""

    person: str = ""  # a name or reference, only if the professional chooses to add one
    notes: str = ""
    date: dt.date = field(default_factory=dt.date.today)

    def cleaned(self) -> NoteExtras:
        return NoteExtras(self.person.strip()[:200], self.notes.strip()[:MAX_FREE_TEXT], self.date)


@dataclass(frozen=True)
class NoteLine:
    label: str
    value: str


@dataclass(frozen=True)
class Note:
    """Everything a note shows, already in the chosen language, so HTML and PDF agree."""

    lang: str
    title: str
    header: tuple[NoteLine, ...]
    level_heading: str
    level: str
    level_id: str
    level_rank: int
    advice: str
    reasons: tuple[str, ...]
    observed_heading: str
    observed: tuple[NoteLine, ...]  # (strength label, indicator text)
    danger_signs: tuple[str, ...]
    safety_heading: str
    safety: tuple[Step, ...]
    steps_heading: str
    steps: tuple[Step, ...]
    consent_heading: str
    consent: str
    notes_heading: str
    notes: str
    labels: dict[str, str]
    footer: tuple[str, ...]


def build_note(assessment: Assessment, extras: NoteExtras | None = None, content: Content | None = None) -> Note:
    content = content or get_content()
    extras = (extras or NoteExtras()).cleaned()
    lang = assessment.lang

    def label(key: str) -> str:
        return content.label(key, lang)

    header = [
        NoteLine(label("date"), extras.date.isoformat()),
        NoteLine(label("country"), assessment.country_name),
    ]
    if assessment.sector_label:
        header.append(NoteLine(label("sector"), assessment.sector_label))
    age = content.term(content.ages, "child" if assessment.child else "adult", lang)
    header.append(NoteLine(label("person"), f"{age} - {extras.person}" if extras.person else age))
    return Note(
        lang=lang,
        title=label("title"),
        header=tuple(header),
        level_heading=label("level"),
        level=assessment.level_label,
        level_id=assessment.level,
        level_rank=assessment.level_rank,
        advice=assessment.advice,
        reasons=assessment.reasons,
        observed_heading=label("observed"),
        observed=tuple(NoteLine(ind.strength_label, ind.text) for ind in assessment.indicators),
        danger_signs=assessment.danger_signs,
        safety_heading=label("safety"),
        safety=assessment.safety_steps,
        steps_heading=label("steps"),
        steps=assessment.referral_steps,
        consent_heading=label("consent"),
        consent=assessment.consent.rule,
        notes_heading=label("notes"),
        notes=extras.notes,
        labels={key: label(key) for key in ("call", "say", "hours", "unverified", "no_phone", "reasons")},
        footer=(assessment.not_a_diagnosis, label("nothing_stored")),
    )


# --- PDF ------------------------------------------------------------------------------------


def _has_bengali(note: Note) -> bool:
    return any("\u0980" <= ch <= "\u09ff" for ch in repr(note))


def _can_shape() -> bool:
    try:
        import uharfbuzz  # noqa: F401 - fpdf2 shapes complex scripts with it
    except ImportError:
        return False
    return True


class _NotePdf(FPDF):
    def __init__(self, footer_text: str, bengali: bool = False) -> None:
        super().__init__(format="A4")
        self.footer_text = footer_text
        self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        if bengali:
            # Lohit Bengali (OFL) fills in the glyphs DejaVu lacks; shaping joins the conjuncts.
            self.add_font("LohitBengali", "", str(FONT_DIR / "Lohit-Bengali.ttf"))
            self.set_fallback_fonts(["LohitBengali"], exact_match=False)
            if _can_shape():
                self.set_text_shaping(True)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(16, 16, 16)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("DejaVu", "", 7)
        self.set_text_color(90, 90, 90)
        self.multi_cell(0, 3.5, f"{self.footer_text}   {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0, 0, 0)

    def heading(self, value: str) -> None:
        self.ln(2)
        self.set_font("DejaVu", "B", 12)
        self.multi_cell(0, 7, value, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("DejaVu", "", 10)

    def para(self, value: str, bold: bool = False, size: float = 10, indent: float = 0) -> None:
        self.set_font("DejaVu", "B" if bold else "", size)
        self.set_x(self.l_margin + indent)
        self.multi_cell(0, 5, value, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("DejaVu", "", 10)


def _step_lines(step: Step, note: Note) -> list[tuple[str, bool]]:
    lines = [(f"{step.condition}: {step.action}" if step.condition else step.action, True)]
    if step.service:
        phones = ", ".join(p.number for p in step.service.phones) or note.labels["no_phone"]
        line = f"{note.labels['call']}: {step.service.name} - {phones} ({note.labels['hours']}: {step.service.hours})"
        if step.service.url:
            line += f" {step.service.url}"
        if step.service.email:
            line += f" {step.service.email}"
        if not step.service.verified:
            line += f" [{note.labels['unverified']}]"
        lines.append((line, False))
    if step.say:
        lines.append((f"{note.labels['say']}: \u201c{step.say}\u201d", False))
    return lines


def render_pdf(note: Note) -> bytes:
    pdf = _NotePdf(" ".join(note.footer), bengali=_has_bengali(note))
    pdf.set_title(note.title)
    pdf.set_creator("HEROES screening")
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(0, 8, note.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    for line in note.header:
        pdf.para(f"{line.label}: {line.value}", size=10)

    pdf.heading(f"{note.level_heading}: {note.level}")
    pdf.para(note.advice)
    for reason in note.reasons:
        pdf.para(f"- {reason}", size=9, indent=3)

    if note.danger_signs or note.observed:
        pdf.heading(note.observed_heading)
        for sign in note.danger_signs:
            pdf.para(f"! {sign}", bold=True, indent=3)
        for item in note.observed:
            pdf.para(f"- [{item.label}] {item.value}", indent=3)

    pdf.heading(note.safety_heading)
    for number, step in enumerate(note.safety, start=1):
        for index, (value, _bold) in enumerate(_step_lines(step, note)):
            # only the emergency call stands out among the precautions
            pdf.para(f"{number}. {value}" if index == 0 else value, bold=step.emergency, indent=3 if index == 0 else 8)

    if note.steps:
        pdf.heading(note.steps_heading)
        for number, step in enumerate(note.steps, start=1):
            for index, (value, bold) in enumerate(_step_lines(step, note)):
                pdf.para(f"{number}. {value}" if index == 0 else value, bold=bold, indent=3 if index == 0 else 8)

    pdf.heading(note.consent_heading)
    pdf.para(note.consent)
    if note.notes:
        pdf.heading(note.notes_heading)
        pdf.para(note.notes)
    return bytes(pdf.output())
