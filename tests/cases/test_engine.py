"""Cases, consent, referrals, overrides and the optimistic lock, through the library."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from heroes.cases import engine, records
from heroes.cases.access import AccessDenied
from heroes.core import db
from heroes.core.errors import HeroesError
from heroes.core.models import AuditEntry

from .conftest import World


def _open(world: World, child: bool = False) -> int:
    with db.session_scope() as s:
        case = engine.open_case(
            s,
            world.viewer("ngo", "caseworker"),
            pseudonym="Rosa",
            child=child,
            country="ES",
            languages=["ro", "es"],
            exploitation=["labour"],
            risk="high",
            identity={"legal_name": "Ioana Popescu", "date_of_birth": "1999-02-03"},
        )
        return case.id


def test_a_case_belongs_to_its_organisation_and_others_see_nothing(world: World) -> None:
    case_id = _open(world)
    with db.session_scope() as s:
        view = engine.case_view(s, case_id, world.viewer("ngo", "caseworker"))
        assert view["relation"] == "owner" and view["identity"]["legal_name"] == "Ioana Popescu"
    with db.session_scope() as s, pytest.raises(AccessDenied):
        engine.case_view(s, case_id, world.viewer("police", "investigator"))


def test_consent_withdrawal_takes_effect_between_two_requests(world: World) -> None:
    case_id = _open(world)
    owner = world.viewer("ngo", "caseworker")
    with db.session_scope() as s:
        consent = engine.record_consent(
            s,
            case_id,
            owner,
            purpose="share_org",
            organisation_id=world.orgs["health"],
            given_by="person",
            method="spoken",
        )
        consent_id = consent.id
    doctor = world.viewer("health", "caseworker")
    with db.session_scope() as s:
        view = engine.case_view(s, case_id, doctor)
        assert view["relation"] == "partner" and view["risk"] == "high"
        assert "identity" not in view  # the table gives partners no legal identity
    with db.session_scope() as s:
        engine.withdraw_consent(s, case_id, consent_id, owner)
    with db.session_scope() as s, pytest.raises(AccessDenied):
        engine.case_view(s, case_id, doctor)


def test_a_declined_referral_opens_nothing_and_keeps_the_reason(world: World) -> None:
    case_id = _open(world)
    owner = world.viewer("ngo", "caseworker")
    with db.session_scope() as s:
        engine.record_consent(
            s,
            case_id,
            owner,
            purpose="share_org",
            organisation_id=world.orgs["social"],
            given_by="person",
            method="written",
        )
        referral = engine.refer(
            s, case_id, owner, to_organisation_id=world.orgs["social"], fields=["pseudonym", "risk"], needs=["shelter"]
        )
        referral_id = referral.id
    social = world.viewer("social", "caseworker")
    with db.session_scope() as s, pytest.raises(HeroesError, match="reason"):
        engine.respond_to_referral(s, referral_id, social, accept=False)
    with db.session_scope() as s:
        engine.respond_to_referral(s, referral_id, social, accept=False, response_reason="No shelter place this month")
    with db.session_scope() as s, pytest.raises(AccessDenied):
        engine.case_view(s, case_id, social)
    with db.session_scope() as s:
        (row,) = engine.case_view(s, case_id, owner)["referrals"]
        assert row["state"] == "declined" and row["response_reason"] == "No shelter place this month"


def test_an_accepted_referral_shares_only_its_fields(world: World) -> None:
    case_id = _open(world)
    owner = world.viewer("ngo", "caseworker")
    with db.session_scope() as s:
        engine.record_consent(
            s,
            case_id,
            owner,
            purpose="share_org",
            organisation_id=world.orgs["social"],
            given_by="person",
            method="spoken",
        )
        referral_id = engine.refer(
            s, case_id, owner, to_organisation_id=world.orgs["social"], fields=["pseudonym", "risk"]
        ).id
    social = world.viewer("social", "caseworker")
    with db.session_scope() as s:
        engine.respond_to_referral(s, referral_id, social, accept=True)
    with db.session_scope() as s:
        view = engine.case_view(s, case_id, social)
    assert view["risk"] == "high" and "languages" not in view and "exploitation" not in view
    with db.session_scope() as s:
        engine.withdraw_referral(s, referral_id, owner, "Person moved to another city")
    with db.session_scope() as s, pytest.raises(AccessDenied):
        engine.case_view(s, case_id, social)


def test_a_childs_consent_is_given_by_a_guardian(world: World) -> None:
    case_id = _open(world, child=True)
    owner = world.viewer("ngo", "caseworker")
    with db.session_scope() as s, pytest.raises(HeroesError, match="guardian"):
        engine.record_consent(s, case_id, owner, purpose="assessment", given_by="person", method="spoken")
    with db.session_scope() as s, pytest.raises(HeroesError, match="who gave consent"):
        engine.record_consent(s, case_id, owner, purpose="assessment", given_by="guardian", method="spoken")
    with db.session_scope() as s:
        engine.record_consent(
            s,
            case_id,
            owner,
            purpose="assessment",
            given_by="guardian",
            given_by_detail="aunt, legal guardian",
            method="interpreted",
        )
    with db.session_scope() as s:
        (consent,) = engine.case_view(s, case_id, owner)["consents"]
    assert consent["given_by"] == "guardian" and consent["given_by_detail"] == "aunt, legal guardian"
    assert consent["method"] == "interpreted" and consent["active"]


def test_override_requires_a_reason_and_is_flagged(world: World) -> None:
    case_id = _open(world)
    police = world.viewer("police", "investigator")
    with db.session_scope() as s, pytest.raises(HeroesError):
        engine.request_override(s, case_id, police, "imminent_danger", "now")
    with db.session_scope() as s:
        engine.request_override(s, case_id, police, "imminent_danger", "Exploiter seen waiting outside the shelter")
    with db.session_scope() as s:
        view = engine.case_view(s, case_id, police)
        assert view["override"] and view["identity"]["legal_name"] == "Ioana Popescu"
    with db.session_scope() as s:
        pending = engine.overrides_to_review(s, world.viewer("ngo", "coordinator"))
        assert len(pending) == 1 and pending[0]["grounds"] == "imminent_danger"
        reads = s.execute(select(AuditEntry).where(AuditEntry.action == "cases.read")).scalars().all()
        assert json.loads(reads[-1].details)["review"] is True


def test_an_edit_from_an_old_version_is_refused(world: World) -> None:
    case_id = _open(world)
    owner = world.viewer("ngo", "caseworker")
    with db.session_scope() as s:
        version = engine.case_view(s, case_id, owner)["version"]
    with db.session_scope() as s:
        engine.update_case(s, case_id, owner, version, {"risk": "urgent"}, "threat received")
    with db.session_scope() as s, pytest.raises(engine.StaleEdit, match="reload"):
        engine.update_case(s, case_id, owner, version, {"risk": "low"})
    with db.session_scope() as s:
        view = engine.case_view(s, case_id, owner)
    assert view["risk"] == "urgent"
    assert [(e["old"], e["new"]) for e in view["history"] if e["kind"] == "risk"] == [("", "high"), ("high", "urgent")]


def test_interviews_are_counted_and_a_new_one_warns(world: World) -> None:
    from datetime import UTC, datetime

    case_id = _open(world)
    owner = world.viewer("ngo", "caseworker")
    with db.session_scope() as s:
        interview_id = records.add_interview(
            s,
            case_id,
            owner,
            at=datetime(2026, 11, 2, 10, tzinfo=UTC),
            interviewer="forensic interviewer A",
            summary="Recruited through a job advert",
            recording=b"fake-audio-bytes",
        ).id
    police = world.viewer("police", "investigator")
    with db.session_scope() as s:
        engine.record_consent(s, case_id, owner, purpose="share_police", given_by="person", method="written")
    with db.session_scope() as s, pytest.raises(records.InterviewWarning, match="1 time"):
        records.add_interview(
            s, case_id, owner, at=datetime(2026, 12, 9, tzinfo=UTC), interviewer="B", state="scheduled"
        )
    with db.session_scope() as s:
        content = records.read_interview(s, case_id, interview_id, police)
        assert content["summary"] == "Recruited through a job advert"
        assert records.read_recording(s, case_id, interview_id, police) == b"fake-audio-bytes"
        reads = s.execute(select(AuditEntry).where(AuditEntry.action == "cases.interview.read")).scalars().all()
        assert len(reads) == 1 and reads[0].actor == police.username


def test_nothing_personal_reaches_the_audit_log(world: World) -> None:
    case_id = _open(world)
    owner = world.viewer("ngo", "caseworker")
    with db.session_scope() as s:
        records.add_note(s, case_id, owner, "general", "Lives at Calle Mayor 5")
        engine.case_view(s, case_id, owner)
        text = " ".join(e.details + (e.target or "") for e in s.execute(select(AuditEntry)).scalars())
    for secret in ("Rosa", "Ioana", "Popescu", "Calle Mayor", "1999"):
        assert secret not in text
