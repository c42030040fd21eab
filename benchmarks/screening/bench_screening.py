"""Screening speed: content loading, checklist, assessment, HSDS round trip and the PDF note.

Run: .venv/bin/python benchmarks/screening/bench_screening.py
Each figure is printed next to a baseline measured in the same run:
- loading + validating all data files vs. only parsing the same YAML files;
- assessment vs. building the checklist (the cheapest engine call);
- the referral note PDF vs. a one-line PDF with the same embedded font (the fixed cost of fpdf2).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import yaml
from fpdf import FPDF

from heroes.screening.content import data_files, get_content, load_content
from heroes.screening.engine import Answers, assess, checklist
from heroes.screening.hsds import dumps, loads, seed_directory
from heroes.screening.note import FONT_DIR, build_note, render_pdf


def timed(label: str, func: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        runs.append(time.perf_counter() - start)
    median = statistics.median(runs) * 1000
    print(f"{label:<58} median {median:8.2f} ms over {repeat} runs")
    return median


def parse_only() -> None:
    for path, _schema in data_files():
        yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def minimal_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_page()
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(0, 10, "baseline")
    return bytes(pdf.output())


def main() -> None:
    content = get_content()
    print(f"content: {len(content.indicators)} indicators, {len(content.countries)} countries")
    base_load = timed("baseline: parse YAML only", parse_only, 10)
    full_load = timed("load + schema + cross-check all data files", load_content, 10)
    print(f"  validation overhead x{full_load / base_load:.1f}")

    answers = Answers(
        country="GB",
        sector="health",
        observed=["gen-documents-held", "gen-isolated", "lab-excessive-hours"],
        danger=["danger-medical"],
        consent="declined",
    )
    base_engine = timed("baseline: checklist(GB, health, adult)", lambda: checklist("GB", "health"), 200)
    assess_ms = timed("assess (3 signs + danger, GB)", lambda: assess(answers), 200)
    print(f"  assessments per second: {1000 / assess_ms:,.0f} (checklist x{assess_ms / base_engine:.1f})")

    result = assess(answers)
    base_pdf = timed("baseline: one-line PDF with the same font", minimal_pdf, 10)
    note_ms = timed("referral note PDF (build + render)", lambda: render_pdf(build_note(result)), 10)
    size_kib = len(render_pdf(build_note(result))) / 1024
    print(f"  note PDF x{note_ms / base_pdf:.1f} the fixed cost; size {size_kib:.0f} KiB")

    bengali = assess(Answers(country="BD", child=True, observed=["fm-child-marriage"], danger_now=True), lang="bn")
    timed("referral note PDF in Bengali (fallback font + shaping)", lambda: render_pdf(build_note(bengali)), 5)

    directory = seed_directory(content)
    timed(f"HSDS export + import ({len(directory.services)} services)", lambda: loads(dumps(directory)), 50)


if __name__ == "__main__":
    main()
