"""Who sees which case: two investigators in two organisations, a colleague of the first, an admin
and a caseworker, through the library and through the HTTP API. A case one may not see answers as
a case that does not exist; entity links only name cases the viewer may see; reads are audited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from heroes.core.db import session_scope
from heroes.core.errors import HeroesError, NotFoundError, PermissionDenied
from heroes.core.models import AuditEntry
from heroes.fca import access, engine, report
from heroes.fca.models import FcaCase, FcaItem
from tests.conftest import TEST_PASSWORD, csrf_of
from tests.fca.conftest import ORG_A, ORG_B, viewer

NOTE = "Call 612 34 56 78 about the girls crossing the border on monday.\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "usb"
    root.mkdir()
    (root / "note.txt").write_text(NOTE, encoding="utf-8")
    return root


@pytest.fixture
def people(heroes_db, make_user, folder: Path) -> dict[str, str]:
    """inv_a (Unit A) leads case alpha, inv_b (Unit B) leads case bravo; both hold the same phone."""
    names = {
        "inv_a": make_user("investigator", "inv_a", org=ORG_A),
        "colleague": make_user("investigator", "colleague", org=ORG_A),
        "inv_b": make_user("investigator", "inv_b", org=ORG_B),
        "admin": make_user("admin", "admin1", org=ORG_A),
        "caseworker": make_user("caseworker", "cw", org=ORG_A),
    }
    engine.ingest(folder, "alpha", actor="inv_a", region="ES", semantic=False)
    engine.ingest(folder, "bravo", actor="inv_b", region="ES", semantic=False)
    return names


def _reads(who: str, case: Any) -> list[Any]:
    """Every read of a case, through the library, as one user."""
    me = viewer(who)
    out = []
    with session_scope() as s:
        out.append(engine.files(s, case, viewer=me))
        out.append(engine.sources(s, case, viewer=me))
        out.append(engine.entity_view(s, case, viewer=me))
        out.append(engine.search(s, case, "border", viewer=me))
        out.append(engine.timeline(s, case, viewer=me))
        out.append(engine.case_summary(s, case, viewer=me))
        out.append(access.members(s, me, case))
    return out


def _refused(who: str, case: Any) -> str:
    """Each read is refused with the same 'not found'; returns its message."""
    me = viewer(who)
    messages = set()
    calls = [
        lambda s: engine.files(s, case, viewer=me),
        lambda s: engine.sources(s, case, viewer=me),
        lambda s: engine.entity_view(s, case, viewer=me),
        lambda s: engine.search(s, case, "border", viewer=me),
        lambda s: engine.semantic_search(s, case, "border", viewer=me),
        lambda s: engine.timeline(s, case, viewer=me),
        lambda s: engine.match(s, case, [], viewer=me),
        lambda s: report.write(s, case, Path("/nonexistent/never-written.pdf"), viewer=me),
        lambda s: access.members(s, me, case),
    ]
    for call in calls:
        with session_scope() as s, pytest.raises(NotFoundError) as info:
            call(s)
        messages.add(str(info.value))
    assert len(messages) == 1
    return messages.pop()


def test_library_matrix(people: dict[str, str]) -> None:
    v = {who: viewer(who) for who in ("inv_a", "inv_b", "colleague", "admin1", "cw")}
    with session_scope() as s:
        alpha = s.execute(select(FcaCase).where(FcaCase.name == "alpha")).scalar_one()
        alpha_id, alpha_org = alpha.id, alpha.organisation_id
        alpha_item = s.execute(select(FcaItem.id).where(FcaItem.case_id == alpha_id)).scalar_one()
        listed = {who: engine.list_cases(s, viewer=v[who]) for who in ("inv_a", "inv_b", "colleague", "admin1")}
    assert alpha_org is not None
    assert listed == {"inv_a": ["alpha"], "inv_b": ["bravo"], "colleague": [], "admin1": ["alpha", "bravo"]}

    # the lead and the admin read everything; the entity link names the other case only for the admin
    assert _reads("inv_a", "alpha")[0][0]["path"] == "note.txt"
    assert _reads("admin1", alpha_id)[0][0]["path"] == "note.txt"
    with session_scope() as s:
        (phone,) = engine.entity_view(s, "alpha", "phone", viewer=v["inv_a"])
        assert phone["other_cases"] == []  # bravo is Unit B's: not disclosed to inv_a
        (phone,) = engine.entity_view(s, "alpha", "phone", viewer=v["admin1"])
        assert phone["other_cases"] == ["bravo"]

    # the other organisation and the colleague who is no member: the same answer as a missing case
    missing = _refused("inv_b", "nope")
    assert _refused("inv_b", "alpha") == missing.replace("nope", "alpha")
    assert _refused("inv_b", alpha_id) == _refused("inv_b", 999999).replace("999999", str(alpha_id))
    _refused("colleague", "alpha")
    for who in ("inv_b", "colleague"):
        with session_scope() as s, pytest.raises(NotFoundError):
            engine.tag(s, alpha_item, "relevant", viewer=v[who])
    # the caseworker's role may not read FCA cases at all
    with session_scope() as s, pytest.raises(PermissionDenied):
        engine.files(s, "alpha", viewer=v["cw"])
    with session_scope() as s, pytest.raises(PermissionDenied):
        engine.list_cases(s, viewer=v["cw"])

    # inv_b may not ingest into alpha, and learns no more than that the name is taken
    with pytest.raises(HeroesError) as taken:
        engine.ingest(Path(__file__).parent, "alpha", actor="inv_b")
    assert "cannot be used" in str(taken.value)
    with session_scope() as s:
        assert len(engine.files(s, "alpha", viewer=v["inv_a"])) == 1

    # members: the lead adds a colleague of the same organisation, not someone of another one
    with session_scope() as s:
        access.add_member(s, v["inv_a"], "alpha", "colleague")
    assert _reads("colleague", "alpha")[0][0]["path"] == "note.txt"
    with session_scope() as s, pytest.raises(HeroesError, match="another organisation"):
        access.add_member(s, v["inv_a"], "alpha", "inv_b")
    with session_scope() as s, pytest.raises(PermissionDenied):  # a member is no lead
        access.add_member(s, v["colleague"], "alpha", "admin1")
    with session_scope() as s, pytest.raises(HeroesError):  # the caseworker's role cannot read cases
        access.add_member(s, v["inv_a"], "alpha", "cw")
    with session_scope() as s, pytest.raises(HeroesError, match="at least one lead"):
        access.remove_member(s, v["inv_a"], "alpha", "inv_a")
    # an admin shares alpha with inv_b across organisations: now the link shows in bravo's entities
    with session_scope() as s:
        access.add_member(s, v["admin1"], "alpha", "inv_b")
    with session_scope() as s:
        (phone,) = engine.entity_view(s, "bravo", "phone", viewer=v["inv_b"])
        assert phone["other_cases"] == ["alpha"]
        access.remove_member(s, v["inv_a"], "alpha", "colleague")
    _refused("colleague", "alpha")

    # every read and every refusal is in the audit log
    with session_scope() as s:
        entries = s.execute(select(AuditEntry.actor, AuditEntry.action, AuditEntry.target)).all()
    assert ("inv_a", "fca.files", f"fca_case:{alpha_id}") in entries
    assert ("admin1", "fca.files", f"fca_case:{alpha_id}") in entries
    assert ("inv_b", "fca.denied", "fca_case:alpha") in entries
    assert ("inv_b", "fca.denied", f"fca_item:{alpha_item}") in entries
    assert ("admin1", "fca.member_add", f"fca_case:{alpha_id}") in entries


def test_a_case_without_an_organisation_is_its_members_alone(heroes_db, make_user, folder: Path) -> None:
    make_user("investigator", "loner", org=None)
    make_user("investigator", "stranger", org=None)
    with pytest.raises(HeroesError, match="No active account"):
        engine.ingest(folder, "solo", actor="nobody")
    with session_scope() as s:
        assert s.execute(select(FcaCase)).first() is None
    engine.ingest(folder, "solo", actor="loner")
    loner, stranger = viewer("loner"), viewer("stranger")
    with session_scope() as s:
        assert engine.files(s, "solo", viewer=loner)
        with pytest.raises(NotFoundError):
            engine.files(s, "solo", viewer=stranger)


def _login(client: Any, username: str) -> None:
    token = csrf_of(client)
    answer = client.post(
        "/login", data={"username": username, "password": TEST_PASSWORD, "csrf_token": token}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text


def test_api_matrix(client, people: dict[str, str]) -> None:
    with session_scope() as s:
        ids = dict(s.execute(select(FcaCase.name, FcaCase.id)).all())
        alpha_item = s.execute(select(FcaItem.id).where(FcaItem.case_id == ids["alpha"])).scalar_one()
    reads = ["files", "sources", "entities", "timeline", "members", "search?q=border", "search?q=border&semantic=true"]
    expected = {"inv_a": ["alpha"], "inv_b": ["bravo"], "colleague": [], "admin1": ["alpha", "bravo"]}
    for who, visible in expected.items():
        _login(client, who)
        assert [c["name"] for c in client.get("/api/fca/cases").json()] == visible
        for case, case_id in ids.items():
            for what in reads:
                answer = client.get(f"/api/fca/cases/{case_id}/{what}")
                assert answer.status_code == (200 if case in visible else 404), (who, case, what, answer.text)
            page = client.get(f"/fca/cases/{case_id}")
            assert page.status_code == (200 if case in visible else 404)
        missing = client.get("/api/fca/cases/999999/files")
        assert missing.status_code == 404
        if "alpha" not in visible:  # the refusal reads exactly like a case that does not exist
            refused = client.get(f"/api/fca/cases/{ids['alpha']}/files")
            assert refused.json() == {k: str(v).replace("999999", str(ids["alpha"])) for k, v in missing.json().items()}
        tag = client.post(
            f"/api/fca/items/{alpha_item}/tags", json={"tag": "relevant"}, headers={"X-CSRF-Token": csrf_of(client)}
        )
        assert tag.status_code == (200 if "alpha" in visible else 404)
        client.post("/logout", headers={"X-CSRF-Token": csrf_of(client)})
    _login(client, "cw")
    assert client.get("/api/fca/cases").status_code == 403
    assert client.get(f"/api/fca/cases/{ids['alpha']}/files").status_code == 403
    client.post("/logout", headers={"X-CSRF-Token": csrf_of(client)})

    # the lead adds the colleague through the API; the colleague then sees alpha
    _login(client, "inv_a")
    added = client.post(
        f"/api/fca/cases/{ids['alpha']}/members",
        json={"username": "colleague"},
        headers={"X-CSRF-Token": csrf_of(client)},
    )
    assert added.status_code == 200 and {m["username"] for m in added.json()} == {"inv_a", "colleague"}
    client.post("/logout", headers={"X-CSRF-Token": csrf_of(client)})
    _login(client, "colleague")
    assert client.get(f"/api/fca/cases/{ids['alpha']}/files").status_code == 200
    refused = client.post(
        f"/api/fca/cases/{ids['alpha']}/members", json={"username": "admin1"}, headers={"X-CSRF-Token": csrf_of(client)}
    )
    assert refused.status_code == 403
