"""The learning engine: progress, tests and quizzes, completion, certificates, reminders and trainer reports.

A course runs: pre-test (once per registration) -> every module (sections, vignette, quiz with feedback) ->
post-test (retaken until the pass mark is reached) -> certificate. Every step is recorded as xAPI statements
in the platform's LRS (lrs.py), each checked against the spec before it is stored. Renewing starts a new
registration; earlier certificates stay verifiable until they expire.
"""

from __future__ import annotations

import calendar
import csv
import io
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from heroes.core import audit
from heroes.core.db import utcnow
from heroes.core.errors import HeroesError
from heroes.core.i18n import gettext as _
from heroes.core.models import Organisation, User

from . import lrs
from .content import Course, Question, get_content, text_for
from .models import Answer, Certificate, Progress, Statement
from .settings import training_settings

VERBS = {
    "attempted": "http://adlnet.gov/expapi/verbs/attempted",
    "answered": "http://adlnet.gov/expapi/verbs/answered",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
}
VERB_NAMES = {
    "attempted": {"en-US": "attempted", "es-ES": "intentó"},
    "answered": {"en-US": "answered", "es-ES": "respondió"},
    "completed": {"en-US": "completed", "es-ES": "completó"},
    "passed": {"en-US": "passed", "es-ES": "aprobó"},
    "failed": {"en-US": "failed", "es-ES": "suspendió"},
}
ACTIVITY_TYPES = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "module": "http://adlnet.gov/expapi/activities/module",
    "assessment": "http://adlnet.gov/expapi/activities/assessment",
    "question": "http://adlnet.gov/expapi/activities/cmi.interaction",
}
LOCALES = {"en": "en-US", "es": "es-ES"}
PLATFORM = "HEROES toolkit"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are typed from paper


# --- xAPI statements the platform emits ----------------------------------------------------------


def base_url() -> str:
    return training_settings().public_url.rstrip("/")


def activity_id(course_id: str, *parts: str) -> str:
    return "/".join([base_url(), "training", "courses", course_id, *parts])


def _names(value: Mapping[str, str]) -> dict[str, str]:
    return {LOCALES.get(lang, lang): text for lang, text in value.items()}


def actor(user: User) -> dict[str, Any]:
    # The account name only: no e-mail address or real name leaves the platform in a statement.
    return {"objectType": "Agent", "account": {"homePage": base_url(), "name": user.username}}


def platform_authority() -> dict[str, Any]:
    return {"objectType": "Agent", "account": {"homePage": base_url(), "name": "heroes-training"}}


def _course_activity(course: Course) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": activity_id(course.id),
        "definition": {"name": _names(course.title), "type": ACTIVITY_TYPES["course"]},
    }


def _question_activity(course: Course, question: Question) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": activity_id(course.id, "questions", question.id),
        "definition": {
            "name": _names(question.prompt),
            "type": ACTIVITY_TYPES["question"],
            "interactionType": "choice",
            "correctResponsesPattern": ["[,]".join(sorted(question.correct))],
            "choices": [{"id": o.id, "description": _names(o.text)} for o in question.options],
        },
    }


def build_statement(
    user: User,
    verb: str,
    obj: dict[str, Any],
    course: Course,
    registration: str,
    lang: str,
    result: dict[str, Any] | None = None,
    parent: dict[str, Any] | None = None,
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "registration": registration,
        "contextActivities": {"grouping": [_course_activity(course)]},
        "platform": PLATFORM,
        "language": LOCALES.get(lang, lang),
    }
    if parent is not None:
        context["contextActivities"]["parent"] = [parent]
    statement: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": actor(user),
        "verb": {"id": VERBS[verb], "display": VERB_NAMES[verb]},
        "object": obj,
        "context": context,
        "timestamp": lrs.iso(utcnow()),
    }
    if result is not None:
        statement["result"] = result
    return statement


def emit(session: Session, user: User, statements: Sequence[dict[str, Any]]) -> None:
    lrs.store(
        session,
        statements,
        version="1.0.3",
        authority=platform_authority(),
        organisation_id=user.organisation_id,
    )


# --- progress ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionOutcome:
    question: Question
    given: tuple[str, ...]
    correct: bool


@dataclass(frozen=True)
class TestOutcome:
    kind: str  # "pre", "post" or "quiz"
    score: float  # 0..1
    passed: bool | None  # None for the pre-test and quizzes: nothing to pass
    outcomes: tuple[QuestionOutcome, ...]
    certificate: Certificate | None = None


