import json

from heroes.fakejobs.engine import default_checker
from tests.conftest import csrf_of

from .ads import NEUTRAL_EN, RISKY_EN, RISKY_ES


def test_public_page_is_public_and_bilingual(client):
    page = client.get("/fakejobs")
    assert page.status_code == 200 and "Is this job offer safe?" in page.text
    assert 'href="/fakejobs/batch"' not in page.text
    assert "¿Es segura esta oferta de empleo?" in client.get("/fakejobs?lang=es").text


def test_page_verdict_marks_the_triggering_words(client):
    response = client.post("/fakejobs", data={"text": RISKY_EN, "csrf_token": csrf_of(client)})
    assert response.status_code == 200
    assert 'data-level="high"' in response.text
    assert "<mark" in response.text and ">keep your passport</mark>" in response.text
    assert 'href="/reports/new?category=sexual_exploitation&amp;text=Urgent' in response.text
    assert 'data-testid="probability"' in response.text and "5.0%" in response.text


def test_page_verdict_in_spanish(client):
    client.get("/lang/es?next=/fakejobs")
    response = client.post("/fakejobs", data={"text": RISKY_ES, "csrf_token": csrf_of(client)})
    assert "Riesgo alto" in response.text and "Denunciar este anuncio" in response.text
    assert ">guardamos tu pasaporte</mark>" in response.text
    assert "5,0 %" in response.text  # decimal comma
    assert "Argentina" in response.text and "1818" in response.text  # Latin-American helplines


def test_page_asks_for_text(client):
    response = client.post("/fakejobs", data={"text": "  ", "csrf_token": csrf_of(client)})
    assert response.status_code == 400 and "Paste the text" in response.text
    response = client.post("/fakejobs", data={"text": "a" * 200_001, "csrf_token": csrf_of(client)})
    assert response.status_code == 413 and "longer than 200,000 characters" in response.text


def test_page_post_without_csrf_is_refused_when_a_session_exists(client):
    client.get("/fakejobs")  # opens a session
    assert client.post("/fakejobs", data={"text": RISKY_EN}).status_code == 403


def test_api_check_and_openapi(client):
    response = client.post("/api/fakejobs/check", json={"description": RISKY_EN, "contact": "x@gmail.com"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["level"] == "high" and body["label"] == 1
    for item in body["indicators"]:
        for m in item["matches"]:
            assert body["text"][m["start"] : m["end"]] == m["text"]
    assert body["threshold"] == default_checker().decisions["en"].threshold
    assert body["label"] == int(body["score"] >= body["threshold"])
    spanish = client.post("/api/fakejobs/check", json={"text": RISKY_ES, "lang": "es"}).json()
    assert spanish["threshold"] == default_checker().decisions["xl"].threshold and spanish["top_sentences"]
    assert spanish["language"] == "es" and spanish["report_label"] == "Denunciar este anuncio"
    assert client.post("/api/fakejobs/check", json={"text": ""}).status_code == 400
    long_ad = ("Warehouse shift in Leeds, apply on our website. " * 5000)[:200_000]
    answer = client.post("/api/fakejobs/check", json={"text": long_ad})
    assert answer.status_code == 200 and answer.json()["level"] in {"low", "medium", "high"}
    too_long = client.post("/api/fakejobs/check", json={"text": "a" * 200_001})
    assert too_long.status_code == 422 and "200000" in too_long.text
    assert client.post("/api/fakejobs/check", json={"text": "x", "language": "fr"}).status_code == 422
    schema = client.get("/api/openapi.json").json()
    assert "post" in schema["paths"]["/api/fakejobs/check"]
    assert "VerdictOut" in schema["components"]["schemas"]


def test_batch_page_needs_staff(client):
    response = client.get("/fakejobs/batch", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_batch_job_runs_and_downloads(client, login_as):
    login_as("caseworker")
    assert 'href="/fakejobs/batch"' in client.get("/fakejobs").text
    assert client.get("/fakejobs/batch").status_code == 200
    lines = [json.dumps({"id": "r1", "text": RISKY_EN}), "broken", json.dumps({"id": "n1", "text": NEUTRAL_EN})]
    response = client.post(
        "/fakejobs/batch",
        data={"csrf_token": csrf_of(client)},
        files={"file": ("ads.jsonl", ("\n".join(lines) + "\n").encode(), "application/jsonl")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    job_url = response.headers["location"]
    job = client.get("/api" + job_url).json()
    assert job["state"] == "done", job
    assert job["result"]["rows"] == 3 and job["result"]["error_count"] == 1
    rows = [json.loads(line) for line in client.get(job_url + "/download").text.splitlines()]
    assert [r["id"] for r in rows] == ["r1", None, "n1"]
    assert rows[0]["label"] == int(rows[0]["score"] >= default_checker().decisions["en"].threshold)


def test_batch_rejects_other_files(client, login_as):
    login_as("investigator")
    response = client.post(
        "/fakejobs/batch",
        data={"csrf_token": csrf_of(client)},
        files={"file": ("ads.xlsx", b"data", "application/octet-stream")},
    )
    assert response.status_code == 400
