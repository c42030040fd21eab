"""Pages and API under /osint, /api/osint: roles, a crawl job against the local test site, clusters
with their templates, search, the graph page and exports."""

from __future__ import annotations

from heroes.osint.ads import Ad
from heroes.osint.store import collection_path
from tests.conftest import csrf_of
from tests.osint.site import Site, serve


def _write_collection(name: str, ads: list[Ad]) -> None:
    import json

    path = collection_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(a.to_json()) + "\n" for a in ads), encoding="utf-8")


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


def test_templates_are_highlighted_and_graph_exports(client, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("investigator")
    names = ["Ana", "Rosa", "Lucia"]
    ads = [
        Ad(f"w{i}", "Home help", city, None, TEXT.format(n))
        for i, (n, city) in enumerate(zip(names, ["Lugo", "Vigo", "Leon"], strict=True))
    ]
    ads.append(Ad("x1", "Bike", "Lugo", None, "Selling a blue bicycle, call 612 345 678."))
    ads.append(Ad("x2", "Lamp", "Vigo", None, "Selling a lamp, call 612 345 678."))
    _write_collection("tmpl", ads)
    page = client.get("/osint/collections/tmpl?region=ES&q=bicycle")
    assert page.status_code == 200
    assert "<mark" in page.text and "ana | rosa | lucia" in page.text
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
