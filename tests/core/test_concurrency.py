"""Staff keep reading while many anonymous reports arrive at once (with replays of the same
Idempotency-Key racing the originals): every report is stored exactly once, nothing answers 5xx.
Runs against the real server on each database."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import func, select

from heroes.core.auth import create_api_token, create_user
from heroes.core.db import session_scope
from heroes.reports.models import Report
from tests.conftest import TEST_PASSWORD

REPORTS = 60
REPLAYED = 15
READERS = 5


async def _storm(base: str, token: str) -> tuple[list[tuple[int, str]], list[tuple[int, str]], list[int]]:
    staff = {"Authorization": f"Bearer {token}"}
    done = asyncio.Event()
    reads: list[int] = []
    limits = httpx.Limits(max_connections=REPORTS + REPLAYED + READERS + 5)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:

        async def submit(i: int) -> tuple[int, str]:
            body = {"description": f"Concurrency check {i}: the workers sleep in the warehouse."}
            response = await client.post("/api/reports", json=body, headers={"Idempotency-Key": f"storm-{i}"})
            return response.status_code, response.json().get("receipt", "")

        async def read(k: int) -> None:
            paths = ("/api/me", "/api/reports?limit=5", "/healthz")
            n = 0
            while not done.is_set():
                response = await client.get(paths[(k + n) % 3], headers=staff)
                reads.append(response.status_code)
                n += 1

        readers = [asyncio.create_task(read(k)) for k in range(READERS)]
        results = await asyncio.gather(*(submit(i) for i in range(REPORTS)), *(submit(i) for i in range(REPLAYED)))
        done.set()
        await asyncio.gather(*readers)
    return list(results[:REPORTS]), list(results[REPORTS:]), reads


def test_staff_reads_during_a_burst_of_submissions(live_server: str, heroes_db: Any) -> None:
    with session_scope() as session:
        user = create_user(session, "storm-reader", TEST_PASSWORD, "investigator")
        token = create_api_token(session, user, "storm")
    # In its own thread: another test's browser may have left an event loop running in this one.
    with ThreadPoolExecutor(1) as thread:
        originals, replays, reads = thread.submit(lambda: asyncio.run(_storm(live_server, token))).result()
    statuses = [code for code, _ in originals + replays]
    assert all(code < 500 for code in statuses + reads), sorted(set(statuses + reads))
    # each key: one 201; its racing replay either lost the race (409: the first is not committed
    # yet) or came after it and got the same receipt (200)
    for i in range(REPLAYED):
        pair = sorted([originals[i], replays[i]], key=lambda answer: answer[0] != 201)
        (first, first_receipt), (second, second_receipt) = pair
        assert first == 201 and second in (200, 409), pair
        if second == 200:
            assert second_receipt == first_receipt
    assert all(code == 201 for code, _ in originals[REPLAYED:])
    assert reads and set(reads) == {200}
    with session_scope() as session:
        stored = session.execute(select(func.count()).select_from(Report)).scalar_one()
        keys = session.execute(select(func.count(func.distinct(Report.submission_digest)))).scalar_one()
    assert stored == keys == REPORTS
