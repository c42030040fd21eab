"""Role x organisation relation x field: every combination of the one table, checked field by field,
through the library and through the JSON API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from heroes.cases import engine, records
from heroes.cases.access import CASE_ROLES, FIELDS, SHAREABLE, AccessDenied, table_access
from heroes.cases.models import NOTE_CATEGORIES, CaseNote
from heroes.core import db
from heroes.core.auth import create_api_token
from heroes.core.models import User

from .conftest import ORGS, World

VIEW_KEY = {"consent": "consents", "note_general": None, "note_health": None, "note_legal": None, "note_police": None}


def _case_with_everything(world: World, owner_kind: str, share_with: str | None) -> tuple[int, int]:
    owner = world.viewer(owner_kind, "coordinator")
    with db.session_scope() as s:
        case = engine.open_case(
            s,
            owner,
            pseudonym="P",
            child=False,
            languages=["es"],
            exploitation=["labour"],
            identity={"legal_name": "X Y"},
        )
        interview = records.add_interview(
            s, case.id, owner, at=datetime(2026, 1, 2, tzinfo=UTC), interviewer="I", summary="S"
        )
        records.add_plan_item(s, case.id, owner, kind="need", need="shelter")
        for category in NOTE_CATEGORIES:  # written directly: the author's own rights are not under test here
            s.add(
                CaseNote(
                    case_id=case.id,
                    category=category,
                    text=f"{category} note",
                    author="t",
                    organisation_id=owner.organisation_id,
                )
            )
        if share_with:
            engine.record_consent(
                s,
                case.id,
                owner,
                purpose="share_org",
                organisation_id=world.orgs[share_with],
                given_by="person",
                method="written",
            )
        return case.id, interview.id


def _expected(role: str, relation: str, field: str, kind: str) -> str | None:
    if relation == "partner" and field not in SHAREABLE:
        return None
    return table_access(role, relation, field, kind)


@pytest.mark.parametrize("relation", ["owner", "partner"])
def test_every_role_sees_exactly_what_the_table_allows(world: World, relation: str) -> None:
    checked = 0
    for kind in ORGS:
        owner_kind = kind if relation == "owner" else ("ngo" if kind != "ngo" else "social")
        case_id, interview_id = _case_with_everything(world, owner_kind, kind if relation == "partner" else None)
        for role in CASE_ROLES:
            viewer = world.viewer(kind, role)
            with db.session_scope() as s:
                view = engine.case_view(s, case_id, viewer)
            assert view["relation"] == relation
            for field in FIELDS:
                expected = _expected(role, relation, field, kind)
                assert view["access"].get(field) == expected, (role, relation, kind, field)
                key = VIEW_KEY.get(field, field)
                if field.startswith("note_"):
                    present = any(n["category"] == field[5:] for n in view["notes"])
                elif field == "interview_content":
                    try:
                        with db.session_scope() as s:
                            records.read_interview(s, case_id, interview_id, viewer)
                        present = True
                    except AccessDenied:
                        present = False
                else:
                    present = key in view
                assert present == (expected is not None), (role, relation, kind, field)
                checked += 1
            # writing: a note of each category, and the case's own editable fields
            for category in NOTE_CATEGORIES:
                allowed = _expected(role, relation, f"note_{category}", kind) == "write"
                try:
                    with db.session_scope() as s:
                        records.add_note(s, case_id, viewer, category, "written in the matrix")
                    assert allowed, (role, relation, kind, category)
                except AccessDenied:
                    assert not allowed, (role, relation, kind, category)
            for field in ("risk", "summary", "coordinator"):
                allowed = _expected(role, relation, field, kind) == "write"
                value = {"risk": "urgent", "summary": "s", "coordinator": ""}[field]
                with db.session_scope() as s:
                    version = s.get(engine.Case, case_id).version  # type: ignore[union-attr]
                try:
                    with db.session_scope() as s:
                        engine.update_case(s, case_id, viewer, version, {field: value})
                    assert allowed, (role, relation, kind, field)
                except AccessDenied:
                    assert not allowed, (role, relation, kind, field)
    assert checked == len(ORGS) * len(CASE_ROLES) * len(FIELDS)


def test_health_notes_stay_with_health_staff(world: World) -> None:
    case_id, _ = _case_with_everything(world, "health", None)
    coordinator, doctor = world.viewer("health", "coordinator"), world.viewer("health", "caseworker")
    ngo_worker, police = world.viewer("ngo", "caseworker"), world.viewer("police", "investigator")
    with db.session_scope() as s:
        engine.record_consent(
            s,
            case_id,
            coordinator,
            purpose="share_org",
            organisation_id=world.orgs["ngo"],
            given_by="person",
            method="spoken",
        )
    with db.session_scope() as s:
        own = {n["category"] for n in engine.case_view(s, case_id, doctor)["notes"]}
        ngo = {n["category"] for n in engine.case_view(s, case_id, ngo_worker)["notes"]}
    assert "health" in own and "health" not in ngo and "general" in ngo
    with db.session_scope() as s, pytest.raises(AccessDenied):
        engine.case_view(s, case_id, police)


def _token(username: str) -> str:
    with db.session_scope() as s:
        user = s.execute(select(User).where(User.username == username)).scalar_one()
        return create_api_token(s, user, "test")


def test_the_api_returns_the_same_fields_route_by_route(world: World, client: Any) -> None:
    case_id, interview_id = _case_with_everything(world, "ngo", "health")
    for kind, relation in (("ngo", "owner"), ("health", "partner"), ("police", "none")):
        for role in CASE_ROLES:
            headers = {"Authorization": f"Bearer {_token(world.users[(kind, role)])}"}
            response = client.get(f"/api/cases/{case_id}", headers=headers)
            if relation == "none":
                assert response.status_code == 403 and "override" in response.json()["detail"]
                continue
            assert response.status_code == 200, response.text
            body = response.json()
            for field in ("identity", "consent", "referrals", "plan", "history", "summary"):
                expected = _expected(role, relation, field, kind) is not None
                assert (VIEW_KEY.get(field, field) in body) == expected, (kind, role, field)
            read = client.get(f"/api/cases/{case_id}/interviews/{interview_id}", headers=headers)
            assert read.status_code == (200 if _expected(role, relation, "interview_content", kind) else 403)
