"""The reports library against a real database (SQLite, and PostgreSQL when reachable)."""

import io
import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet, InvalidToken
from PIL import Image
from sqlalchemy import select, text

from heroes.core.db import session_scope, utcnow
from heroes.core.errors import HeroesError, PermissionDenied
from heroes.core.models import AuditEntry
from heroes.core.settings import Settings
from heroes.reports import proof, service
from heroes.reports.models import Report
from heroes.reports.ratelimit import RateLimited
from heroes.reports.receipts import format_receipt
from heroes.reports.triage import ReportInput

from .helpers import FARM, GROOMING, principal_of, submit
from .imagegen import GPS_IFD, jpeg_with_gps


def actions(target: str | None = None) -> list[str]:
    with session_scope() as session:
        query = select(AuditEntry.action).order_by(AuditEntry.id)
        if target:
            query = query.where(AuditEntry.target == target)
        return list(session.execute(query).scalars())


def test_submit_stores_triage_identifiers_and_only_a_receipt_hash(heroes_db: Settings) -> None:
    done = submit(GROOMING, country="ES", phones=["612 345 678"], usernames=["discord: Night.Owl"])
    assert len(done.receipt) == 20
    with session_scope() as session:
        report = session.get(Report, done.report_id)
        assert report is not None
        assert report.category == "online_grooming"
        assert report.urgency_score == done.triage.urgency.score > 0
        assert report.receipt_hash.startswith("$argon2id$") and done.receipt not in report.receipt_hash
        assert report.receipt_lookup == done.receipt[:6]
        kinds = {(i.kind, i.value) for i in report.identifiers}
        assert ("phone", "+34612345678") in kinds and ("username", "night.owl") in kinds
        assert all(len(i.digest) == 64 and i.value not in i.digest for i in report.identifiers)
    # The narrative is encrypted at rest: not in the raw column.
    with session_scope() as session:
        raw = session.execute(text("SELECT content, triage FROM reports_reports")).mappings().one()
        assert raw["content"].startswith("gAAAA") and raw["triage"].startswith("gAAAA")  # Fernet tokens
        assert "daughter" not in raw["content"] and "daughter" not in raw["triage"]
    assert actions(f"report:{done.report_id}") == ["reports.submit"]


def test_reports_sharing_an_identifier_are_linked(heroes_db: Settings, make_user: Callable[..., str]) -> None:
    first = submit(FARM, country="ES", phones=["+34 612 34 56 78"])
    second = submit("Call 0034-612-345-678 about the farm workers, they sleep at the farm.", country="ES")
    third = submit("Nothing in common with the others, about a forced marriage.")
    investigator = principal_of(make_user("investigator"))
    with session_scope() as session:
        detail = service.get_report(session, investigator, first.report_id)
        assert [(link.report_id, link.shared) for link in detail.links] == [
            (second.report_id, [("phone", "+34612345678")])
        ]
        counts = service.link_counts(session, [first.report_id, second.report_id, third.report_id])
        assert counts == {first.report_id: 1, second.report_id: 1}


def test_queue_is_ranked_by_urgency_and_audited(heroes_db: Settings, make_user: Callable[..., str]) -> None:
    low = submit("Something about a job offer that felt wrong to me.")
    high = submit(GROOMING, danger_now=True)
    mid = submit(FARM, occurred_at=utcnow() - timedelta(days=2))
    investigator = principal_of(make_user("investigator"))
    with session_scope() as session:
        items = service.queue(session, investigator)
    assert [i.report.id for i in items] == [high.report_id, mid.report_id, low.report_id]
    assert items[0].report.triage["urgency"]["reasons"][0]["code"] == "danger_declared"
    with session_scope() as session:
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "reports.queue")).scalar_one()
        assert json.loads(entry.details)["ids"] == [high.report_id, mid.report_id, low.report_id]


