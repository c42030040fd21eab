"""The shipped courses and guides are complete in English and Spanish, cite their sources, and the validator
names the file and line of every problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from heroes.training.content import PACKAGE_CONTENT, validate, validate_folder

GUIDE_SECTIONS = {
    "parents": ["how-it-starts", "stages", "warning-signs", "sextortion", "talking", "what-to-do", "report"],
    "children": ["how-it-starts", "red-flags", "sextortion", "what-to-do", "report", "help"],
}


@pytest.fixture(scope="module")
def content():  # type: ignore[no-untyped-def]
    loaded, problems = validate([PACKAGE_CONTENT])
    assert problems == []
    assert loaded is not None
    return loaded


def test_shipped_content_has_the_three_courses_and_two_guides(content) -> None:  # type: ignore[no-untyped-def]
    assert {c for c, course in content.courses.items() if not course.is_guide} == {"health", "transport", "mdt"}
    assert {c for c, course in content.courses.items() if course.is_guide} == {"parents", "children"}
    for course in content.courses.values():
        if course.is_guide:
            continue
        assert course.pre_test and course.post_test and 0 < course.pass_mark <= 100
        assert any(s.vignette for m in course.modules for s in m.sections)
        types = {q.type for q in course.questions.values()}
        assert types == {"single", "multiple", "scenario"}, course.id


def test_guide_section_ids_other_tools_link_to_are_stable(content) -> None:  # type: ignore[no-untyped-def]
    for guide, sections in GUIDE_SECTIONS.items():
        assert content.course(guide).section_ids() == sections


def test_spanish_course_is_complete(content) -> None:  # type: ignore[no-untyped-def]
    """Every text of every course exists in Spanish, differs from the English, and every section matches."""
    for course in content.courses.values():
        texts = [course.title, course.summary]
        for module in course.modules:
            texts.append(module.title)
            for section in module.sections:
                assert set(section.title) == {"en", "es"}, (course.id, section.id)
                en, es = section.blocks["en"], section.blocks["es"]
                assert len(en) == len(es), (course.id, section.id)
                for a, b in zip(en, es, strict=True):
                    assert b.markdown.strip() and a.markdown != b.markdown, (course.id, section.id, b.line)
                    assert set(a.sources) == set(b.sources)
        for question in course.questions.values():
            texts += [question.prompt, question.feedback, *(o.text for o in question.options)]
            if question.scenario:
                texts.append(question.scenario)
        for text in texts:
            assert text.get("es", "").strip(), (course.id, text)
            if len(text["en"].split()) >= 4:
                assert text["es"] != text["en"], (course.id, text)


def test_every_statement_cites_a_known_source(content) -> None:  # type: ignore[no-untyped-def]
    for course in content.courses.values():
        for module in course.modules:
            for section in module.sections:
                for blocks in section.blocks.values():
                    for block in blocks:
                        assert block.sources and all(s in content.sources for s in block.sources)


def _copy_course(tmp_path: Path, course_id: str = "health") -> Path:
    target = tmp_path / course_id
    shutil.copytree(PACKAGE_CONTENT / course_id, target)
    return target


def _replace(path: Path, old: str, new: str) -> int:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def test_uncited_statement_is_reported_with_file_and_line(tmp_path: Path) -> None:
    folder = _copy_course(tmp_path)
    line = _replace(folder / "en" / "signs.md", " [@iom-health]\n\nMost", "\n\nMost")
    assert validate_folder(folder) == [
        f"health/en/signs.md:{line}: this statement cites no source; end it with [@source-id]",
        f"health/es/signs.md:{line}: cites ['iom-health'] where 'en' cites []",
    ]


def test_unknown_source_and_bad_heading_name_the_line(tmp_path: Path) -> None:
    folder = _copy_course(tmp_path)
    line = _replace(folder / "es" / "respond.md", "[@who-ethical]\n\nSi", "[@who-ethicall]\n\nSi")
    heading = _replace(
        folder / "es" / "respond.md", "## Atención informada por el trauma {#trauma-informed}", "## Atención"
    )
    problems = validate_folder(folder)
    assert f"health/es/respond.md:{line}: unknown source 'who-ethicall' (not in sources.yaml)" in problems
    assert any(p.startswith(f"health/es/respond.md:{heading}: a heading must read") for p in problems)


def test_missing_spanish_and_untranslated_text_are_reported(tmp_path: Path) -> None:
    folder = _copy_course(tmp_path)
    yaml_path = folder / "course.yaml"
    line = _replace(
        yaml_path,
        "  es: Detectar y derivar a víctimas de trata en la atención sanitaria",
        "  es: Recognising and referring victims of trafficking in health care",
    )
    (folder / "es" / "signs.md").unlink()
    problems = validate_folder(folder)
    assert f"health/course.yaml:{line}: 'title' in 'es' is identical to 'en'" in problems
    assert any(p.startswith("health/course.yaml:") and "has no 'es' text: es/signs.md" in p for p in problems)


def test_question_rules_and_yaml_syntax_errors(tmp_path: Path) -> None:
    folder = _copy_course(tmp_path)
    yaml_path = folder / "course.yaml"
    text = yaml_path.read_text(encoding="utf-8")
    # make the single-choice question q-indicator have two correct answers
    start = text.index("- id: q-indicator")
    second = text.index("- id: b", start)
    fixed = text[:second] + text[second:].replace("- id: b\n", "- id: b\n        correct: true\n", 1)
    yaml_path.write_text(fixed, encoding="utf-8")
    line = fixed[:start].count("\n") + 1
    assert f"health/course.yaml:{line}: question 'q-indicator' (single) needs exactly one correct option" in (
        validate_folder(folder)
    )
    yaml_path.write_text("id: health\ntitle: {en: a, es: b\n", encoding="utf-8")
    (problem,) = validate_folder(folder)
    assert problem.startswith("health/course.yaml:3: not valid YAML")
