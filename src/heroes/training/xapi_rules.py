"""The xAPI specification's rules for a statement (1.0.3 and 2.0), written out as checks.

`check_statement(statement, version)` returns every violation as `$.path: what is wrong` (empty when the
statement conforms). The rules follow the spec's Data part: required and allowed properties, one inverse
functional identifier per agent, IRIs, UUIDs, language maps, ISO 8601 timestamps and durations, score
bounds, interaction components, voiding and what a SubStatement may not carry. The platform checks every
statement it emits and every statement a client sends through the same function.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$")
IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")
MAILTO = re.compile(r"^mailto:[^@\s]+@[^@\s]+$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(?P<zone>Z|[+-]\d{2}(:?\d{2})?)?$")
DURATION = re.compile(
    r"^P(?!$)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?"
    r"(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$"
)
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
INTERACTION_TYPES = (
    "true-false",
    "choice",
    "fill-in",
    "long-fill-in",
    "matching",
    "performance",
    "sequencing",
    "likert",
    "numeric",
    "other",
)
COMPONENTS = {
    "choices": ("choice", "sequencing"),
    "scale": ("likert",),
    "source": ("matching",),
    "target": ("matching",),
    "steps": ("performance",),
}
STATEMENT_KEYS = {
    "id",
    "actor",
    "verb",
    "object",
    "result",
    "context",
    "timestamp",
    "stored",
    "authority",
    "version",
    "attachments",
}
SUBSTATEMENT_KEYS = {"objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments"}
SUPPORTED_VERSIONS = ("1.0.3", "2.0.0")


def major(version: str) -> str:
    """'1.0.3' -> '1.0'; '2.0' -> '2.0'; anything else -> ''."""
    match = re.match(r"^(1\.0|2\.0)(\.\d+)?$", version.strip())
    return match.group(1) if match else ""


class _Checker:
    def __init__(self, version: str) -> None:
        self.v2 = major(version) == "2.0"
        self.errors: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}")

    # --- basic shapes -----------------------------------------------------------------------

    def obj(self, value: Any, path: str, allowed: set[str] | None = None, required: tuple[str, ...] = ()) -> bool:
        if not isinstance(value, dict):
            self.fail(path, "must be a JSON object")
            return False
        for key, item in value.items():
            if item is None:
                self.fail(f"{path}.{key}", "must not be null")
            if allowed is not None and key not in allowed:
                self.fail(f"{path}.{key}", "is not a property allowed here (names are case-sensitive)")
        for key in required:
            if key not in value:
                self.fail(f"{path}.{key}", "is required")
        return True

    def iri(self, value: Any, path: str) -> None:
        if not isinstance(value, str) or not IRI.match(value):
            self.fail(path, "must be an absolute IRI (for example https://example.org/x)")

    def uuid(self, value: Any, path: str) -> None:
        if not isinstance(value, str) or not UUID.match(value):
            self.fail(path, "must be a UUID (RFC 4122, e.g. 4f9a1c2e-...)")

    def string(self, value: Any, path: str) -> None:
        if not isinstance(value, str):
            self.fail(path, "must be a string")

    def boolean(self, value: Any, path: str) -> None:
        if not isinstance(value, bool):
            self.fail(path, "must be true or false")

    def number(self, value: Any, path: str) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(path, "must be a number")
            return False
        return True

    def language_map(self, value: Any, path: str) -> None:
        if not self.obj(value, path):
            return
        for tag, text in value.items():
            if not LANGUAGE_TAG.match(tag):
                self.fail(f"{path}.{tag}", "is not an RFC 5646 language tag")
            if not isinstance(text, str):
                self.fail(f"{path}.{tag}", "must be a string")

    def extensions(self, value: Any, path: str) -> None:
        # extension values are free JSON: null is allowed here, and only here
        if not isinstance(value, dict):
            self.fail(path, "must be a JSON object")
            return
        for key in value:
            if not IRI.match(key):
                self.fail(f"{path}.{key}", "an extension key must be an IRI")

    def timestamp(self, value: Any, path: str) -> None:
        if not isinstance(value, str):
            self.fail(path, "must be an ISO 8601 date-time string")
            return
        match = TIMESTAMP.match(value)
        if not match:
            self.fail(path, "must be an ISO 8601 date-time (e.g. 2026-12-01T10:00:00Z)")
            return
        zone = match.group("zone")
        if zone in ("-00", "-00:00", "-0000"):
            self.fail(path, "must not use the offset -00:00 (use Z)")
        if self.v2 and zone is None:
            self.fail(path, "must include a time zone (xAPI 2.0)")
        try:
            parse_timestamp(value)
        except ValueError:
            self.fail(path, "is not a real date and time")

    # --- agents -----------------------------------------------------------------------------

    def ifis(self, value: Mapping[str, Any], path: str) -> int:
        found = [k for k in ("mbox", "mbox_sha1sum", "openid", "account") if k in value]
        if "mbox" in value and not (isinstance(value["mbox"], str) and MAILTO.match(value["mbox"])):
            self.fail(f"{path}.mbox", "must be a mailto: IRI such as mailto:someone@example.org")
        if "mbox_sha1sum" in value and not (
            isinstance(value["mbox_sha1sum"], str) and SHA1.match(value["mbox_sha1sum"])
        ):
            self.fail(f"{path}.mbox_sha1sum", "must be a 40-character hexadecimal SHA-1")
        if "openid" in value:
            self.iri(value["openid"], f"{path}.openid")
        if "account" in value and self.obj(
            value["account"], f"{path}.account", {"homePage", "name"}, ("homePage", "name")
        ):
            self.iri(value["account"].get("homePage"), f"{path}.account.homePage")
            self.string(value["account"].get("name"), f"{path}.account.name")
        return len(found)

    def agent(self, value: Any, path: str, object_type_required: bool = False) -> None:
        allowed = {"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"}
        if not self.obj(value, path, allowed | {"member"}):
            return
        kind = value.get("objectType", "Agent" if not object_type_required else None)
        if kind == "Group":
            self.group(value, path)
            return
        if kind != "Agent":
            self.fail(f"{path}.objectType", "must be 'Agent' or 'Group'")
            return
        if "member" in value:
            self.fail(f"{path}.member", "only a Group has members")
        if "name" in value:
            self.string(value["name"], f"{path}.name")
        if self.ifis(value, path) != 1:
            self.fail(path, "an Agent needs exactly one identifier: mbox, mbox_sha1sum, openid or account")

    def group(self, value: Any, path: str) -> None:
        allowed = {"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account", "member"}
        if not self.obj(value, path, allowed):
            return
        if value.get("objectType") != "Group":
            self.fail(f"{path}.objectType", "must be 'Group'")
        count = self.ifis(value, path)
        if count > 1:
            self.fail(path, "a Group has at most one identifier")
        members = value.get("member")
        if count == 0 and not members:
            self.fail(f"{path}.member", "an anonymous Group must list its members")
        if members is not None:
            if not isinstance(members, list):
                self.fail(f"{path}.member", "must be an array of Agents")
            else:
                for i, member in enumerate(members):
                    if isinstance(member, dict) and member.get("objectType") == "Group":
                        self.fail(f"{path}.member[{i}]", "a Group's members must be Agents, not Groups")
                    else:
                        self.agent(member, f"{path}.member[{i}]")

    # --- verb, object -----------------------------------------------------------------------

    def verb(self, value: Any, path: str) -> None:
        if not self.obj(value, path, {"id", "display"}, ("id",)):
            return
        self.iri(value.get("id"), f"{path}.id")
        if "display" in value:
            self.language_map(value["display"], f"{path}.display")

    def activity(self, value: Any, path: str) -> None:
        if not self.obj(value, path, {"objectType", "id", "definition"}, ("id",)):
            return
        if value.get("objectType", "Activity") != "Activity":
            self.fail(f"{path}.objectType", "must be 'Activity'")
        self.iri(value.get("id"), f"{path}.id")
        if "definition" in value:
            self.definition(value["definition"], f"{path}.definition")

    def definition(self, value: Any, path: str) -> None:
        allowed = {
            "name",
            "description",
            "type",
            "moreInfo",
            "extensions",
            "interactionType",
            "correctResponsesPattern",
            *COMPONENTS,
        }
        if not self.obj(value, path, allowed):
            return
        for key in ("name", "description"):
            if key in value:
                self.language_map(value[key], f"{path}.{key}")
        for key in ("type", "moreInfo"):
            if key in value:
                self.iri(value[key], f"{path}.{key}")
        if "extensions" in value:
            self.extensions(value["extensions"], f"{path}.extensions")
        interaction = value.get("interactionType")
        if interaction is not None and interaction not in INTERACTION_TYPES:
            self.fail(f"{path}.interactionType", f"must be one of {', '.join(INTERACTION_TYPES)}")
        pattern = value.get("correctResponsesPattern")
        if pattern is not None:
            if interaction is None:
                self.fail(f"{path}.correctResponsesPattern", "needs an interactionType")
            if not isinstance(pattern, list) or not all(isinstance(p, str) for p in pattern):
                self.fail(f"{path}.correctResponsesPattern", "must be an array of strings")
        for key, types in COMPONENTS.items():
            if key not in value:
                continue
            if interaction not in types:
                self.fail(f"{path}.{key}", f"is only allowed for interactionType {' or '.join(types)}")
            components = value[key]
            if not isinstance(components, list):
                self.fail(f"{path}.{key}", "must be an array of interaction components")
                continue
            seen: set[str] = set()
            for i, component in enumerate(components):
                where = f"{path}.{key}[{i}]"
                if self.obj(component, where, {"id", "description"}, ("id",)):
                    cid = component.get("id")
                    self.string(cid, f"{where}.id")
                    if isinstance(cid, str) and cid in seen:
                        self.fail(f"{where}.id", "component ids must be unique")
                    seen.add(str(cid))
                    if "description" in component:
                        self.language_map(component["description"], f"{where}.description")

    def statement_ref(self, value: Any, path: str) -> None:
        if self.obj(value, path, {"objectType", "id"}, ("objectType", "id")):
            if value.get("objectType") != "StatementRef":
                self.fail(f"{path}.objectType", "must be 'StatementRef'")
            self.uuid(value.get("id"), f"{path}.id")

    def object(self, value: Any, path: str, inside_substatement: bool = False) -> None:
        if not isinstance(value, dict):
            self.fail(path, "must be a JSON object")
            return
        kind = value.get("objectType", "Activity")
        if kind == "Activity":
            self.activity(value, path)
        elif kind in ("Agent", "Group"):
            self.agent(value, path, object_type_required=True)
        elif kind == "StatementRef":
            self.statement_ref(value, path)
        elif kind == "SubStatement":
            if inside_substatement:
                self.fail(f"{path}.objectType", "a SubStatement cannot contain another SubStatement")
            else:
                self.substatement(value, path)
        else:
            self.fail(f"{path}.objectType", "must be Activity, Agent, Group, StatementRef or SubStatement")

    def substatement(self, value: Mapping[str, Any], path: str) -> None:
        for key in ("id", "stored", "version", "authority"):
            if key in value:
                self.fail(f"{path}.{key}", "is not allowed in a SubStatement")
        self.obj(value, path, SUBSTATEMENT_KEYS | {"id", "stored", "version", "authority"}, ("actor", "verb", "object"))
        self.body(value, path, inside_substatement=True)

    # --- result, context, attachments ----------------------------------------------------------

    def result(self, value: Any, path: str) -> None:
        allowed = {"score", "success", "completion", "response", "duration", "extensions"}
        if not self.obj(value, path, allowed):
            return
        if "score" in value:
            self.score(value["score"], f"{path}.score")
        for key in ("success", "completion"):
            if key in value:
                self.boolean(value[key], f"{path}.{key}")
        if "response" in value:
            self.string(value["response"], f"{path}.response")
        if "duration" in value and not (isinstance(value["duration"], str) and DURATION.match(value["duration"])):
            self.fail(f"{path}.duration", "must be an ISO 8601 duration such as PT1M30S")
        if "extensions" in value:
            self.extensions(value["extensions"], f"{path}.extensions")

    def score(self, value: Any, path: str) -> None:
        if not self.obj(value, path, {"scaled", "raw", "min", "max"}):
            return
        numbers = {
            k: value[k] for k in ("scaled", "raw", "min", "max") if k in value and self.number(value[k], f"{path}.{k}")
        }
        if "scaled" in numbers and not -1 <= numbers["scaled"] <= 1:
            self.fail(f"{path}.scaled", "must be between -1 and 1")
        low, high, raw = numbers.get("min"), numbers.get("max"), numbers.get("raw")
        if low is not None and high is not None and not low < high:
            self.fail(f"{path}.min", "must be less than max")
        if raw is not None and ((low is not None and raw < low) or (high is not None and raw > high)):
            self.fail(f"{path}.raw", "must lie between min and max")

    def context(self, value: Any, path: str, object_kind: str) -> None:
        allowed = {
            "registration",
            "instructor",
            "team",
            "contextActivities",
            "revision",
            "platform",
            "language",
            "statement",
            "extensions",
        }
        if self.v2:
            allowed |= {"contextAgents", "contextGroups"}
        if not self.obj(value, path, allowed):
            return
        if "registration" in value:
            self.uuid(value["registration"], f"{path}.registration")
        if "instructor" in value:
            self.agent(value["instructor"], f"{path}.instructor")
        if "team" in value:
            self.group(value["team"], f"{path}.team")
        for key in ("revision", "platform"):
            if key in value:
                self.string(value[key], f"{path}.{key}")
                if object_kind != "Activity":
                    self.fail(f"{path}.{key}", "is only allowed when the object is an Activity")
        if "language" in value and not (isinstance(value["language"], str) and LANGUAGE_TAG.match(value["language"])):
            self.fail(f"{path}.language", "must be an RFC 5646 language tag")
        if "statement" in value:
            self.statement_ref(value["statement"], f"{path}.statement")
        if "extensions" in value:
            self.extensions(value["extensions"], f"{path}.extensions")
        activities = value.get("contextActivities")
        if activities is not None and self.obj(
            activities, f"{path}.contextActivities", {"parent", "grouping", "category", "other"}
        ):
            for key, item in activities.items():
                items = item if isinstance(item, list) else [item]
                for i, activity in enumerate(items):
                    self.activity(activity, f"{path}.contextActivities.{key}[{i}]")
        if "contextAgents" in value:
            self.context_agents(value["contextAgents"], f"{path}.contextAgents", "contextAgent", "agent")
        if "contextGroups" in value:
            self.context_agents(value["contextGroups"], f"{path}.contextGroups", "contextGroup", "group")

    def context_agents(self, value: Any, path: str, object_type: str, member_key: str) -> None:
        if not isinstance(value, list):
            self.fail(path, "must be an array")
            return
        for i, item in enumerate(value):
            where = f"{path}[{i}]"
            if not self.obj(item, where, {"objectType", member_key, "relevantTypes"}, ("objectType", member_key)):
                continue
            if item.get("objectType") != object_type:
                self.fail(f"{where}.objectType", f"must be {object_type!r}")
            if member_key == "agent":
                self.agent(item.get(member_key), f"{where}.agent")
            else:
                self.group(item.get(member_key), f"{where}.group")
            types = item.get("relevantTypes")
            if types is not None:
                if not isinstance(types, list) or not types:
                    self.fail(f"{where}.relevantTypes", "must be a non-empty array of IRIs")
                else:
                    for j, iri in enumerate(types):
                        self.iri(iri, f"{where}.relevantTypes[{j}]")

    def attachments(self, value: Any, path: str) -> None:
        if not isinstance(value, list):
            self.fail(path, "must be an array")
            return
        allowed = {"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"}
        for i, item in enumerate(value):
            where = f"{path}[{i}]"
            if not self.obj(item, where, allowed, ("usageType", "display", "contentType", "length", "sha2")):
                continue
            self.iri(item.get("usageType"), f"{where}.usageType")
            self.language_map(item.get("display"), f"{where}.display")
            if "description" in item:
                self.language_map(item["description"], f"{where}.description")
            self.string(item.get("contentType"), f"{where}.contentType")
            if not isinstance(item.get("length"), int) or isinstance(item.get("length"), bool):
                self.fail(f"{where}.length", "must be an integer")
            self.string(item.get("sha2"), f"{where}.sha2")
            if "fileUrl" in item:
                self.iri(item["fileUrl"], f"{where}.fileUrl")

    # --- statement ----------------------------------------------------------------------------

    def body(self, value: Mapping[str, Any], path: str, inside_substatement: bool = False) -> None:
        self.agent(value.get("actor"), f"{path}.actor")
        self.verb(value.get("verb"), f"{path}.verb")
        self.object(value.get("object"), f"{path}.object", inside_substatement)
        obj = value.get("object")
        object_kind = obj.get("objectType", "Activity") if isinstance(obj, dict) else ""
        if "result" in value:
            self.result(value["result"], f"{path}.result")
        if "context" in value:
            self.context(value["context"], f"{path}.context", object_kind)
        if "timestamp" in value:
            self.timestamp(value["timestamp"], f"{path}.timestamp")
        if "attachments" in value:
            self.attachments(value["attachments"], f"{path}.attachments")
        verb = value.get("verb")
        if isinstance(verb, dict) and verb.get("id") == VOIDED and object_kind != "StatementRef":
            self.fail(f"{path}.object", "a voiding statement's object must be a StatementRef")

    def statement(self, value: Any) -> None:
        if not self.obj(value, "$", STATEMENT_KEYS, ("actor", "verb", "object")):
            return
        if "id" in value:
            self.uuid(value["id"], "$.id")
        if "stored" in value:
            self.timestamp(value["stored"], "$.stored")
        if "authority" in value:
            self.agent(value["authority"], "$.authority")
        if "version" in value:
            version = value["version"]
            if not isinstance(version, str) or not major(version):
                self.fail("$.version", "must be a supported xAPI version such as 1.0.3 or 2.0.0")
        self.body(value, "$")


def check_statement(statement: Any, version: str = "1.0.3") -> list[str]:
    """Every rule the statement breaks, as `$.path: message`; an empty list means it conforms."""
    checker = _Checker(version)
    checker.statement(statement)
    return checker.errors


def parse_timestamp(value: str) -> datetime:
    """An ISO 8601 timestamp as an aware datetime (no zone: UTC; fractions beyond microseconds dropped)."""
    from datetime import UTC

    text = value.strip().replace("Z", "+00:00")
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
    if re.search(r"[+-]\d{2}$", text):
        text += ":00"
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
