"""Concurrent submissions against the real server on 127.0.0.1: each report is stored exactly once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import select

from heroes.core.db import session_scope
from heroes.core.settings import Settings
from heroes.reports.models import Report

REPORTS = 24
WORKERS = 6


def _send(base: str, i: int) -> tuple[int, int, str]:
    body = {"description": f"Load check {i}: workers at the farm are never paid.", "phones": [f"+34 612 000 {i:03d}"]}
    with httpx.Client(base_url=base, timeout=60) as client:
        response = client.post("/api/reports", json=body, headers={"Idempotency-Key": f"load-{i}"})
    return i, response.status_code, response.json().get("receipt", "")


def test_concurrent_submissions_are_stored_exactly_once(live_server: str, heroes_db: Settings) -> None:
    with ThreadPoolExecutor(WORKERS) as pool:
        first = list(pool.map(lambda i: _send(live_server, i), range(REPORTS)))
        # Every request sent again (a client retrying after a timeout): none may be stored twice.
        replay = list(pool.map(lambda i: _send(live_server, i), range(REPORTS)))
    assert [status for _, status, _ in first] == [201] * REPORTS
    # a retry of the very same report is answered with its first receipt, and stored once
    assert [status for _, status, _ in replay] == [200] * REPORTS
    receipts = [receipt for _, _, receipt in first]
    assert [receipt for _, _, receipt in replay] == receipts
    assert len(set(receipts)) == REPORTS
    with session_scope() as session:
        reports = session.execute(select(Report)).scalars().all()
        descriptions = sorted(r.content["description"] for r in reports)
        phones = sorted(i.value for r in reports for i in r.identifiers if i.kind == "phone")
    assert len(reports) == REPORTS
    assert descriptions == sorted(f"Load check {i}: workers at the farm are never paid." for i in range(REPORTS))
    assert phones == sorted(f"+34612000{i:03d}" for i in range(REPORTS))
    with httpx.Client(base_url=live_server, timeout=30) as client:
        assert all(client.get(f"/api/reports/{code}").status_code == 200 for code in receipts[:3])
