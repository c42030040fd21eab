"""Who sees a collection: rows in the database (SQLite and PostgreSQL), access files of earlier
versions read in once, owner/organisation/member grants, the sharing page, its API and CLI, and reads
audited from read-only transactions. Synthetic ads only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select
from typer.testing import CliRunner

from heroes.cli import app as cli
from heroes.core import audit
from heroes.core.db import Base, get_engine, is_read_only, session_scope
from heroes.core.errors import PermissionDenied
from heroes.core.models import AuditEntry, Job, User
from heroes.core.organisations import assign, create_organisation
from heroes.osint import models  # noqa: F401 - registers the tables on Base.metadata
from heroes.osint.ads import Ad, BadInput
from heroes.osint.store import (
    Viewer,
    access_path,
    audited_read,
    change_access,
    collection_path,
    import_files,
    list_collections,
    open_collection,
    read_access,
)
from tests.conftest import csrf_of

TEXT = "Hello, my name is {} and I cook and clean homes in the city. I am honest, kind and careful. Fair price."


def _collection(name: str, owner: Viewer, tmp_path: Path, names: tuple[str, ...] = ("Ana", "Rosa")) -> None:
    source = tmp_path / f"{name}-src.jsonl"
    rows = [Ad(f"{name}-{i}", "Home help", "Lugo", None, TEXT.format(n)).to_json() for i, n in enumerate(names)]
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    import_files([source], name, owner)


def _in_organisation(username: str, organisation: str) -> int:
    with session_scope() as session:
        from heroes.core.organisations import find_organisation

        found = find_organisation(session, organisation) or create_organisation(session, organisation, "police")
        user = session.execute(select(User).where(User.username == username)).scalar_one()
        assign(session, user, found)
        return found.id


def _actions(action: str) -> list[tuple[str, str | None, str]]:
    with session_scope() as session:
        rows = session.execute(
            select(AuditEntry.actor, AuditEntry.target, AuditEntry.details)
            .where(AuditEntry.action == action)
            .order_by(AuditEntry.id)
        ).all()
    return [(a, t, d) for a, t, d in rows]


def test_migration_matches_the_models(heroes_db: Any) -> None:
    with get_engine().connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = compare_metadata(context, Base.metadata)
    flat = [d for group in diffs for d in (group if isinstance(group, list) else [group])]
    assert [d for d in flat if "osint_" in repr(d)] == []


def test_owner_members_and_organisation_grants(heroes_db: Any, make_user: Any, tmp_path: Path) -> None:
    owner, member, colleague, stranger = (make_user("investigator") for _ in range(4))
    caseworker = make_user("caseworker")
    unit = _in_organisation(colleague, "Unit A")
    _in_organisation(owner, "Unit A")
    _collection("c1", Viewer(owner, unit), tmp_path)
    access = read_access("c1")
    assert access is not None and (access.owner, access.organisation_id, access.members) == (owner, unit, [])
    assert list_collections(Viewer(colleague, unit)) == ["c1"]  # the owner's organisation sees it
    assert list_collections(Viewer(stranger)) == [] and list_collections(Viewer("admin", None, True)) == ["c1"]
    with pytest.raises(BadInput, match="No collection named c1"):
        open_collection("c1", Viewer(stranger))  # the same answer as for a name that does not exist

    access = change_access("c1", Viewer(owner, unit), add=[member], organisation=None, set_organisation=True)
    assert access.members == [member] and access.organisation_id is None
    assert list_collections(Viewer(member)) == ["c1"] and list_collections(Viewer(colleague, unit)) == []
    with pytest.raises(PermissionDenied):  # a member sees it but cannot share it further
        change_access("c1", Viewer(member), add=[stranger])
    with pytest.raises(BadInput, match="No active account"):
        change_access("c1", Viewer(owner), add=["nobody-here"])
    with pytest.raises(BadInput, match="cannot use the OSINT tool"):
        change_access("c1", Viewer(owner), add=[caseworker])
    with pytest.raises(BadInput, match="No collection named c1"):
        change_access("c1", Viewer(stranger), add=[stranger])
    change_access("c1", Viewer(owner), remove=[member])
    assert list_collections(Viewer(member)) == []
    changes = [json.loads(d) for _, t, d in _actions("osint.collection.share") if t == "osint:c1"]
    assert changes == [{"member_added": member}, {"organisation": None}, {"member_removed": member}]


def test_old_access_files_become_rows_on_first_use(heroes_db: Any, make_user: Any, tmp_path: Path) -> None:
    owner, member = make_user("investigator"), make_user("investigator")
    path = collection_path("legacy")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(Ad("l1", "Bike", "Lugo", None, "A blue bicycle.").to_json()) + "\n", encoding="utf-8")
    access_path("legacy").write_text(
        json.dumps({"owner": owner, "organisation_id": None, "members": [member]}), encoding="utf-8"
    )
    assert list_collections(Viewer(member)) == ["legacy"]
    assert not access_path("legacy").exists() and access_path("legacy").with_suffix(".json.migrated").is_file()
    access = read_access("legacy")
    assert access is not None and (access.owner, access.members) == (owner, [member])
    assert [(a, t) for a, t, _ in _actions("osint.collection.migrate")] == [("system", "osint:legacy")]
    # a collection older still (no rules at all) is for administrators only, who can share it
    path.with_name("older.jsonl").write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    assert "older" not in list_collections(Viewer(owner)) and "older" in list_collections(Viewer("root", None, True))
    change_access("older", Viewer("root", None, True), add=[owner])
    assert "older" in list_collections(Viewer(owner))


def test_reads_are_audited_from_read_only_transactions(
    heroes_db: Any, make_user: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = make_user("investigator")
    _collection("ro", Viewer(owner), tmp_path)
    seen: list[tuple[str, bool]] = []
    original = audit.record

    def spy(session: Any, actor: str, action: str, *args: Any, **kwargs: Any) -> Any:
        seen.append((action, is_read_only(session)))
        return original(session, actor, action, *args, **kwargs)

    monkeypatch.setattr(audit, "record", spy)
    assert [a.id for a in open_collection("ro", Viewer(owner), "test")] == ["ro-0", "ro-1"]
    audited_read("ro", Viewer(owner), "clusters")
    assert seen == [("osint.collection.read", True), ("osint.collection.read", True)]
    reads = [json.loads(d)["purpose"] for a, t, d in _actions("osint.collection.read") if t == "osint:ro"]
    assert reads == ["test", "clusters"]  # the batch writer committed them before the reads returned


def test_sharing_api(client: Any, login_as: Any, make_user: Any, tmp_path: Path) -> None:
    member, other = make_user("investigator"), make_user("investigator")
    me = login_as("investigator")
    unit = _in_organisation(me, "Unit B")
    _collection("api1", Viewer(me, unit), tmp_path)
    headers = {"X-CSRF-Token": csrf_of(client)}
    got = client.get("/api/osint/collections/api1/access").json()
    assert got == {
        "name": "api1", "owner": me, "organisation_id": unit, "organisation": "Unit B", "members": [],
        "can_change": True,
    }  # fmt: skip
    added = client.post("/api/osint/collections/api1/members", json={"username": member}, headers=headers)
    assert added.status_code == 200 and added.json()["members"] == [member]
    assert client.post(
        "/api/osint/collections/api1/members", json={"username": "ghost"}, headers=headers
    ).status_code == 400  # fmt: skip
    gone = client.delete("/api/osint/collections/api1/organisation", headers=headers)
    assert gone.json()["organisation_id"] is None
    back = client.put("/api/osint/collections/api1/organisation", json={}, headers=headers)
    assert back.json()["organisation_id"] == unit
    removed = client.delete(f"/api/osint/collections/api1/members/{member}", headers=headers)
    assert removed.json()["members"] == []
    assert client.get("/api/osint/collections/nothere/access").status_code == 404
    _collection("theirs", Viewer(other), tmp_path)
    for method, url, body in (
        ("get", "/api/osint/collections/theirs/access", None),
        ("post", "/api/osint/collections/theirs/members", {"username": me}),
        ("delete", "/api/osint/collections/theirs/organisation", None),
    ):
        response = client.request(method.upper(), url, json=body, headers=headers)
        assert response.status_code == 404, (url, response.text)
    schema = client.get("/api/openapi.json").json()["paths"]
    assert {"get"} <= set(schema["/api/osint/collections/{name}/access"])
    assert {"put", "delete"} <= set(schema["/api/osint/collections/{name}/organisation"])
    assert "post" in schema["/api/osint/collections/{name}/members"]
    assert "delete" in schema["/api/osint/collections/{name}/members/{username}"]


def test_sharing_page_asks_for_confirmation_first(client: Any, login_as: Any, make_user: Any, tmp_path: Path) -> None:
    member = make_user("investigator")
    me = login_as("investigator")
    _collection("page1", Viewer(me), tmp_path)
    page = client.get("/osint/collections/page1/sharing")
    assert page.status_code == 200 and me in page.text and "Add member" in page.text
    token = csrf_of(client)
    form = {"csrf_token": token, "action": "add", "username": member}
    asked = client.post("/osint/collections/page1/sharing", data=form)
    assert asked.status_code == 200 and 'data-testid="confirm"' in asked.text
    assert read_access("page1").members == []  # type: ignore[union-attr]  # nothing changed before the confirmation
    done = client.post("/osint/collections/page1/sharing", data=form | {"confirmed": "yes"}, follow_redirects=True)
    assert done.status_code == 200 and "can now see this collection" in done.text
    assert read_access("page1").members == [member]  # type: ignore[union-attr]
    spoofed = client.get("/osint/collections/page1/sharing?done=add&who=someone-else")
    assert "can now see" not in spoofed.text  # a notice only says what the rules say
    refused = client.post("/osint/collections/page1/sharing", data=form | {"username": "ghost", "confirmed": "yes"})
    assert refused.status_code == 400 and "No active account named ghost" in refused.text
    client.get("/logout")
    login_as("investigator")
    assert client.get("/osint/collections/page1/sharing").status_code == 404


def test_cli_share_and_import_computes_clusters(heroes_db: Any, make_user: Any, tmp_path: Path) -> None:
    from heroes.osint.service import stored_analysis

    user, other = make_user("investigator"), make_user("investigator")
    source = tmp_path / "ads.jsonl"
    rows = [Ad(f"k{i}", "Home help", "Lugo", None, TEXT.format(n)).to_json() for i, n in enumerate(["Ana", "Eva"])]
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    runner = CliRunner()
    imported = runner.invoke(
        cli, ["--user", user, "osint", "import", str(source), "--collection", "k", "--region", "ES"]
    )
    assert imported.exit_code == 0, imported.output
    assert "Clusters stored: 1 with more than one ad" in imported.output
    analysis = stored_analysis("k", "ES")
    assert analysis is not None and [c["ads"] for c in analysis.clusters()] == [["k0", "k1"]]
    with session_scope() as session:
        jobs = session.execute(select(Job.kind, Job.state, Job.owner)).all()
    assert [tuple(j) for j in jobs] == [("osint.analyse", "done", user)]
    again = runner.invoke(cli, ["--user", user, "osint", "import", str(source), "--collection", "k"])
    assert again.exit_code == 0 and "Clusters stored" not in again.output  # nothing added: nothing to compute

    shared = runner.invoke(cli, ["--user", user, "osint", "share", "k", "--add", other])
    assert shared.exit_code == 0 and f"members {other}" in shared.output
    shown = runner.invoke(cli, ["--user", other, "osint", "share", "k"])
    assert shown.exit_code == 0 and f"owner {user}" in shown.output
    refused = runner.invoke(cli, ["--user", other, "osint", "share", "k", "--remove", other])
    assert refused.exit_code != 0
    removed = runner.invoke(cli, ["--user", user, "osint", "share", "k", "--remove", other, "--no-organisation"])
    assert removed.exit_code == 0 and "members -" in removed.output
    hidden = runner.invoke(cli, ["--user", other, "osint", "share", "k"])
    assert hidden.exit_code != 0 and "No collection named k" in str(hidden.exception)