@dataclass(frozen=True)
class Status:
    course: Course
    progress: Progress | None
    certificate: Certificate | None
    next_step: str  # "start", "pre", "module:<id>", "post", "done"
    renew_due: bool = False
    modules_done: tuple[str, ...] = field(default_factory=tuple)

    @property
    def percent(self) -> int:
        if self.progress is None:
            return 0
        steps = len(self.course.modules) + 2
        done = (self.progress.pre_score is not None) + len(self.modules_done) + (self.progress.completed_at is not None)
        return round(100 * done / steps)


def _staff_course(course_id: str) -> Course:
    course = get_content().course(course_id)
    if course.is_guide:
        raise HeroesError(_("%(id)s is a public guide, not a course.", id=course_id), status_code=404)
    return course


def progress_of(session: Session, user: User, course_id: str) -> Progress | None:
    return session.execute(
        select(Progress).where(Progress.user_id == user.id, Progress.course_id == course_id)
    ).scalar_one_or_none()


def latest_certificate(session: Session, user_id: int, course_id: str) -> Certificate | None:
    return session.execute(
        select(Certificate)
        .where(Certificate.user_id == user_id, Certificate.course_id == course_id, Certificate.revoked.is_(False))
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def _renew_due(course: Course, certificate: Certificate | None, now: datetime) -> bool:
    return certificate is not None and certificate.expires_at - timedelta(days=course.reminder_days) <= now


def status(session: Session, user: User, course_id: str) -> Status:
    course = _staff_course(course_id)
    progress = progress_of(session, user, course_id)
    certificate = latest_certificate(session, user.id, course_id)
    done = tuple(progress.modules_done) if progress else ()
    if progress is None:
        step = "start"
    elif progress.pre_score is None:
        step = "pre"
    elif progress.completed_at is not None:
        step = "done"
    else:
        pending = [m.id for m in course.modules if m.id not in done]
        step = f"module:{pending[0]}" if pending else "post"
    return Status(course, progress, certificate, step, _renew_due(course, certificate, utcnow()), done)


def start(session: Session, user: User, course_id: str, lang: str) -> Progress:
    """Enrol (or renew, when the last certificate is due): a new registration with a clean slate."""
    course = _staff_course(course_id)
    progress = progress_of(session, user, course_id)
    if progress is not None and progress.completed_at is None:
        return progress
    if progress is not None:
        if not _renew_due(course, latest_certificate(session, user.id, course_id), utcnow()):
            raise HeroesError(_("You completed this course; you can renew it when your certificate is due."))
        progress.registration = str(uuid.uuid4())
        progress.course_version = course.version
        progress.started_at = utcnow()
        progress.modules_done = []
        progress.pre_score = progress.post_score = None
        progress.post_attempts = 0
        progress.completed_at = None
    else:
        progress = Progress(
            user_id=user.id,
            course_id=course.id,
            course_version=course.version,
            registration=str(uuid.uuid4()),
            started_at=utcnow(),
            modules_done=[],
            post_attempts=0,
        )
        session.add(progress)
    session.flush()
    emit(
        session,
        user,
        [build_statement(user, "attempted", _course_activity(course), course, progress.registration, lang)],
    )
    audit.record(session, user.username, "training.start", f"course:{course.id}")
    return progress


def _require_progress(session: Session, user: User, course: Course) -> Progress:
    progress = progress_of(session, user, course.id)
    if progress is None:
        raise HeroesError(_("Start the course first."), status_code=409)
    return progress


def _grade(questions: Sequence[Question], answers: Mapping[str, Sequence[str]]) -> list[QuestionOutcome]:
    outcomes = []
    for question in questions:
        given = tuple(sorted(set(answers.get(question.id, ()))))
        if not given:
            raise HeroesError(_("Answer every question before submitting."), status_code=400)
        valid = {o.id for o in question.options}
        if not set(given) <= valid:
            raise HeroesError(_("Unknown answer for question %(id)s.", id=question.id), status_code=400)
        if question.type != "multiple" and len(given) != 1:
            raise HeroesError(_("Choose one answer for each single-choice question."), status_code=400)
        outcomes.append(QuestionOutcome(question, given, question.is_correct(given)))
    return outcomes


def _record_answers(
    session: Session,
    user: User,
    course: Course,
    progress: Progress,
    test: str,
    attempt: int,
    outcomes: Sequence[QuestionOutcome],
    parent: dict[str, Any],
    lang: str,
) -> list[dict[str, Any]]:
    statements = []
    for outcome in outcomes:
        session.add(
            Answer(
                progress_id=progress.id,
                registration=progress.registration,
                test=test,
                attempt=attempt,
                question_id=outcome.question.id,
                given=list(outcome.given),
                correct=outcome.correct,
                at=utcnow(),
            )
        )
        result = {"success": outcome.correct, "response": "[,]".join(outcome.given)}
        statements.append(
            build_statement(
                user,
                "answered",
                _question_activity(course, outcome.question),
                course,
                progress.registration,
                lang,
                result,
                parent,
            )
        )
    return statements


def _score(outcomes: Sequence[QuestionOutcome]) -> dict[str, Any]:
    right = sum(o.correct for o in outcomes)
    return {"scaled": round(right / len(outcomes), 4), "raw": right, "min": 0, "max": len(outcomes)}


def submit_test(
    session: Session, user: User, course_id: str, kind: str, answers: Mapping[str, Sequence[str]], lang: str
) -> TestOutcome:
    course = _staff_course(course_id)
    progress = _require_progress(session, user, course)
    questions = course.test(kind)
    if kind == "pre" and progress.pre_score is not None:
        raise HeroesError(_("You have already taken the pre-test for this course."), status_code=409)
    if kind == "post":
        if progress.pre_score is None:
            raise HeroesError(_("Take the pre-test first."), status_code=409)
        missing = [m.id for m in course.modules if m.id not in progress.modules_done]
        if missing:
            raise HeroesError(_("Finish every module before the post-test."), status_code=409)
        if progress.completed_at is not None:
            raise HeroesError(_("You have already passed this course."), status_code=409)
    outcomes = _grade(questions, answers)
    score = _score(outcomes)
    test_activity = {
        "objectType": "Activity",
        "id": activity_id(course.id, "tests", kind),
        "definition": {
            "name": {
                "en-US": f"{kind.capitalize()}-test",
                "es-ES": "Prueba inicial" if kind == "pre" else "Prueba final",
            },
            "type": ACTIVITY_TYPES["assessment"],
        },
    }
    attempt = progress.post_attempts + 1 if kind == "post" else 1
    statements = _record_answers(session, user, course, progress, kind, attempt, outcomes, test_activity, lang)
    passed: bool | None = None
    certificate = None
    if kind == "pre":
        progress.pre_score = score["scaled"]
        statements.append(
            build_statement(
                user,
                "completed",
                test_activity,
                course,
                progress.registration,
                lang,
                {"score": score, "completion": True},
            )
        )
    else:
        progress.post_attempts = attempt
        progress.post_score = score["scaled"]
        passed = score["scaled"] * 100 >= course.pass_mark
        verb = "passed" if passed else "failed"
        statements.append(
            build_statement(
                user,
                verb,
                test_activity,
                course,
                progress.registration,
                lang,
                {"score": score, "success": passed, "completion": True},
            )
        )
        if passed:
            progress.completed_at = utcnow()
            statements.append(
                build_statement(
                    user,
                    "completed",
                    _course_activity(course),
                    course,
                    progress.registration,
                    lang,
                    {"score": score, "success": True, "completion": True},
                )
            )
            certificate = issue_certificate(session, user, course, progress)
    session.flush()
    emit(session, user, statements)
    audit.record(session, user.username, f"training.{kind}_test", f"course:{course.id}", {"passed": passed})
    return TestOutcome(kind, score["scaled"], passed, tuple(outcomes), certificate)


def submit_quiz(
    session: Session, user: User, course_id: str, module_id: str, answers: Mapping[str, Sequence[str]], lang: str
) -> TestOutcome:
    """Check a module's quiz, give feedback and mark the module done (feedback teaches; no pass mark here)."""
    course = _staff_course(course_id)
    progress = _require_progress(session, user, course)
    if progress.pre_score is None:
        raise HeroesError(_("Take the pre-test first."), status_code=409)
    module = course.module(module_id)
    outcomes = _grade([course.questions[q] for q in module.quiz], answers)
    module_activity = {
        "objectType": "Activity",
        "id": activity_id(course.id, "modules", module.id),
        "definition": {"name": _names(module.title), "type": ACTIVITY_TYPES["module"]},
    }
    statements = _record_answers(
        session, user, course, progress, f"quiz:{module.id}", 1, outcomes, module_activity, lang
    )
    if module.id not in progress.modules_done:
        progress.modules_done = [*progress.modules_done, module.id]
        statements.append(
            build_statement(
                user,
                "completed",
                module_activity,
                course,
                progress.registration,
                lang,
                {"score": _score(outcomes), "completion": True},
            )
        )
    session.flush()
    emit(session, user, statements)
    return TestOutcome("quiz", _score(outcomes)["scaled"], None, tuple(outcomes))


# --- certificates ----------------------------------------------------------------------------------


def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _position in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def issue_certificate(session: Session, user: User, course: Course, progress: Progress) -> Certificate:
    now = utcnow()
    certificate = Certificate(
        code=new_code(),
        user_id=user.id,
        course_id=course.id,
        course_version=course.version,
        registration=progress.registration,
        learner_name=(user.display_name or user.username)[:200],
        score=progress.post_score or 0.0,
        issued_at=now,
        expires_at=add_months(now, course.validity_months),
        revoked=False,
    )
    session.add(certificate)
    session.flush()
    audit.record(session, user.username, "training.certificate", f"certificate:{certificate.id}")
    return certificate


@dataclass(frozen=True)
class Verification:
    code: str
    state: str  # "valid", "expired", "revoked", "unknown"
    certificate: Certificate | None = None
    course: Course | None = None


def normalise_code(code: str) -> str:
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:12]}" if len(raw) == 12 else code.strip().upper()[:20]


