"""The statement rules against valid and invalid statements, case by case.

The cases follow the requirements the ADL LRS conformance suite checks (required properties, UUID and
timestamp syntax, versions, null values outside extensions, one identifier per agent, ...), written here
as our own statements."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from heroes.training.xapi_rules import check_statement

ACTOR = {"objectType": "Agent", "mbox": "mailto:learner@example.org", "name": "A learner"}
DEFAULT: dict[str, Any] = {
    "id": "7ccd3322-e1a5-411a-a67d-6a735c76f119",
    "actor": ACTOR,
    "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
    "object": {
        "objectType": "Activity",
        "id": "https://heroes.invalid/training/courses/health",
        "definition": {"name": {"en-US": "Health course", "es-ES": "Curso de salud"}},
    },
    "timestamp": "2026-12-01T10:00:00.123Z",
}
CHOICE = {
    "objectType": "Activity",
    "id": "https://heroes.invalid/q/1",
    "definition": {
        "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
        "interactionType": "choice",
        "correctResponsesPattern": ["a[,]b"],
        "choices": [{"id": "a", "description": {"en-US": "A"}}, {"id": "b", "description": {"en-US": "B"}}],
    },
}


def _with(**changes: Any) -> dict[str, Any]:
    statement = copy.deepcopy(DEFAULT)
    for key, value in changes.items():
        if value is ...:
            statement.pop(key)
        else:
            statement[key] = value
    return statement


VALID = {
    "default": DEFAULT,
    "no id (the LRS assigns one)": _with(id=...),
    "version 1.0": _with(version="1.0"),
    "version 1.0.9": _with(version="1.0.9"),
    "mbox_sha1sum": _with(actor={"mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"}),
    "openid": _with(actor={"openid": "https://openid.example.org/learner"}),
    "account": _with(actor={"account": {"homePage": "https://lms.example.org", "name": "u1"}}),
    "anonymous group": _with(actor={"objectType": "Group", "member": [ACTOR]}),
    "identified group": _with(actor={"objectType": "Group", "account": {"homePage": "https://x.org", "name": "g"}}),
    "null inside extensions": _with(result={"extensions": {"http://example.com/null": None}}),
    "choice interaction": _with(object=CHOICE, result={"response": "a[,]b", "success": True}),
    "score": _with(result={"score": {"scaled": 0.75, "raw": 3, "min": 0, "max": 4}, "duration": "PT1M30.5S"}),
    "agent object": _with(object={"objectType": "Agent", "mbox": "mailto:other@example.org"}),
    "statement ref": _with(object={"objectType": "StatementRef", "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0"}),
    "voiding": _with(
        verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
        object={"objectType": "StatementRef", "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0"},
    ),
    "substatement": _with(
        object={"objectType": "SubStatement", "actor": ACTOR, "verb": DEFAULT["verb"], "object": DEFAULT["object"]}
    ),
    "context": _with(
        context={
            "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
            "instructor": {"mbox": "mailto:trainer@example.org"},
            "contextActivities": {"parent": {"id": "https://x.org/p"}, "grouping": [{"id": "https://x.org/g"}]},
            "platform": "HEROES",
            "language": "es-ES",
            "extensions": {"https://x.org/ext": {"any": ["json"]}},
        }
    ),
    "timestamp with offset": _with(timestamp="2026-12-01T10:00:00+01:00"),
}

INVALID = {
    "no actor": (_with(actor=...), "$.actor: is required"),
    "no verb": (_with(verb=...), "$.verb: is required"),
    "no object": (_with(object=...), "$.object: is required"),
    "numeric id": (_with(id=12345), "$.id: must be a UUID"),
    "object id": (_with(id={"key": "x"}), "$.id: must be a UUID"),
    "uuid too long": (_with(id="AA97B177-9383-4934-8543-0F91A7A028368"), "$.id: must be a UUID"),
    "uuid bad letter": (_with(id="MA97B177-9383-4934-8543-0F91A7A02836"), "$.id: must be a UUID"),
    "timestamp string": (_with(timestamp="should fail"), "$.timestamp: must be an ISO 8601"),
    "timestamp date": (_with(timestamp="01/011/2015"), "$.timestamp: must be an ISO 8601"),
    "impossible date": (_with(timestamp="2026-02-30T10:00:00Z"), "$.timestamp: is not a real date"),
    "negative zero offset": (_with(timestamp="2026-12-01T10:00:00-00:00"), "$.timestamp: must not use the offset"),
    "stored string": (_with(stored="should fail"), "$.stored: must be an ISO 8601"),
    "version string": (_with(version="should fail"), "$.version: must be a supported"),
    "version 0.9.9": (_with(version="0.9.9"), "$.version: must be a supported"),
    "version 1.1.0": (_with(version="1.1.0"), "$.version: must be a supported"),
    "null name": (_with(actor={**ACTOR, "name": None}), "$.actor.name: must not be null"),
    "null display": (_with(verb={"id": DEFAULT["verb"]["id"], "display": {"en-US": None}}), "must not be null"),
    "unknown property": (_with(Actor=ACTOR), "$.Actor: is not a property allowed here"),
    "two identifiers": (_with(actor={**ACTOR, "openid": "https://o.org/x"}), "exactly one identifier"),
    "no identifier": (_with(actor={"name": "nobody"}), "exactly one identifier"),
    "mbox without mailto": (_with(actor={"mbox": "learner@example.org"}), "$.actor.mbox: must be a mailto"),
    "bad sha1": (_with(actor={"mbox_sha1sum": "xyz"}), "$.actor.mbox_sha1sum"),
    "account without homePage": (_with(actor={"account": {"name": "u"}}), "$.actor.account.homePage: is required"),
    "anonymous group without members": (_with(actor={"objectType": "Group"}), "must list its members"),
    "group in group": (
        _with(actor={"objectType": "Group", "member": [{"objectType": "Group", "member": [ACTOR]}]}),
        "must be Agents, not Groups",
    ),
    "verb id not an IRI": (_with(verb={"id": "completed"}), "$.verb.id: must be an absolute IRI"),
    "display not a language tag": (
        _with(verb={"id": DEFAULT["verb"]["id"], "display": {"english us": "x"}}),
        "is not an RFC 5646",
    ),
    "activity without id": (_with(object={"objectType": "Activity"}), "$.object.id: is required"),
    "bad interaction type": (
        _with(object={"id": "https://x.org/q", "definition": {"interactionType": "essay"}}),
        "interactionType: must be one of",
    ),
    "choices on a likert": (
        _with(object={**CHOICE, "definition": {**CHOICE["definition"], "interactionType": "likert"}}),
        "choices: is only allowed for interactionType",
    ),
    "duplicate choice ids": (
        _with(
            object={
                **CHOICE,
                "definition": {**CHOICE["definition"], "choices": [{"id": "a"}, {"id": "a"}]},
            }
        ),
        "component ids must be unique",
    ),
    "scaled above 1": (_with(result={"score": {"scaled": 1.5}}), "$.result.score.scaled: must be between -1 and 1"),
    "raw above max": (_with(result={"score": {"raw": 5, "min": 0, "max": 4}}), "must lie between min and max"),
    "min above max": (_with(result={"score": {"min": 5, "max": 4}}), "$.result.score.min: must be less than max"),
    "success not boolean": (_with(result={"success": "yes"}), "$.result.success: must be true or false"),
    "bad duration": (_with(result={"duration": "90 seconds"}), "$.result.duration: must be an ISO 8601 duration"),
    "registration not a uuid": (_with(context={"registration": "abc"}), "$.context.registration: must be a UUID"),
    "platform with agent object": (
        _with(object={"objectType": "Agent", "mbox": "mailto:o@example.org"}, context={"platform": "x"}),
        "is only allowed when the object is an Activity",
    ),
    "extension key not an IRI": (_with(context={"extensions": {"plain": 1}}), "an extension key must be an IRI"),
    "substatement with id": (
        _with(
            object={
                "objectType": "SubStatement",
                "id": DEFAULT["id"],
                "actor": ACTOR,
                "verb": DEFAULT["verb"],
                "object": DEFAULT["object"],
            }
        ),
        "$.object.id: is not allowed in a SubStatement",
    ),
    "nested substatement": (
        _with(
            object={
                "objectType": "SubStatement",
                "actor": ACTOR,
                "verb": DEFAULT["verb"],
                "object": {"objectType": "SubStatement", "actor": ACTOR, "verb": DEFAULT["verb"], "object": {}},
            }
        ),
        "cannot contain another SubStatement",
    ),
    "voiding an activity": (
        _with(verb={"id": "http://adlnet.gov/expapi/verbs/voided"}),
        "a voiding statement's object must be a StatementRef",
    ),
    "statement ref without uuid": (
        _with(object={"objectType": "StatementRef", "id": "x"}),
        "$.object.id: must be a UUID",
    ),
    "context agents in 1.0.3": (
        _with(context={"contextAgents": [{"objectType": "contextAgent", "agent": ACTOR}]}),
        "$.context.contextAgents: is not a property allowed here",
    ),
    "not an object": ([DEFAULT], "$: must be a JSON object"),
}


@pytest.mark.parametrize("name", list(VALID))
def test_valid_statements_conform_in_both_versions(name: str) -> None:
    assert check_statement(VALID[name], "1.0.3") == []
    assert check_statement(VALID[name], "2.0.0") == []


@pytest.mark.parametrize("name", list(INVALID))
def test_invalid_statements_are_refused_with_the_path(name: str) -> None:
    statement, expected = INVALID[name]
    problems = check_statement(statement, "1.0.3")
    assert any(expected in p for p in problems), problems


def test_version_2_0_rules() -> None:
    with_agents = _with(
        context={
            "contextAgents": [
                {"objectType": "contextAgent", "agent": ACTOR, "relevantTypes": ["https://x.org/instructor"]}
            ]
        }
    )
    assert check_statement(with_agents, "2.0.0") == []
    bad_agents = _with(context={"contextAgents": [{"objectType": "contextAgent", "agent": ACTOR, "relevantTypes": []}]})
    assert any("relevantTypes" in p for p in check_statement(bad_agents, "2.0.0"))
    no_zone = _with(timestamp="2026-12-01T10:00:00")
    assert check_statement(no_zone, "1.0.3") == []
    assert check_statement(no_zone, "2.0.0") == ["$.timestamp: must include a time zone (xAPI 2.0)"]
