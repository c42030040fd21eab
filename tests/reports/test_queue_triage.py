"""The triage in the queue, the report page and the API: aging, disagreement with why, the re-triage
job (audited), staff actions that confirm or explain, prefill from other tools, the reporter's copy."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from heroes.core.db import session_scope, utcnow
from heroes.core.models import AuditEntry
from heroes.core.settings import Settings
from heroes.reports import service
from heroes.reports.jobs import retriage_all
from heroes.reports.models import Report
from heroes.reports.rules import urgency_rules
from tests.conftest import csrf_of

from .helpers import FARM, GROOMING, principal_of, submit

RECEIPT = re.compile(r'data-testid="receipt" data-code="([0-9]+)"')


def _age(report_id: int, days: float) -> None:
    with session_scope() as session:
        report = session.get(Report, report_id)
        assert report is not None
        report.created_at = utcnow() - timedelta(days=days)


def test_queue_ages_reports_without_new_information(heroes_db: Settings, make_user: Callable[..., str]) -> None:
    fresh = submit(FARM)
    old = submit(GROOMING)
    assert old.triage.urgency.level == "high" and fresh.triage.urgency.level == "medium"
    period = urgency_rules().recency_days
    _age(old.report_id, 2 * period + 1)  # two periods without news: high -> low
    reader = principal_of(make_user("investigator"))
    with session_scope() as session:
        items = service.queue(session, reader)
        shown = {i.report.id: (i.shown_level, i.aged_steps) for i in items}
        assert [i.report.id for i in items] == [fresh.report_id, old.report_id]
    assert shown[old.report_id] == ("low", 2) and shown[fresh.report_id] == ("medium", 0)
    # The reporter adds something: the clock restarts and the level is shown again.
    with session_scope() as session:
        report = session.get(Report, old.report_id)
        assert report is not None
        service.reporter_add(session, report, "He wrote to her again last night.")
    with session_scope() as session:
        items = service.queue(session, reader)
        assert items[0].report.id == old.report_id and items[0].aged_steps == 0
        assert items[0].shown_level == items[0].report.urgency_level == "high"


def test_retriage_job_updates_stored_reports_and_is_audited(heroes_db: Settings, make_user: Callable[..., str]) -> None:
    done = submit(FARM, category="domestic_servitude")
    with session_scope() as session:  # as if triaged by an older model
        report = session.get(Report, done.report_id)
        assert report is not None
        report.suggested_category = "other"
        report.urgency_level = "low"
        report.urgency_score = 1
    admin = make_user("admin")
    summary = retriage_all(admin)
    assert summary["reports"] == 1 and summary["changed"] == 1
    with session_scope() as session:
        report = session.get(Report, done.report_id)
        assert report is not None
        assert report.suggested_category == "labour_exploitation" and report.urgency_level != "low"
        assert report.category == "domestic_servitude"  # the reporter's choice is kept
        entries = session.execute(select(AuditEntry).where(AuditEntry.action.like("reports.retriage%"))).scalars()
        by_action = {e.action: json.loads(e.details) for e in entries}
    assert by_action["reports.retriage"]["from"] == ["other", "low"]
    assert by_action["reports.retriage_run"]["changed"] == 1
    assert "farm" not in json.dumps(by_action)  # ids and levels only, never the text


def test_retriage_through_the_api_runs_the_job(
    client: TestClient, login_as: Callable[..., str], heroes_db: Settings
) -> None:
    submit(FARM)
    login_as("investigator")
    answer = client.post("/api/reports/retriage", headers={"X-CSRF-Token": csrf_of(client)})
    assert answer.status_code == 202, answer.text
    job = client.get(f"/api/jobs/{answer.json()['job']}")
    assert job.status_code == 200 and job.json()["state"] == "done", job.text
    assert job.json()["result"]["reports"] == 1
    with session_scope() as session:
        actions = set(session.execute(select(AuditEntry.action)).scalars())
    assert "reports.retriage_run" in actions


def test_queue_shows_the_disagreement_and_why(
    client: TestClient, login_as: Callable[..., str], heroes_db: Settings
) -> None:
    done = submit(FARM, category="domestic_servitude")
    assert done.triage.disagreement
    login_as("investigator")
    page = client.get("/reports/queue")
    assert 'data-testid="disagreement"' in page.text
    assert "Domestic servitude" in page.text and "Labour exploitation" in page.text
    assert "never paid" in page.text  # the words behind the suggestion
    api = client.get("/api/reports").json()[0]
    why = api["disagreement"]
    assert why["reporter_category"] == "domestic_servitude"
    assert why["suggested_category"] == "labour_exploitation"
    assert why["phrases"] and len(why["similar_categories"]) == 3
    assert api["shown_level"] == api["urgency_level"] and api["aged_steps"] == 0
    detail = client.get(f"/reports/{done.report_id}")
    assert 'data-testid="disagreement"' in detail.text and 'data-testid="similar"' in detail.text
    assert "Report queue" in detail.text  # the header links staff to the queue


def test_staff_actions_confirm_and_closing_without_outcome_explains(
    client: TestClient, login_as: Callable[..., str], heroes_db: Settings
) -> None:
    done = submit(FARM)
    name = login_as("investigator")
    token = csrf_of(client)
    url = f"/reports/{done.report_id}"
    note = client.post(f"{url}/notes", data={"csrf_token": token, "body": "Called the labour inspectorate."})
    assert note.status_code == 200 and "The note was added." in note.text
    assigned = client.post(f"{url}/assign", data={"csrf_token": token, "username": name})
    assert "The assignment was saved." in assigned.text
    asked = client.post(f"{url}/questions", data={"csrf_token": token, "body": "Which farm is it?"})
    assert "The question was sent" in asked.text
    closing = client.post(f"{url}/status", data={"csrf_token": token, "status": "closed", "outcome": ""})
    assert closing.status_code == 400
    assert 'data-testid="action-error"' in closing.text and "choose its outcome" in closing.text
    assert f"Report #{done.report_id}" in closing.text  # the report page, not a generic error page
    closed = client.post(
        f"{url}/status", data={"csrf_token": token, "status": "closed", "outcome": "not_enough_information"}
    )
    assert "The status was changed." in closed.text


def test_dates_in_the_readers_language(client: TestClient, login_as: Callable[..., str], heroes_db: Settings) -> None:
    submit(FARM)
    login_as("investigator")
    client.get("/lang/es")
    page = client.get("/reports/queue")
    months = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic")
    assert re.search(r"\d{1,2} (" + "|".join(months) + r")\w* \d{4}", page.text)
    assert not re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", page.text)


def test_form_prefilled_from_another_tool_and_never_sent_by_itself(client: TestClient, heroes_db: Settings) -> None:
    ad = "Girls wanted for hostess work abroad, travel paid, no experience, send photos."
    start = client.get("/reports/new", params={"category": "sexual_exploitation", "text": ad})
    assert re.search(r'value="sexual_exploitation"[^>]*\s+checked>', start.text)
    assert f'name="text" value="{ad}"' in start.text
    details = client.get("/reports/new", params={"step": "details", "category": "sexual_exploitation", "text": ad})
    assert f">{ad}</textarea>" in details.text
    with session_scope() as session:
        assert session.execute(select(Report)).first() is None  # nothing stored until the reader sends it


def test_reporter_rereads_what_they_sent(client: TestClient, heroes_db: Settings) -> None:
    form = client.get("/reports/new?step=details&category=labour_exploitation")
    tokens = dict(re.findall(r'name="(csrf_token|idempotency_key)" value="([^"]+)"', form.text))
    sent = client.post(
        "/reports/new",
        data={**tokens, "description": FARM, "category": "labour_exploitation", "location": "Finca Los Olivos"},
    )
    match = RECEIPT.search(sent.text)
    assert match
    assert 'data-testid="copy-receipt"' in sent.text and 'data-testid="print-receipt"' in sent.text
    assert sent.text.count('class="digit-group"') == 5
    page = client.post("/reports/receipt", data={"csrf_token": csrf_of(client), "receipt": match.group(1)})
    assert 'data-testid="what-you-sent"' in page.text
    assert FARM in page.text and "Finca Los Olivos" in page.text
