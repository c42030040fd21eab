"""A course taken through the library: pre-test, modules, post-test, certificate, statements, reports."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from heroes.core.db import session_scope, utcnow
from heroes.core.errors import HeroesError
from heroes.training import engine
from heroes.training.models import Certificate, Statement
from heroes.training.xapi_rules import check_statement

from .conftest import right, user_named, wrong


def _take_course(name: str, course: Any, post_answers: dict[str, list[str]] | None = None) -> engine.TestOutcome:
    with session_scope() as s:
        user = user_named(s, name)
        engine.start(s, user, course.id, "en")
        engine.submit_test(s, user, course.id, "pre", wrong(course.test("pre")), "en")
        for module in course.modules:
            quiz = [course.questions[q] for q in module.quiz]
            engine.submit_quiz(s, user, course.id, module.id, right(quiz), "en")
        return engine.submit_test(s, user, course.id, "post", post_answers or right(course.test("post")), "en")


def test_a_full_course_gives_a_verifiable_certificate_and_valid_statements(member: Any, health: Any) -> None:
    name = member("caseworker")
    outcome = _take_course(name, health)
    assert outcome.passed is True and outcome.score == 1.0
    assert outcome.certificate is not None
    code = outcome.certificate.code
    with session_scope() as s:
        user = user_named(s, name)
        status = engine.status(s, user, "health")
        assert status.next_step == "done" and status.percent == 100
        verification = engine.verify(s, code.lower().replace("-", " "))
        assert verification.state == "valid" and verification.certificate is not None
        assert verification.certificate.learner_name == name
        days = (verification.certificate.expires_at - verification.certificate.issued_at).days
        assert 729 <= days <= 731  # 24 months
        rows = list(s.execute(select(Statement)).scalars())
        verbs = [r.verb_id.rsplit("/", 1)[1] for r in rows]
        # attempted; pre: 4 answers + completed; 2 quiz answers + 2 modules; post: 4 answers + passed + completed
        assert verbs.count("answered") == 10 and verbs.count("passed") == 1 and verbs.count("attempted") == 1
        assert verbs.count("completed") == 4
        for row in rows:
            assert check_statement(row.statement, "1.0.3") == [], row.statement
            assert check_statement(row.statement, "2.0.0") == [], row.statement
            assert row.statement["actor"]["account"]["name"] == name
            assert row.registration == status.progress.registration  # type: ignore[union-attr]
            assert row.organisation_id == user.organisation_id is not None


def test_order_is_enforced_and_pre_test_taken_once(member: Any, health: Any) -> None:
    name = member("caseworker")
    with session_scope() as s:
        user = user_named(s, name)
        with pytest.raises(HeroesError, match="Start the course"):
            engine.submit_test(s, user, "health", "pre", right(health.test("pre")), "en")
        engine.start(s, user, "health", "en")
        with pytest.raises(HeroesError, match="pre-test first"):
            engine.submit_quiz(s, user, "health", "signs", right([health.questions["q-accompanied"]]), "en")
        with pytest.raises(HeroesError, match="Answer every question"):
            engine.submit_test(s, user, "health", "pre", {}, "en")
        engine.submit_test(s, user, "health", "pre", right(health.test("pre")), "en")
        with pytest.raises(HeroesError, match="already taken"):
            engine.submit_test(s, user, "health", "pre", right(health.test("pre")), "en")
        with pytest.raises(HeroesError, match="Finish every module"):
            engine.submit_test(s, user, "health", "post", right(health.test("post")), "en")


def test_failing_the_post_test_allows_a_retry_and_gain_is_measured_per_question(member: Any, health: Any) -> None:
    learner = member("caseworker")
    trainer = member("trainer")
    outsider = member("caseworker", organisation="Rail B")
    failed = _take_course(learner, health, post_answers=wrong(health.test("post")))
    assert failed.passed is False and failed.certificate is None
    with session_scope() as s:
        user = user_named(s, learner)
        passed = engine.submit_test(s, user, "health", "post", right(health.test("post")), "en")
        assert passed.passed and passed.certificate is not None
    _take_course(outsider, health)
    with session_scope() as s:
        viewer = user_named(s, trainer)
        rows = engine.learners(s, viewer, "health")
        assert [r.username for r in rows] == [learner]  # the other organisation's learner is not shown
        gains = engine.question_gains(s, viewer, "health", "en")
        assert [g.question_id for g in gains] == list(health.pre_test)
        assert all(g.pre_correct == 0.0 and g.post_correct == 1.0 and g.gain == 1.0 for g in gains)
        csv_text = engine.learners_csv(rows)
        assert csv_text.splitlines()[0].startswith("username,display_name,course")
        assert learner in csv_text and outsider not in csv_text


def test_expiry_reminder_and_renewal(member: Any, health: Any) -> None:
    name = member("caseworker")
    trainer = member("trainer")
    first = _take_course(name, health)
    assert first.certificate is not None
    with session_scope() as s:
        user = user_named(s, name)
        with pytest.raises(HeroesError, match="renew it when"):
            engine.start(s, user, "health", "en")
        assert engine.reminders(s, user.organisation_id, False) == []
        certificate = s.execute(select(Certificate)).scalar_one()
        certificate.expires_at = utcnow() + timedelta(days=health.reminder_days - 1)
    with session_scope() as s:
        due = engine.reminders(s, user_named(s, trainer).organisation_id, False)
        assert [(r.username, r.course_id, r.expired) for r in due] == [(name, "health", False)]
        assert engine.reminders(s, None, False) == []  # nobody outside the organisation sees it
        user = user_named(s, name)
        assert engine.status(s, user, "health").renew_due
        progress = engine.start(s, user, "health", "en")  # renewal: a new registration
        assert progress.pre_score is None and progress.modules_done == []
    with session_scope() as s:
        certificate = s.execute(select(Certificate)).scalar_one()
        certificate.expires_at = utcnow() - timedelta(days=1)
    with session_scope() as s:
        assert engine.verify(s, certificate.code).state == "expired"
        assert engine.verify(s, "ZZZZ-ZZZZ-ZZZZ").state == "unknown"


def test_certificate_pdf_prints_names_in_any_alphabet_with_the_system_font(member: Any, health: Any) -> None:
    import io

    from pypdf import PdfReader

    from heroes.core.i18n import language
    from heroes.training.certificate import render_pdf, unicode_font_dir

    name = member("caseworker")
    outcome = _take_course(name, health)
    assert outcome.certificate is not None
    certificate = outcome.certificate
    certificate.learner_name = "Łucja Ñúñez Ψ"
    with language("es"):
        pdf = render_pdf(certificate, health, "es", "https://heroes.example.org")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Certificado de aprovechamiento" in text and "Detectar y derivar a víctimas de trata" in text
    assert f"https://heroes.example.org/training/verify/{certificate.code}" in text
    if unicode_font_dir() is not None:
        assert "Łucja Ñúñez Ψ" in text
    else:  # without Debian's fonts-dejavu-core: Latin-1 letters kept, the others replaced
        assert "?ucja Ñúñez ?" in text
