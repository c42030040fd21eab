"""Words shown for the case tool's codes (risk levels, statuses, needs...), in the user's language."""

from __future__ import annotations

from typing import Any

from heroes.core.i18n import lazy_gettext as _l

RISK = {"low": _l("low"), "medium": _l("medium"), "high": _l("high"), "urgent": _l("urgent")}
STATUS = {"open": _l("open"), "active": _l("active"), "closed": _l("closed")}
FORMS = {
    "sexual": _l("sexual exploitation"),
    "labour": _l("labour exploitation"),
    "domestic": _l("domestic servitude"),
    "criminal": _l("forced criminality"),
    "begging": _l("forced begging"),
    "marriage": _l("forced marriage"),
    "organ": _l("organ removal"),
    "other": _l("other"),
}
NEEDS = {
    "safety": _l("safety"),
    "shelter": _l("shelter"),
    "health": _l("health"),
    "psychological": _l("psychological support"),
    "legal": _l("legal"),
    "immigration": _l("immigration"),
    "education": _l("education"),
    "livelihood": _l("livelihood"),
}
PURPOSES = {
    "assessment": _l("assessment"),
    "share_org": _l("sharing with an organisation"),
    "share_police": _l("sharing with the police"),
    "research": _l("research"),
}
GIVERS = {"person": _l("the person"), "guardian": _l("a guardian"), "best_interest": _l("best-interest determination")}
METHODS = {"spoken": _l("spoken"), "written": _l("written"), "interpreted": _l("through an interpreter")}
NOTES = {"general": _l("general"), "health": _l("health"), "legal": _l("legal"), "police": _l("police")}
REASONS = {
    "casework": _l("casework"),
    "referral": _l("referral"),
    "interview": _l("interview"),
    "supervision": _l("supervision"),
    "safeguarding": _l("safeguarding"),
    "legal_duty": _l("legal duty"),
    "subject_access": _l("subject access request"),
}
LINK_KINDS = {
    "report": _l("citizen report"),
    "investigation": _l("investigation"),
    "screening": _l("screening"),
    "other": _l("other record"),
}
GROUNDS = {"imminent_danger": _l("imminent danger"), "legal_duty": _l("legal duty")}
REFERRAL_STATES = {
    "pending": _l("waiting for an answer"),
    "accepted": _l("accepted"),
    "declined": _l("declined"),
    "withdrawn": _l("withdrawn"),
}
FIELDS = {
    "pseudonym": _l("pseudonym"),
    "child": _l("child or adult"),
    "country": _l("country"),
    "languages": _l("languages"),
    "exploitation": _l("form of exploitation"),
    "risk": _l("risk level"),
    "status": _l("status"),
    "coordinator": _l("coordinator"),
    "summary": _l("situation summary"),
    "links": _l("links to reports and investigations"),
    "identity": _l("legal identity"),
    "consent": _l("consent"),
    "referrals": _l("referrals"),
    "interviews": _l("interviews"),
    "interview_content": _l("interview content"),
    "plan": _l("service plan"),
    "note_general": _l("general notes"),
    "note_health": _l("health notes"),
    "note_legal": _l("legal notes"),
    "note_police": _l("police notes"),
    "history": _l("history"),
}


def _get(table: dict[str, Any], code: str | None) -> str:
    return str(table.get(code or "", code or ""))


def risk(code: str | None) -> str:
    return _get(RISK, code)


def status(code: str | None) -> str:
    return _get(STATUS, code)


def form(code: str | None) -> str:
    return _get(FORMS, code)


def need(code: str | None) -> str:
    return _get(NEEDS, code)


def purpose(code: str | None) -> str:
    return _get(PURPOSES, code)


def giver(code: str | None) -> str:
    return _get(GIVERS, code)


def method(code: str | None) -> str:
    return _get(METHODS, code)


def field(code: str | None) -> str:
    return _get(FIELDS, code)


def all_labels() -> dict[str, Any]:
    """Every table, for templates."""
    return {
        "risk": RISK,
        "status": STATUS,
        "forms": FORMS,
        "needs": NEEDS,
        "purposes": PURPOSES,
        "givers": GIVERS,
        "methods": METHODS,
        "notes": NOTES,
        "grounds": GROUNDS,
        "link_kinds": LINK_KINDS,
        "reasons": REASONS,
        "referral_states": REFERRAL_STATES,
        "fields": FIELDS,
    }
