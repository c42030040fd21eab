"""The certificate as a PDF: who, which course, when, until when, and a code and QR anyone can verify."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import segno
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from heroes.core.i18n import gettext as _

from .content import Course, text_for
from .models import Certificate
from .settings import training_settings


def verification_url(code: str, base: str | None = None) -> str:
    return f"{(base or training_settings().public_url).rstrip('/')}/training/verify/{code}"


# Debian's fonts-dejavu-core covers most alphabets; without it the PDF core fonts cover Latin-1 only.
SYSTEM_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def unicode_font_dir() -> Path | None:
    folder = SYSTEM_FONT_DIR
    return folder if (folder / "DejaVuSans.ttf").is_file() and (folder / "DejaVuSans-Bold.ttf").is_file() else None


def _latin1(text: str) -> str:
    # With the core fonts, anything outside Latin-1 (English and Spanish fit) becomes '?' rather than failing.
    return text.encode("latin-1", "replace").decode("latin-1")


def render_pdf(certificate: Certificate, course: Course, lang: str, base_url: str | None = None) -> bytes:
    url = verification_url(certificate.code, base_url)
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(_latin1(_("Certificate of completion")))
    pdf.set_author("HEROES toolkit")
    pdf.set_auto_page_break(False)
    fonts = unicode_font_dir()
    family = "Helvetica"
    clean: Callable[[str], str] = _latin1
    if fonts is not None:
        pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
        family, clean = "DejaVu", str

    pdf.add_page()
    pdf.set_draw_color(30, 64, 120)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)

    def line(text: str, size: float, style: str = "", height: float = 10) -> None:
        pdf.set_font(family, style, size)
        pdf.multi_cell(0, height, clean(text), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    pdf.set_y(28)
    line(_("Certificate of completion"), 28, "B", 14)
    pdf.ln(4)
    line(_("This certifies that"), 14)
    line(certificate.learner_name, 22, "B", 12)
    line(_("has completed the course"), 14)
    line(text_for(course.title, lang), 16, "B", 9)
    pdf.ln(4)
    line(
        _(
            "Issued on %(issued)s. Valid until %(expires)s. Final test score: %(score)s%%.",
            issued=certificate.issued_at.date().isoformat(),
            expires=certificate.expires_at.date().isoformat(),
            score=round(certificate.score * 100),
        ),
        12,
    )
    qr = segno.make(url, error="m")
    image = io.BytesIO()
    qr.save(image, kind="png", scale=6, border=2)
    image.seek(0)
    pdf.image(image, x=22, y=140, w=45, h=45)
    pdf.set_xy(72, 150)
    pdf.set_font(family, "B", 14)
    pdf.cell(0, 8, clean(_("Verification code: %(code)s", code=certificate.code)), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_x(72)
    pdf.set_font(family, "", 11)
    pdf.cell(0, 8, clean(_("Check it at %(url)s", url=url)), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
