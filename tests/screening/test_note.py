"""The referral note: no names unless added, chosen language, and a real PDF."""

from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader

from heroes.screening.engine import Answers, assess
from heroes.screening.note import NoteExtras, build_note, render_pdf


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_note_names_nobody_unless_the_professional_adds_a_name() -> None:
    result = assess(Answers(country="GB", observed=["gen-documents-held"]))
    anonymous = build_note(result)
    assert [line.value for line in anonymous.header if line.label == "Person"] == ["Adult"]
    named = build_note(result, NoteExtras(person="Ref 42", notes="Seen at reception."))
    assert [line.value for line in named.header if line.label == "Person"] == ["Adult - Ref 42"]
    assert named.notes == "Seen at reception."


def test_pdf_holds_the_observations_and_steps_in_spanish() -> None:
    result = assess(
        Answers(country="ES", child=True, observed=["onl-image-requests"], danger=["danger-threat-now"]), lang="es"
    )
    data = render_pdf(build_note(result, NoteExtras(date=dt.date(2026, 11, 28))))
    assert data.startswith(b"%PDF-")
    text = " ".join(_pdf_text(data).split())
    assert "nota de derivación" in text and "2026-11-28" in text
    assert "Llame ahora al 112." in text
    assert text.index("112") < text.index("Pasos de derivación")
    assert "900 10 50 90" in text
    assert "Nunca se pide consentimiento a un menor" in text
    assert "Ref" not in text


def test_pdf_includes_the_name_only_when_given() -> None:
    result = assess(Answers(country="CO", observed=["gen-isolated"]))
    with_name = " ".join(_pdf_text(render_pdf(build_note(result, NoteExtras(person="Ana Q")))).split())
    without = " ".join(_pdf_text(render_pdf(build_note(result))).split())
    assert "Ana Q" in with_name and "Ana Q" not in without
    assert "01 8000 522020" in without


def test_long_free_text_is_cut_not_lost_silently() -> None:
    result = assess(Answers(country="BD"))
    note = build_note(result, NoteExtras(notes="x" * 5000))
    assert len(note.notes) == 2000
    assert render_pdf(note).startswith(b"%PDF-")


def test_bengali_note_embeds_a_bengali_font_only_when_needed() -> None:
    bengali = assess(Answers(country="BD", child=True, observed=["fm-child-marriage"], danger_now=True), lang="bn")
    note = build_note(bengali)
    assert note.title == "প্রাথমিক শনাক্তকরণ - রেফারেল নোট"
    assert note.safety[0].service is not None and note.safety[0].service.name == "জাতীয় জরুরি সেবা ৯৯৯"
    assert b"Lohit" in render_pdf(note)
    english = assess(Answers(country="BD", child=True, observed=["fm-child-marriage"]), lang="en")
    assert b"Lohit" not in render_pdf(build_note(english))
