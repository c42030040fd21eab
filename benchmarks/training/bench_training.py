"""Training speed: module page render, xAPI statement validation throughput, LRS store and query, content load.

Run: .venv/bin/python benchmarks/training/bench_training.py
Each figure is printed next to a baseline measured in the same run:
- a module page (sections, vignette, quiz, sources, through the whole app and a signed-in learner) vs. the
  login page through the same app (the fixed cost of a request + base template);
- statement validation vs. a JSON round trip of the same statement (the floor cost of touching it);
- storing a batch of statements in the LRS vs. inserting the same rows without validation or filter links;
- loading and validating all course files vs. only parsing the same YAML and Markdown.
"""

from __future__ import annotations

import copy
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import yaml
from fastapi.testclient import TestClient

from heroes.core import db
from heroes.core.auth import create_user
from heroes.core.db import session_scope, utcnow
from heroes.core.jobs import InlineRunner, set_runner
from heroes.core.settings import Settings, set_settings
from heroes.core.web.app import create_app
from heroes.training import engine, lrs
from heroes.training.content import PACKAGE_CONTENT, get_content, validate
from heroes.training.models import Statement
from heroes.training.xapi_rules import check_statement

PASSWORD = "benchmark-password-1"


def timed(label: str, func: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        runs.append(time.perf_counter() - start)
    median = statistics.median(runs) * 1000
    print(f"{label:<62} median {median:8.3f} ms over {repeat} runs")
    return median


def parse_only() -> None:
    for path in PACKAGE_CONTENT.rglob("*"):
        if path.suffix == ".yaml":
            yaml.safe_load(path.read_text(encoding="utf-8"))
        elif path.suffix == ".md":
            path.read_text(encoding="utf-8").splitlines()


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="heroes-bench-training-"))
    set_settings(Settings(data_dir=workdir))
    set_runner(InlineRunner())
    db.upgrade()
    content = get_content()
    course = content.course("health")
    print(f"content: {len(content.courses)} courses and guides, {len(content.sources)} sources")

    base = timed("baseline: parse YAML + read Markdown only", parse_only, 20)
    full = timed("load + validate every course and guide", lambda: validate([PACKAGE_CONTENT]), 20)
    print(f"  validation overhead x{full / base:.1f}")

    with session_scope() as s:
        # a whole course in Spanish (failed once, then passed) emits every kind of statement the platform makes
        other = create_user(s, "bench-other", PASSWORD, "caseworker")
        engine.start(s, other, "health", "es")
        engine.submit_test(s, other, "health", "pre", {q.id: sorted(q.correct) for q in course.test("pre")}, "es")
        for module in course.modules:
            quiz = {q: sorted(course.questions[q].correct) for q in module.quiz}
            engine.submit_quiz(s, other, "health", module.id, quiz, "es")
        wrong = {q.id: [next(o.id for o in q.options if not o.correct)] for q in course.test("post")}
        engine.submit_test(s, other, "health", "post", wrong, "es")
        engine.submit_test(s, other, "health", "post", {q.id: sorted(q.correct) for q in course.test("post")}, "es")
        user = create_user(s, "bench-learner", PASSWORD, "caseworker")
        engine.start(s, user, "health", "en")
        answers = {q.id: sorted(q.correct) for q in course.test("pre")}
        engine.submit_test(s, user, "health", "pre", answers, "en")
    client = TestClient(create_app())
    login = client.get("/login")
    token = login.text.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/login", data={"username": "bench-learner", "password": PASSWORD, "csrf_token": token})
    assert client.get("/training/courses/health/modules/signs").status_code == 200
    print()
    base_page = timed("baseline: GET /login (same app, base template)", lambda: client.get("/login"), 200)
    module_page = timed(
        "GET /training/courses/health/modules/signs (signed in)",
        lambda: client.get("/training/courses/health/modules/signs"),
        200,
    )
    guide_page = timed("GET /training/guides/parents (public)", lambda: client.get("/training/guides/parents"), 200)
    print(f"  module page x{module_page / base_page:.1f} the baseline; guide page x{guide_page / base_page:.1f}")

    with session_scope() as s:
        statements = [r.statement for r in s.query(Statement).all()]
    biggest = max(statements, key=lambda st: len(json.dumps(st)))
    n = 2000
    sample = [copy.deepcopy(statements[i % len(statements)]) for i in range(n)]
    print()
    base_json = timed(
        f"baseline: JSON round trip of {n} emitted statements", lambda: [json.loads(json.dumps(x)) for x in sample], 5
    )
    valid = timed(f"validate {n} emitted statements (1.0.3 rules)", lambda: [check_statement(x) for x in sample], 5)
    print(f"  {n / valid * 1000:,.0f} statements/s validated ({n / base_json * 1000:,.0f}/s JSON round trip)")
    errors = sum(bool(check_statement(x, v)) for x in statements for v in ("1.0.3", "2.0.0"))
    verbs = sorted({x["verb"]["id"].rsplit("/", 1)[1] for x in statements})
    print(f"  emitted statements checked: {len(statements)} x 2 versions ({', '.join(verbs)}), {errors} broken")
    print(f"  largest statement: {len(json.dumps(biggest))} bytes, {biggest['verb']['id'].rsplit('/', 1)[1]}")

    batch = 100

    def fresh() -> list[dict[str, object]]:
        return [{**copy.deepcopy(biggest), "id": str(uuid.uuid4())} for _ in range(batch)]

    authority = engine.platform_authority()

    def store_batch() -> None:
        with session_scope() as s:
            lrs.store(s, fresh(), version="1.0.3", authority=authority, organisation_id=None)

    def raw_insert() -> None:
        now = utcnow()
        with session_scope() as s:
            s.add_all(
                Statement(
                    id=x["id"],
                    stored=now,
                    timestamp=now,
                    version="1.0.3",
                    verb_id=x["verb"]["id"],
                    voided=False,
                    organisation_id=None,
                    statement=x,
                )
                for x in fresh()
            )

    print()
    base_store = timed(f"baseline: insert {batch} statement rows (SQLite)", raw_insert, 10)
    stored = timed(f"LRS store of {batch} statements (validate, links, voiding)", store_batch, 10)
    print(f"  {batch / stored * 1000:,.0f} statements/s stored (x{stored / base_store:.1f} the raw insert)")
    activity = engine.activity_id("health")
    query = lrs.Query(activity=activity, related_activities=True, limit=100)
    with session_scope() as s:
        total = s.query(Statement).count()
        timed(f"query 100 of {total} statements by related activity", lambda: lrs.find(s, query, None, True), 20)
    set_settings(None)


if __name__ == "__main__":
    main()