def test_receipt_opens_report_and_wrong_codes_are_rate_limited(heroes_db: Settings) -> None:
    done = submit(GROOMING)
    with session_scope() as session:
        report = service.open_by_receipt(session, format_receipt(done.receipt))
        assert report is not None and report.id == done.report_id
    wrong_body = done.receipt[:6] + ("0000000000000" if done.receipt[6:19] != "0000000000000" else "1111111111111")
    from heroes.reports.receipts import luhn_digit

    wrong = wrong_body + luhn_digit(wrong_body)
    client = "service-test-client-0001"
    for _ in range(5):
        with session_scope() as session:
            assert service.open_by_receipt(session, wrong, client=client) is None
    with session_scope() as session, pytest.raises(RateLimited) as limited:
        service.open_by_receipt(session, wrong, client=client)
    # The right code needs the work too (a targeted guess is slowed here), but is never locked out:
    with session_scope() as session, pytest.raises(RateLimited) as limited:
        service.open_by_receipt(session, done.receipt, client=client)
    challenge = limited.value.challenge
    assert challenge is not None and challenge.lookup == done.receipt[:6] and challenge.bits > 0
    solution = proof.solve(challenge.token, challenge.bits)
    with session_scope() as session:
        report = service.open_by_receipt(session, done.receipt, client=client, proof_text=solution)
        assert report is not None and report.id == done.report_id
    assert actions().count("reports.receipt_failed") == 5
    with session_scope() as session:  # the page after the right code: the next forms need no new work
        opened = service.opened_token(done.receipt)
        assert service.open_by_receipt(session, done.receipt, client=client, opened=opened) is not None
        with pytest.raises(RateLimited):  # but that token opens nothing else
            service.open_by_receipt(session, wrong, client=client, opened=opened)


def test_staff_workflow_and_reporter_view(heroes_db: Settings, make_user: Callable[..., str]) -> None:
    done = submit(GROOMING, contact="call me after 6pm")
    investigator = principal_of(make_user("investigator", "ana.inv"))
    with session_scope() as session:
        service.set_status(session, investigator, done.report_id, "in_review")
        service.assign(session, investigator, done.report_id, "ana.inv")
        service.add_note(session, investigator, done.report_id, "internal: check the game account")
        question = service.ask_question(session, investigator, done.report_id, "Which game is it?")
        question_id = question.id
    with session_scope() as session:
        report = service.open_by_receipt(session, done.receipt)
        assert report is not None
        service.reporter_answer(session, report, question_id, "It is a building game; his name there is @blocky_man")
        view = service.reporter_view(session, report).as_dict()
    assert view["status"] == "in_review"
    assert view["questions"][0]["question"] == "Which game is it?"
    assert view["questions"][0]["answers"][0]["answer"].startswith("It is a building game")
    assert "internal" not in json.dumps(view)  # notes never reach the reporter
    with session_scope() as session:
        detail = service.get_report(session, investigator, done.report_id)
        assert detail.assignee == "ana.inv"
        # The answer was triaged again: its username is now an identifier of the report.
        assert ("username", "blocky_man") in {(i.kind, i.value) for i in detail.report.identifiers}
    with session_scope() as session, pytest.raises(HeroesError, match="outcome"):
        service.set_status(session, investigator, done.report_id, "closed")
    with session_scope() as session:
        service.set_status(session, investigator, done.report_id, "closed", "action_taken")
    with session_scope() as session, pytest.raises(HeroesError, match="cannot go"):
        service.set_status(session, investigator, done.report_id, "referred")
    history = actions(f"report:{done.report_id}")
    for action in (
        "reports.status",
        "reports.assign",
        "reports.note",
        "reports.question",
        "reports.answer",
        "reports.receipt_view",
        "reports.view",
    ):
        assert action in history


def test_permissions_are_checked_in_the_library(heroes_db: Settings, make_user: Callable[..., str]) -> None:
    done = submit(FARM)
    caseworker = principal_of(make_user("caseworker"))
    with session_scope() as session:
        with pytest.raises(PermissionDenied):
            service.get_report(session, caseworker, done.report_id)
        with pytest.raises(PermissionDenied):
            service.queue(session, caseworker)
    investigator = principal_of(make_user("investigator"))
    with session_scope() as session, pytest.raises(HeroesError, match="may not read"):
        service.assign(session, investigator, done.report_id, caseworker.username)