def verify(session: Session, code: str) -> Verification:
    code = normalise_code(code)
    certificate = session.execute(select(Certificate).where(Certificate.code == code)).scalar_one_or_none()
    if certificate is None:
        return Verification(code, "unknown")
    course = get_content().courses.get(certificate.course_id)
    if certificate.revoked:
        state = "revoked"
    elif certificate.expires_at <= utcnow():
        state = "expired"
    else:
        state = "valid"
    return Verification(code, state, certificate, course)


def certificate_for(session: Session, user: User, code: str) -> Certificate:
    certificate = session.execute(
        select(Certificate).where(Certificate.code == normalise_code(code), Certificate.user_id == user.id)
    ).scalar_one_or_none()
    if certificate is None:
        raise HeroesError(_("No such certificate of yours."), status_code=404)
    return certificate


def revoke(session: Session, viewer: User, code: str) -> Certificate:
    """Withdraw a certificate (issued in error, or obtained dishonestly); the verification page then says so."""
    certificate = session.execute(
        select(Certificate).where(Certificate.code == normalise_code(code))
    ).scalar_one_or_none()
    organisation_id, everyone = scope_of(session, viewer)
    owner = session.get(User, certificate.user_id) if certificate else None
    if certificate is None or owner is None or not (everyone or owner.organisation_id == organisation_id):
        raise HeroesError(_("No such certificate in your organisation."), status_code=404)
    certificate.revoked = True
    audit.record(session, viewer.username, "training.certificate_revoke", f"certificate:{certificate.id}")
    return certificate


