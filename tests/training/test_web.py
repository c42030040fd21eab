"""Pages and JSON API through the whole app: public guides, a learner's forms, trainers' views and CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from pypdf import PdfReader

from heroes.training.content import get_content
from tests.conftest import TEST_PASSWORD, csrf_of

from .conftest import right, wrong


def _form(client: Any, answers: dict[str, list[str]]) -> dict[str, Any]:
    return {"csrf_token": csrf_of(client), **{f"q-{qid}": values for qid, values in answers.items()}}


def test_public_guides_and_catalogue_need_no_account(client: Any) -> None:
    page = client.get("/training")
    assert page.status_code == 200 and "/training/guides/parents" in page.text
    guide = client.get("/training/guides/parents")
    assert guide.status_code == 200
    for section in ("how-it-starts", "stages", "sextortion", "what-to-do", "report"):
        assert f'id="{section}"' in guide.text
    assert 'href="#source-ncmec-sextortion"' in guide.text and 'id="source-ncmec-sextortion"' in guide.text
    spanish = client.get("/training/guides/children", headers={"Accept-Language": "es"})
    assert "Cómo empieza" in spanish.text and "Sextorsión" in spanish.text
    assert client.get("/training/guides/health").status_code == 404
    assert client.get("/training/courses/health", follow_redirects=False).status_code == 303
    courses = client.get("/api/training/courses").json()
    assert {c["id"] for c in courses} == {"health", "transport", "mdt", "parents", "children"}


def test_a_learner_takes_a_course_with_forms_and_gets_a_pdf(client: Any, login_as: Any) -> None:
    name = login_as("caseworker")
    course = get_content().course("mdt")
    assert client.post("/training/courses/mdt/start", data={"csrf_token": csrf_of(client)}).status_code == 200
    pre = client.post("/training/courses/mdt/test/pre", data=_form(client, wrong(course.test("pre"))))
    assert pre.status_code == 200 and 'data-testid="score"' in pre.text
    for module in course.modules:
        page = client.get(f"/training/courses/mdt/modules/{module.id}")
        assert page.status_code == 200 and 'class="vignette"' in page.text
        quiz = [course.questions[q] for q in module.quiz]
        assert (
            client.post(f"/training/courses/mdt/modules/{module.id}/quiz", data=_form(client, right(quiz))).status_code
            == 200
        )
    incomplete = client.post(
        "/training/courses/mdt/test/post", data=_form(client, {}), headers={"Accept-Language": "es"}
    )
    assert incomplete.status_code == 400 and "Responda a todas las preguntas" in incomplete.text
    post = client.post("/training/courses/mdt/test/post", data=_form(client, right(course.test("post"))))
    assert 'data-testid="passed"' in post.text and 'data-testid="certificate-issued"' in post.text
    assert "Barnahus Standards 2017" in post.text  # each answer's feedback names its sources
    progress = client.get("/api/training/progress").json()
    code = next(p["certificate"] for p in progress if p["course"] == "mdt")
    pdf = client.get(f"/training/certificates/{code}.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert name in text and code in text and f"/training/verify/{code}" in text
    client.post("/logout", data={"csrf_token": csrf_of(client)})
    verified = client.get(f"/training/verify/{code}")
    assert verified.status_code == 200 and 'data-state="valid"' in verified.text and name in verified.text
    assert client.get("/training/verify/AAAA-BBBB-CCCC").status_code == 404
    assert client.get(f"/training/certificates/{code}.pdf", follow_redirects=False).status_code == 303


def test_trainer_sees_own_organisation_and_exports_csv(client: Any, member: Any, make_user: Any) -> None:
    from sqlalchemy import select

    from heroes.core.db import session_scope
    from heroes.core.models import User
    from heroes.training import engine

    learner = member("caseworker", organisation="Clinic C")
    member("caseworker", organisation="Airline D", username="outsider-learner")
    trainer = member("trainer", organisation="Clinic C")
    with session_scope() as s:
        for name in (learner, "outsider-learner"):
            engine.start(s, s.execute(select(User).where(User.username == name)).scalar_one(), "health", "en")
    response = client.post(
        "/login", data={"username": trainer, "password": TEST_PASSWORD, "csrf_token": csrf_of(client)}
    )
    assert response.status_code == 200
    page = client.get("/training/admin?course=health")
    assert page.status_code == 200 and learner in page.text and "outsider-learner" not in page.text
    assert "Clinic C" in page.text
    summary = "<td>Recognising and referring victims of trafficking in health care</td><td>1</td><td>0</td><td>0</td>"
    assert f'<tr data-course="health">{summary}</tr>' in page.text  # started 1, completed 0, certified 0
    exported = client.get("/training/admin/learners.csv?course=health")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["username"] for r in rows] == [learner] and rows[0]["modules_total"] == "2"
    assert [r["username"] for r in client.get("/api/training/learners").json()] == [learner]
    assert client.get("/api/training/reminders").json() == []
