"""Pages and API under /osint, /api/osint: roles, a crawl job against the local test site, clusters
with their templates, search, the graph page and exports."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from heroes.core.db import session_scope
from heroes.core.models import AuditEntry
from heroes.osint.ads import Ad
from heroes.osint.store import Viewer, import_files
from tests.conftest import csrf_of
from tests.osint.site import Site, serve


def _write_collection(name: str, ads: list[Ad], owner: str, tmp_path: Path) -> None:
    source = tmp_path / f"{name}.jsonl"
    source.write_text("".join(json.dumps(a.to_json()) + "\n" for a in ads), encoding="utf-8")
    import_files([source], name, Viewer(owner))


TEXT = (
    "Hello, my name is {} and I cook and clean homes in the city. I am honest, kind and careful. "
    "Ask me for a fair price."
)


def test_roles(client, login_as) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/osint/collections").status_code == 401
    login_as("caseworker")
    assert client.get("/osint").status_code == 403
    assert client.get("/api/osint/collections").status_code == 403


def test_crawl_job_then_collection_pages(client, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("investigator")
    headers = {"X-CSRF-Token": csrf_of(client)}
    with serve(Site(pages=2)) as base:
        body = {"seeds": [base + "/"], "domains": ["127.0.0.1"], "collection": "web1", "max_pages": 30, "delay": 0}
        started = client.post("/api/osint/crawls", json=body, headers=headers)
        assert started.status_code == 202, started.text
        job = client.get(f"/api/jobs/{started.json()['job']}").json()
    assert job["state"] == "done", job
    # 4 ads from the two listing pages (their adapter), one record per other page (the generic adapter)
    assert job["result"]["ads_added"] == 4 + 5 and len(job["result"]["sha256"]) == 64
    assert client.get("/api/osint/collections").json() == [{"name": "web1", "ads": 9}]
    index = client.get("/osint")
    assert "web1" in index.text and "<progress" in index.text

    clusters = client.get("/api/osint/collections/web1/clusters?region=ES").json()
    assert sorted(len(c["ads"]) for c in clusters) == [2, 2]
    assert all(c["shared"][0].startswith("phone:+346123456") for c in clusters)
    found = client.get("/api/osint/collections/web1/ads?q=cleaner 2-1").json()
    assert [a["id"] for a in found] == ["site-2-1"]


def test_templates_are_highlighted_and_graph_exports(client, login_as, tmp_path) -> None:  # type: ignore[no-untyped-def]
    me = login_as("investigator")
    names = ["Ana", "Rosa", "Lucia"]
    ads = [
        Ad(f"w{i}", "Home help", city, None, TEXT.format(n))
        for i, (n, city) in enumerate(zip(names, ["Lugo", "Vigo", "Leon"], strict=True))
    ]
    ads.append(Ad("x1", "Bike", "Lugo", None, "Selling a blue bicycle, call 612 345 678."))
    ads.append(Ad("x2", "Lamp", "Vigo", None, "Selling a lamp, call 612 345 678."))
    _write_collection("tmpl", ads, me, tmp_path)
    page = client.get("/osint/collections/tmpl?region=ES&q=bicycle")
    assert page.status_code == 200
    assert "<mark" in page.text and "ana | rosa | lucia" in page.text
    assert "Refined over 3 of its ads." in page.text  # the template comes from the whole group
    clusters = client.get("/api/osint/collections/tmpl/clusters?region=ES").json()
    assert sorted(c["template_ads"] for c in clusters) == [0, 3]  # the phone pair has no text template
    assert "x1" in page.text and "Lugo, Vigo" in page.text
    graph = client.get("/osint/collections/tmpl/graph?region=ES")
    assert "+34612345678" in graph.text and "x1, x2" in graph.text
    graphml = client.get("/osint/collections/tmpl/export?format=graphml&region=ES")
    assert graphml.headers["content-type"].startswith("application/xml") and "<graphml" in graphml.text
    csv = client.get("/osint/collections/tmpl/export?format=csv&region=ES")
    assert csv.text.startswith("source,target,relation")
    rows = client.get("/osint/collections/tmpl/export?format=jsonl&region=ES").text.splitlines()
    assert len(rows) == 5
    assert client.get("/osint/collections/missing").status_code == 404


def test_crawl_form_refuses_bad_input(client, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("investigator")
    token = csrf_of(client)
    form = {"csrf_token": token, "seeds": "ftp://x", "domains": "x.org", "collection": "ok"}
    response = client.post("/osint/crawls", data=form)
    assert response.status_code == 400 and "http://" in response.text


def test_collections_are_private_to_their_owner_and_reads_are_audited(client, login_as, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ads = [Ad("a1", "Bike", "Lugo", None, "Selling a blue bicycle, call 612 345 678.")]
    _write_collection("private", ads, "someone-else", tmp_path)
    me = login_as("investigator")
    assert client.get("/api/osint/collections").json() == []
    for url in (
        "/osint/collections/private",
        "/osint/collections/private/graph",
        "/osint/collections/private/export?format=jsonl",
        "/api/osint/collections/private/clusters",
        "/api/osint/collections/private/ads?q=bike",
    ):
        assert client.get(url).status_code == 404, url
    _write_collection("mine", ads, me, tmp_path)
    assert client.get("/api/osint/collections").json() == [{"name": "mine", "ads": 1}]
    assert client.get("/api/osint/collections/mine/ads?q=bicycle").json()[0]["id"] == "a1"
    with session_scope() as session:
        reads = session.execute(
            select(AuditEntry.actor, AuditEntry.target).where(AuditEntry.action == "osint.collection.read")
        ).all()
    assert (me, "osint:mine") in reads and all(target != "osint:private" for _, target in reads)


def test_clusters_are_computed_by_a_job_and_stored(client, login_as, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from heroes.osint.service import results_path, stored_analysis

    me = login_as("investigator")
    ads = [Ad(f"w{i}", "Home help", "Lugo", None, TEXT.format(n)) for i, n in enumerate(["Ana", "Rosa"])]
    _write_collection("jobbed", ads, me, tmp_path)
    assert stored_analysis("jobbed", "ES") is None  # nothing is computed on import by the library
    clusters = client.get("/api/osint/collections/jobbed/clusters?region=ES").json()
    assert [c["ads"] for c in clusters] == [["w0", "w1"]]
    assert results_path("jobbed", "ES").is_file()
    with session_scope() as session:
        kinds = session.execute(select(AuditEntry.details).where(AuditEntry.action == "job.submit")).scalars().all()
    assert sum("osint.analyse" in str(k) for k in kinds) == 1
    client.get("/api/osint/collections/jobbed/clusters?region=ES")  # read from the stored results: no new job
    with session_scope() as session:
        kinds = session.execute(select(AuditEntry.details).where(AuditEntry.action == "job.submit")).scalars().all()
    assert sum("osint.analyse" in str(k) for k in kinds) == 1
    more = tmp_path / "more.jsonl"
    more.write_text(json.dumps(Ad("w9", "Home help", "Lugo", None, TEXT.format("Eva")).to_json()) + "\n")
    import_files([more], "jobbed", Viewer(me))
    assert stored_analysis("jobbed", "ES") is None  # the collection changed: the stored results are stale
    clusters = client.get("/api/osint/collections/jobbed/clusters?region=ES").json()
    assert [c["ads"] for c in clusters] == [["w0", "w1", "w9"]]
