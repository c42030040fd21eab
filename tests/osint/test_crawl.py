"""The crawler against a local site the test serves (no internet), the WARC round trip, imports."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from heroes.cli import app
from heroes.osint.ads import BadInput
from heroes.osint.crawl import USER_AGENT, CrawlConfig, Crawler, links_of, read_warc
from heroes.osint.store import Viewer, import_files, load_collection
from tests.osint.site import Site, serve

ME = Viewer("tester")


def crawl(base: str, tmp_path: Path, **options: object) -> tuple[object, Path]:
    out = tmp_path / "capture.warc.gz"
    config = CrawlConfig([base + "/"], ["127.0.0.1"], delay=0.0, retries=2, backoff=0.01, timeout=5, **options)  # type: ignore[arg-type]
    return Crawler(config).run(out), out


def test_crawl_obeys_robots_follows_pages_and_retries(tmp_path: Path) -> None:
    site = Site(pages=3)
    with serve(site) as base:
        result, _ = crawl(base, tmp_path, max_pages=50)
    fetched = {u.removeprefix(base) for u in result.fetched}  # type: ignore[attr-defined]
    assert {"/", "/list/1", "/list/2", "/list/3", "/broken", "/old", "/moved", "/slow", "/flaky"} <= fetched
    assert "/fail" not in fetched and result.failed == {base + "/fail": "HTTP 500"}  # type: ignore[attr-defined]
    assert site.hits["/fail"] == 3 and site.hits["/flaky"] == 2  # two retries; the flaky page on its second try
    assert site.hits["/private/x"] == 0 and base + "/private/x" in result.refused_by_robots  # type: ignore[attr-defined]
    assert site.agents == {USER_AGENT}


def test_legal_basis_overrides_robots_and_is_recorded(tmp_path: Path) -> None:
    site = Site(pages=1)
    with serve(site) as base:
        crawl(base, tmp_path, max_pages=50, legal_basis="Court order 12/2026")
    assert site.hits["/private/x"] == 1
    with gzip.open(tmp_path / "capture.warc.gz", "rt", encoding="utf-8", errors="replace") as handle:
        assert "legal-basis-robots-override: Court order 12/2026" in handle.read()


def test_max_pages_and_depth(tmp_path: Path) -> None:
    site = Site(pages=5)
    with serve(site) as base:
        result, _ = crawl(base, tmp_path, max_pages=3)
        assert len(result.fetched) == 3  # type: ignore[attr-defined]
        shallow, _ = crawl(base, tmp_path, max_pages=50, depth=0)
    assert [u.removeprefix(base) for u in shallow.fetched] == ["/"]  # type: ignore[attr-defined]


def test_warc_round_trip_keeps_requests_responses_and_payloads(tmp_path: Path) -> None:
    site = Site(pages=1)
    with serve(site) as base:
        _, out = crawl(base, tmp_path, max_pages=50)
        import httpx

        direct = httpx.get(base + "/list/1").content
    records = read_warc(out)
    kinds = [r[0] for r in records]
    assert kinds[0] == "warcinfo" and kinds.count("request") == kinds.count("response")
    payloads = {uri: body for kind, uri, status, body in records if kind == "response" and status == 200}
    assert hashlib.sha256(payloads[base + "/list/1"]).hexdigest() == hashlib.sha256(direct).hexdigest()
    assert {status for kind, _, status, _ in records if kind == "response"} >= {200, 301, 500, 503}


def test_links_from_broken_html() -> None:
    assert links_of("<p>Open <b><a href='/a'>x<div><a href=\"b#frag\">", "http://h/x/") == [
        "http://h/a",
        "http://h/x/b",
    ]


def test_import_warc_csv_jsonl_and_folder(tmp_path: Path, heroes_db: object) -> None:
    site = Site(pages=2)
    with serve(site) as base:
        _, out = crawl(base, tmp_path, max_pages=50)
    summary = import_files([out], "capture", ME)
    ads = load_collection("capture")
    by_id = {a.id: a for a in ads}
    assert {"site-1-0", "site-1-1", "site-2-0", "site-2-1"} <= set(by_id)
    assert by_id["site-2-1"].location == "Toledo" and by_id["site-2-1"].age == 31
    assert summary.added == len(ads)
    again = import_files([out], "capture", ME)
    assert again.added == 0 and again.already == summary.added

    csv_file = tmp_path / "ads.csv"
    csv_file.write_text("id,title,text\nc1,Cook,Cooks at home\nc2,Driver,Drives at night\n", encoding="utf-8")
    jsonl = tmp_path / "ads.jsonl"
    jsonl.write_text(json.dumps({"id": "j1", "text": "Garden help"}) + "\n", encoding="utf-8")
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "one.html").write_text(
        "<html><title>Painter</title><body><p>I paint walls and doors in spring.</p></body></html>"
    )
    result = import_files([csv_file, jsonl, folder], "mixed", ME)
    assert result.added == 4
    assert "Painter" in {a.title for a in load_collection("mixed")}


def test_malformed_files_are_refused_by_line_and_nothing_is_added(tmp_path: Path, heroes_db: object) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"id": "g1", "text": "fine"}) + "\n", encoding="utf-8")
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("id,title\nx1,ok\nx2,too,many\n", encoding="utf-8")
    with pytest.raises(BadInput, match=r"bad.csv line 3: more fields"):
        import_files([good, bad_csv], "c", ME)
    bad_jsonl = tmp_path / "bad.jsonl"
    bad_jsonl.write_text('{"id": "a"}\n{"id": \n', encoding="utf-8")
    with pytest.raises(BadInput, match=r"bad.jsonl line 2: not valid JSON"):
        import_files([bad_jsonl], "c", ME)
    not_warc = tmp_path / "x.warc.gz"
    not_warc.write_bytes(b"not a warc at all")
    with pytest.raises(BadInput, match="not a readable WARC"):
        import_files([not_warc], "c", ME)
    with pytest.raises(BadInput, match="No collection"):
        load_collection("c")


def test_cli_crawl_records_custody_then_import_and_graph(tmp_path: Path, heroes_db: object, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("investigator")
    runner = CliRunner()
    out = tmp_path / "cap.warc.gz"
    with serve(Site(pages=2)) as base:
        result = runner.invoke(
            app, ["--user", user, "osint", "crawl", base + "/", "--domain", "127.0.0.1", "--max-pages", "20",
                  "--delay", "0", "--retries", "1", "-o", str(out)],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    sha = hashlib.sha256(out.read_bytes()).hexdigest()
    assert sha in result.output
    from sqlalchemy import select

    from heroes.core.db import session_scope
    from heroes.core.models import CustodyRecord

    with session_scope() as session:
        record = session.execute(select(CustodyRecord).where(CustodyRecord.item == "cap.warc.gz")).scalar_one()
        assert record.sha256_after == sha and record.actor == user

    assert runner.invoke(app, ["--user", user, "osint", "import", str(out), "--collection", "cli"]).exit_code == 0
    graphml, edges = tmp_path / "g.graphml", tmp_path / "g.csv"
    graph_args = ["osint", "graph", "cli", "--region", "ES", "-o"]
    assert runner.invoke(app, ["--user", user, *graph_args, str(graphml)]).exit_code == 0
    assert runner.invoke(app, ["--user", user, *graph_args, str(edges)]).exit_code == 0
    stranger = make_user("investigator")
    refused = runner.invoke(app, ["--user", stranger, *graph_args, str(edges)])
    assert refused.exit_code != 0 and "No collection named cli" in str(refused.exception)
    shared = runner.invoke(app, ["--user", user, "osint", "share", "cli", "--member", stranger])
    assert shared.exit_code == 0, shared.output
    assert runner.invoke(app, ["--user", stranger, *graph_args, str(edges)]).exit_code == 0
    import networkx as nx

    graph = nx.read_graphml(graphml)
    phone = "phone:+34612345670"
    assert graph.has_node(phone) and graph.degree(phone) == 2  # the same line in both listing pages
    assert "shares" in edges.read_text()