def test_attachments_clean_encrypted_and_audited_on_view(heroes_db: Settings, make_user: Callable[..., str]) -> None:
    photo = jpeg_with_gps()
    done = submit(FARM, uploads=[service.Upload("IMG_0042.jpg", photo), service.Upload("notes.txt", b"plate 1234 BCD")])
    stored = sorted((heroes_db.data_dir / "reports" / "attachments").glob("*.bin"))
    assert len(stored) == 2
    for path in stored:
        raw = path.read_bytes()
        assert b"\xff\xd8\xff" not in raw[:16] and b"plate" not in raw and b"TestCam" not in raw
        with pytest.raises(InvalidToken):
            Fernet(Fernet.generate_key()).decrypt(raw)  # unreadable without the installation's key
    investigator = principal_of(make_user("investigator"))
    with session_scope() as session:
        report = session.get(Report, done.report_id)
        assert report is not None
        first = report.attachments[0]
        attachment, data = service.read_attachment(session, investigator, done.report_id, first.id)
    assert attachment.filename == "IMG_0042.jpg"
    image = Image.open(io.BytesIO(data))
    assert len(image.getexif()) == 0 and not image.getexif().get_ifd(GPS_IFD)
    assert "reports.attachment_view" in actions(f"report:{done.report_id}")


def test_a_bad_file_refuses_the_whole_submission(heroes_db: Settings) -> None:
    with pytest.raises(HeroesError, match=r"evil\.exe: This type of file is not accepted"):
        submit(FARM, uploads=[service.Upload("evil.exe", b"MZ\x90\x00" + bytes(300))])
    with session_scope() as session:
        assert session.execute(select(Report)).first() is None
    assert not list((heroes_db.data_dir / "reports" / "attachments").glob("*.bin"))


def test_idempotency_key_stores_once(heroes_db: Settings) -> None:
    first = submit(FARM, idempotency_key="form-123")
    with pytest.raises(service.DuplicateSubmission) as same:
        submit(FARM, idempotency_key="form-123")
    assert same.value.receipt == first.receipt  # a retry of the same report gets its receipt again
    with pytest.raises(service.DuplicateSubmission) as other:
        submit(GROOMING, idempotency_key="form-123")
    assert other.value.receipt is None  # other content under the key learns nothing
    with session_scope() as session:
        assert len(session.execute(select(Report)).all()) == 1


def test_export_json_and_csv(heroes_db: Settings, make_user: Callable[..., str]) -> None:
    one = submit('=HYPERLINK("http://x") the workers at the farm are never paid', phones=["+34 612 345 678"])
    two = submit(GROOMING)
    investigator = principal_of(make_user("investigator"))
    with session_scope() as session:
        data = json.loads(service.export_reports(session, investigator, [one.report_id, two.report_id], "json"))
        text = service.export_reports(session, investigator, None, "csv")
    assert data["format"] == "heroes.reports/1"
    assert [r["id"] for r in data["reports"]] == [one.report_id, two.report_id]
    assert data["reports"][0]["identifiers"][0]["value"] == "+34612345678"
    lines = text.splitlines()
    assert lines[0].startswith("id,created_at,status")
    assert "'=HYPERLINK" in text  # no formula injection when opened in a spreadsheet
    assert actions().count("reports.export") == 4
    with session_scope() as session, pytest.raises(HeroesError, match="json or csv"):
        service.export_reports(session, investigator, None, "xml")


def test_identifier_values_are_not_stored_in_clear(heroes_db: Settings) -> None:
    submit(FARM, phones=["+34 612 345 678"])
    with session_scope() as session:
        rows = session.execute(text("SELECT * FROM reports_identifiers")).mappings().all()
    assert rows
    assert all("612345678" not in str(dict(row)) for row in rows)


def test_files_of_a_rolled_back_submission_are_removed(heroes_db: Settings) -> None:
    folder = heroes_db.data_dir / "reports" / "attachments"

    class Boom(Exception):
        pass

    with pytest.raises(Boom), session_scope() as session:
        service.submit(
            session,
            service.Submission(
                report=ReportInput(description=FARM), uploads=[service.Upload("a.jpg", jpeg_with_gps())]
            ),
        )
        assert len(list(folder.glob("*.bin"))) == 1  # written inside the transaction...
        raise Boom()
    assert list(folder.glob("*.bin")) == []  # ...and gone with it
    submit(FARM, uploads=[service.Upload("a.jpg", jpeg_with_gps())])
    assert len(list(folder.glob("*.bin"))) == 1  # a committed submission keeps its file