@dataclass(frozen=True)
class Reminder:
    username: str
    course_id: str
    code: str
    expires_at: datetime
    expired: bool


def reminders(session: Session, organisation_id: int | None = None, all_organisations: bool = True) -> list[Reminder]:
    """Certificates inside their course's reminder window (or expired) with no newer certificate."""
    now = utcnow()
    content = get_content()
    query = select(Certificate, User).join(User, User.id == Certificate.user_id).where(Certificate.revoked.is_(False))
    if not all_organisations:
        query = query.where(User.organisation_id == organisation_id)
    latest: dict[tuple[int, str], tuple[Certificate, User]] = {}
    for certificate, user in session.execute(query.order_by(Certificate.issued_at)):
        latest[(user.id, certificate.course_id)] = (certificate, user)
    due = []
    for certificate, user in latest.values():
        course = content.courses.get(certificate.course_id)
        if course is not None and _renew_due(course, certificate, now):
            due.append(
                Reminder(
                    user.username, course.id, certificate.code, certificate.expires_at, certificate.expires_at <= now
                )
            )
    return sorted(due, key=lambda r: r.expires_at)


# --- trainers' reports --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LearnerRow:
    username: str
    display_name: str
    course_id: str
    started_at: datetime
    modules_done: int
    modules_total: int
    pre_score: float | None
    post_score: float | None
    completed_at: datetime | None
    certificate_code: str | None
    expires_at: datetime | None


@dataclass(frozen=True)
class QuestionGain:
    question_id: str
    prompt: str
    pre_correct: float | None  # share of learners right in the pre-test
    post_correct: float | None  # share right in their last post-test attempt
    learners: int

    @property
    def gain(self) -> float | None:
        if self.pre_correct is None or self.post_correct is None:
            return None
        return self.post_correct - self.pre_correct


