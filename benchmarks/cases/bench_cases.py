"""Case tool figures: the consent check on a case with 1,000 shares, the case page with 500 notes, and
20 staff editing one case at once with no lost update, on SQLite and (when reachable) PostgreSQL.

Baselines measured in the same run: the consent check on a case with 1 share, the page with 5 notes,
and one editor making the same number of edits alone.

    nice -n 10 .venv/bin/python benchmarks/cases/bench_cases.py [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
EDITORS, EDITS_EACH = 20, 5


def _timed(fn: Callable[[], Any], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def _setup(backend: str, root: Path) -> str | None:
    from heroes.core import db
    from heroes.core.settings import Settings, set_settings

    schema = None
    url = None
    if backend == "postgresql":
        schema = f"bench_cases_{uuid.uuid4().hex[:8]}"
        with create_engine(POSTGRES_URL).begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    db.reset_engine()
    set_settings(
        Settings(
            data_dir=root / backend,
            database_url=url,
            secret_key="bench",
            encryption_key=Fernet.generate_key().decode(),
            job_runner="inline",
        )
    )
    db.upgrade()
    return schema


def _world(organisations: int) -> tuple[Any, list[Any]]:
    """An owner NGO (a coordinator, 20 caseworkers) and `organisations` partners with one caseworker each."""
    from heroes.cases.access import Viewer
    from heroes.core import db
    from heroes.core.auth import hash_password
    from heroes.core.models import Organisation, User

    password = hash_password("benchmark-password")
    viewers = []
    with db.session_scope() as s:
        for index in range(organisations + 1):
            org = Organisation(name=f"Org {index}", kind="ngo" if index == 0 else "social", country="ES")
            s.add(org)
            s.flush()
            staff = ["coordinator"] + ["caseworker"] * EDITORS if index == 0 else ["caseworker"]
            for number, role in enumerate(staff):
                user = User(
                    username=f"{role}-{index}-{number}", role=role, password_hash=password, organisation_id=org.id
                )
                s.add(user)
                s.flush()
                viewers.append(Viewer(user.username, user.id, role, org.id, org.kind, org.name))
    return viewers[1], viewers


def _case_with_shares(owner: Any, partners: list[Any]) -> int:
    from heroes.cases import engine
    from heroes.cases.models import CaseConsent
    from heroes.core import db

    with db.session_scope() as s:
        case = engine.open_case(s, owner, pseudonym="Bench", child=False, languages=["es"], risk="high")
        for partner in partners:
            s.add(
                CaseConsent(
                    case_id=case.id,
                    purpose="share_org",
                    organisation_id=partner.organisation_id,
                    given_by="person",
                    method="written",
                    recorded_by=owner.username,
                )
            )
        return case.id


def bench_consent(partners: list[Any], owner: Any) -> list[str]:
    from heroes.cases import engine
    from heroes.cases.access import relation_to
    from heroes.core import db

    small = _case_with_shares(owner, partners[:1])
    large = _case_with_shares(owner, partners[:1000])
    viewer = partners[0]
    rows = []
    for label, case_id in (("1 share (baseline)", small), ("1,000 shares", large)):
        with db.session_scope() as s:
            case = engine.load_case(s, case_id)
            med, p95 = _timed(lambda s=s, case=case: relation_to(s, case, viewer), 200)

        def view(case_id: int = case_id) -> None:
            with db.session_scope() as s:
                engine.case_view(s, case_id, viewer)

        vmed, vp95 = _timed(view, 50)
        rows.append(f"| consent check, {label} | {med:.2f} | {p95:.2f} | {vmed:.2f} | {vp95:.2f} |")
    return rows


def bench_page(owner: Any, coordinator_name: str) -> list[str]:
    from fastapi.testclient import TestClient

    from heroes.cases import engine
    from heroes.cases.models import CaseNote
    from heroes.core import db
    from heroes.core.web.app import create_app

    rows = []
    client = TestClient(create_app())
    login = client.get("/login").text
    token = login.split('name="csrf-token" content="')[1].split('"')[0]
    client.post("/login", data={"username": coordinator_name, "password": "benchmark-password", "csrf_token": token})
    for label, count in (("5 notes (baseline)", 5), ("500 notes", 500)):
        with db.session_scope() as s:
            case_id = engine.open_case(s, owner, pseudonym="Notes", child=False).id
            for index in range(count):
                s.add(
                    CaseNote(
                        case_id=case_id,
                        category="general",
                        text=f"Follow-up note {index}: " + "words " * 40,
                        author=owner.username,
                        organisation_id=owner.organisation_id,
                    )
                )
        response = client.get(f"/cases/{case_id}", params={"tab": "notes"})
        assert response.status_code == 200 and response.text.count('class="note note-general"') == count
        med, p95 = _timed(lambda case_id=case_id: client.get(f"/cases/{case_id}", params={"tab": "notes"}), 15)
        rows.append(f"| case page, {label} | {med:.1f} | {p95:.1f} |")
    return rows


def _edit_run(team: list[Any], case_ids: list[int], edits_each: int) -> tuple[list[str], int, float]:
    """Each editor reads the case, then saves an appended token with the version it read; a refused
    (stale) save is retried after a short random pause, as a person reloading the page would."""
    from heroes.cases import engine
    from heroes.core import db

    done: list[str] = []
    refused = [0]
    lock = threading.Lock()

    def work(index: int) -> None:
        viewer, case_id = team[index], case_ids[index % len(case_ids)]
        rng = random.Random(index)
        for round_ in range(edits_each):
            token = f"e{index}r{round_}"
            while True:
                with db.session_scope() as s:
                    view = engine.case_view(s, case_id, viewer)
                try:
                    with db.session_scope() as s:
                        engine.update_case(
                            s, case_id, viewer, view["version"], {"summary": f"{view['summary']} {token}"}
                        )
                    with lock:
                        done.append(token)
                    break
                except engine.StaleEdit:
                    with lock:
                        refused[0] += 1
                    time.sleep(rng.uniform(0.005, 0.05))

    start = time.perf_counter()
    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(team))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done, refused[0], time.perf_counter() - start


def bench_editors(editors: list[Any], owner: Any, backend: str) -> list[str]:
    from heroes.cases import engine
    from heroes.cases.models import Case
    from heroes.core import db

    rows = []
    scenarios = (
        ("1 editor, 1 case (baseline)", editors[:1], 1),
        (f"{EDITORS} editors, one case each", editors[:EDITORS], EDITORS),
        (f"{EDITORS} editors, the same case", editors[:EDITORS], 1),
    )
    for label, team, cases in scenarios:
        with db.session_scope() as s:
            case_ids = [engine.open_case(s, owner, pseudonym="Edit", child=False).id for _ in range(cases)]
        done, refused, seconds = _edit_run(team, case_ids, EDITS_EACH * EDITORS // len(team))
        with db.session_scope() as s:
            kept = {token for case_id in case_ids for token in (s.get(Case, case_id).summary or "").split()}  # type: ignore[union-attr]
        lost = len(set(done) - kept)
        rows.append(
            f"| {backend} | {label} | {len(done)} | {refused} | {lost} | {len(done) / seconds:.1f} | {seconds:.1f} |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-cases-"))
    consent_rows, page_rows, edit_rows = [], [], []
    for backend in args.backends.split(","):
        try:
            schema = _setup(backend, root)
        except Exception as exc:  # PostgreSQL not reachable: report and go on
            print(f"{backend}: skipped ({type(exc).__name__})")
            continue
        owner, viewers = _world(1000)
        coordinator = viewers[0]
        team = viewers[1 : 1 + EDITORS]
        partners = viewers[1 + EDITORS :]
        consent_rows += [row.replace("| consent", f"| {backend}: consent") for row in bench_consent(partners, owner)]
        page_rows += [
            row.replace("| case page", f"| {backend}: case page") for row in bench_page(owner, coordinator.username)
        ]
        edit_rows += bench_editors(team, owner, backend)
        from heroes.core import db

        db.reset_engine()
        if schema:
            with create_engine(POSTGRES_URL).begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    print("| what | check median ms | check p95 ms | whole audited read median ms | p95 ms |")
    print("| --- | --- | --- | --- | --- |")
    print("\n".join(consent_rows))
    print()
    print("| page | median ms | p95 ms |")
    print("| --- | --- | --- |")
    print("\n".join(page_rows))
    print()
    print("| backend | editors | edits saved | edits refused (stale, retried) | lost updates | edits/s | seconds |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    print("\n".join(edit_rows))


if __name__ == "__main__":
    main()
