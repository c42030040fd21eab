"""Reports under hostile input: pixel bombs, guessing receipts, coarse anonymous times, bad URLs."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from heroes.core import audit
from heroes.core.db import session_scope
from heroes.core.errors import HeroesError
from heroes.core.models import AuditEntry
from heroes.reports import proof, service
from heroes.reports.models import Report
from heroes.reports.proof import Work
from heroes.reports.ratelimit import RateLimited, ReceiptThrottle
from heroes.reports.receipts import luhn_digit

from .helpers import FARM, submit


def _blank_png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG", optimize=True)
    return out.getvalue()


def test_many_big_blank_images_are_refused_before_decoding(heroes_db: Any) -> None:
    bomb = _blank_png(6000, 5000)  # 30 megapixels, a few tens of KB on disk
    assert len(bomb) < 200_000
    uploads = [service.Upload(f"blank{i}.png", bomb) for i in range(5)]
    with pytest.raises(HeroesError, match="too large together"):
        submit(FARM, uploads)
    with session_scope() as session:
        assert session.execute(select(Report)).first() is None


def test_anonymous_submission_time_is_kept_to_the_day(heroes_db: Any) -> None:
    done = submit(FARM)
    with session_scope() as session:
        report = session.get(Report, done.report_id)
        assert report is not None
        for moment in (report.created_at, report.updated_at, report.history[0].at):
            assert (moment.hour, moment.minute, moment.second, moment.microsecond) == (0, 0, 0, 0)
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "reports.submit")).scalar_one()
        assert (entry.at.hour, entry.at.minute, entry.at.microsecond) == (0, 0, 0)


def _wrong_code(lookup: str) -> str:
    body = lookup + "1234567890123"
    return body + luhn_digit(body)


def _guess(code: str, client: str) -> None:
    """One wrong code from a guesser who does the work asked for."""
    with session_scope() as session:
        challenge = service.receipt_challenge(session, code[:6], client)
        solution = proof.solve(challenge.token, challenge.bits) if challenge.bits else None
        assert service.open_by_receipt(session, code, client=client, proof_text=solution) is None


def test_guessing_receipts_never_locks_a_genuine_reporter_out(heroes_db: Any, monkeypatch: Any) -> None:
    done = submit(FARM)
    easy = Work(free=5, overall_free=50, start_bits=4, max_bits=10)  # the real curve, made cheap for a test
    monkeypatch.setattr(
        service, "receipt_throttle", lambda session: ReceiptThrottle(service.AuditFailureStore(session), work=easy)
    )
    target = done.receipt[:6]
    for i in range(200):  # 200 wrong codes in a few minutes: half on the reporter's lookup, half sprayed
        lookup = target if i % 2 else f"{(i * 7919) % 999999:06d}"
        _guess(_wrong_code(lookup), "guesser-token-00000001" if i % 3 else f"rotating-token-{i:08d}")
    with session_scope() as session:
        assert audit.count(session, "reports.receipt_failed") == 200
        details = session.execute(
            select(AuditEntry.details).where(AuditEntry.action == "reports.receipt_failed")
        ).scalars()
        assert not any("guesser-token" in d or "rotating-token" in d for d in details)  # digests only
    client = "reporter-token-00000001"
    with session_scope() as session, pytest.raises(RateLimited) as limited:  # the lookup is under attack
        service.open_by_receipt(session, done.receipt, client=client)
    challenge = limited.value.challenge
    assert challenge is not None and challenge.bits == easy.max_bits  # capped: solvable, never a lock
    with session_scope() as session:  # the reporter with the right code and the work done gets in
        solution = proof.solve(challenge.token, challenge.bits)
        report = service.open_by_receipt(session, done.receipt, client=client, proof_text=solution)
        assert report is not None and report.id == done.report_id


@pytest.mark.parametrize("url", ["http://x.example:99999/", "https://[::1", "http://[fe80::1%zz]:0/x"])
def test_a_report_with_a_bad_url_is_stored_from_the_form(client: Any, url: str) -> None:
    page = client.post("/reports/new", data={"description": f"They recruit at {url} every week.", "urls": url})
    assert page.status_code == 200, page.text
    with session_scope() as session:
        report = session.execute(select(Report)).scalars().one()
        assert url in report.content["description"]