def scope_of(session: Session, user: User) -> tuple[int | None, bool]:
    """(organisation id, all organisations?): an admin outside any organisation sees every organisation."""
    return user.organisation_id, user.role == "admin" and user.organisation_id is None


def learners(session: Session, viewer: User, course_id: str | None = None) -> list[LearnerRow]:
    organisation_id, everyone = scope_of(session, viewer)
    query = select(Progress, User).join(User, User.id == Progress.user_id)
    if not everyone:
        if organisation_id is None:
            return []
        query = query.where(User.organisation_id == organisation_id)
    if course_id:
        query = query.where(Progress.course_id == course_id)
    content = get_content()
    rows = []
    for progress, user in session.execute(query.order_by(User.username, Progress.course_id)):
        course = content.courses.get(progress.course_id)
        certificate = latest_certificate(session, user.id, progress.course_id)
        rows.append(
            LearnerRow(
                user.username,
                user.display_name,
                progress.course_id,
                progress.started_at,
                len(progress.modules_done),
                len(course.modules) if course else 0,
                progress.pre_score,
                progress.post_score,
                progress.completed_at,
                certificate.code if certificate else None,
                certificate.expires_at if certificate else None,
            )
        )
    return rows


def question_gains(session: Session, viewer: User, course_id: str, lang: str) -> list[QuestionGain]:
    course = _staff_course(course_id)
    organisation_id, everyone = scope_of(session, viewer)
    query = (
        select(Answer, Progress.user_id)
        .join(Progress, Progress.id == Answer.progress_id)
        .join(User, User.id == Progress.user_id)
        .where(Progress.course_id == course.id, Answer.test.in_(("pre", "post")))
    )
    if not everyone:
        if organisation_id is None:
            return []
        query = query.where(User.organisation_id == organisation_id)
    pre: dict[tuple[str, str], bool] = {}
    post: dict[tuple[str, str], tuple[int, bool]] = {}
    for answer, _user_id in session.execute(query):
        key = (answer.registration, answer.question_id)
        if answer.test == "pre":
            pre[key] = answer.correct
        elif key not in post or answer.attempt >= post[key][0]:
            post[key] = (answer.attempt, answer.correct)
    gains = []
    for question in course.test("pre"):
        pre_values = [ok for (_, q), ok in pre.items() if q == question.id]
        post_values = [ok for (_, q), (_, ok) in post.items() if q == question.id]
        gains.append(
            QuestionGain(
                question.id,
                text_for(question.prompt, lang),
                sum(pre_values) / len(pre_values) if pre_values else None,
                sum(post_values) / len(post_values) if post_values else None,
                len(pre_values),
            )
        )
    return gains


@dataclass(frozen=True)
class CourseSummary:
    course_id: str
    started: int
    completed: int
    certified_valid: int


def course_summaries(session: Session, viewer: User) -> list[CourseSummary]:
    """Per course: learners of the viewer's organisation who started, completed, and hold a valid certificate."""
    rows = learners(session, viewer)
    now = utcnow()
    summaries = []
    for course in get_content().courses.values():
        if course.is_guide:
            continue
        mine = [r for r in rows if r.course_id == course.id]
        summaries.append(
            CourseSummary(
                course.id,
                len(mine),
                sum(1 for r in mine if r.completed_at),
                sum(1 for r in mine if r.expires_at and r.expires_at > now),
            )
        )
    return summaries


def learners_csv(rows: Sequence[LearnerRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "username",
            "display_name",
            "course",
            "started",
            "modules_done",
            "modules_total",
            "pre_score",
            "post_score",
            "completed",
            "certificate",
            "expires",
        ]
    )

    def safe(value: str) -> str:
        # keep spreadsheets from running a cell as a formula
        return "'" + value if value[:1] in ("=", "+", "-", "@") else value

    for row in rows:
        writer.writerow(
            [
                safe(row.username),
                safe(row.display_name),
                row.course_id,
                row.started_at.isoformat(),
                row.modules_done,
                row.modules_total,
                "" if row.pre_score is None else f"{row.pre_score:.2f}",
                "" if row.post_score is None else f"{row.post_score:.2f}",
                row.completed_at.isoformat() if row.completed_at else "",
                row.certificate_code or "",
                row.expires_at.date().isoformat() if row.expires_at else "",
            ]
        )
    return out.getvalue()


def organisation_name(session: Session, organisation_id: int | None) -> str:
    if organisation_id is None:
        return ""
    organisation = session.get(Organisation, organisation_id)
    return organisation.name if organisation else ""


def statement_count(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(Statement)).scalar_one())
