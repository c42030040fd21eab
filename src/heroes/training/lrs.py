"""The platform's learning-record store: store, void, query and forward xAPI statements.

Statements are immutable: storing a statement whose id exists is a no-op when it is the same statement and
a conflict when it differs. A batch is stored whole or refused whole. Queries follow the spec's filters and
never return voided statements except by `voidedStatementId`. Each statement belongs to the organisation of
the learner it describes (or of the client that sent it), so an organisation's LRS client sees only its own.
"""

from __future__ import annotations

import base64
import copy
import json
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from heroes.core.db import utcnow
from heroes.core.errors import HeroesError

from .models import Statement, StatementLink
from .xapi_rules import VOIDED, check_statement, major, parse_timestamp

MAX_LIMIT = 200
DEFAULT_LIMIT = 100
IGNORED_IN_COMPARISON = ("id", "stored", "authority", "version")


class StatementRejected(HeroesError):
    def __init__(self, message: str, problems: Sequence[str] = (), status_code: int = 400) -> None:
        detail = message + ("\n  " + "\n  ".join(problems) if problems else "")
        super().__init__(detail, status_code=status_code)
        self.head = message
        self.problems = list(problems)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def agent_key(agent: Any) -> str | None:
    """The inverse functional identifier of an Agent or identified Group, as one comparable string."""
    if not isinstance(agent, dict):
        return None
    if "mbox" in agent:
        return f"mbox:{agent['mbox']}"
    if "mbox_sha1sum" in agent:
        return f"sha1:{str(agent['mbox_sha1sum']).lower()}"
    if "openid" in agent:
        return f"openid:{agent['openid']}"
    account = agent.get("account")
    if isinstance(account, dict):
        return f"account:{account.get('homePage')}|{account.get('name')}"
    return None


def _agents(value: Any) -> Iterator[str]:
    """An Agent or Group and, for a Group, its members."""
    key = agent_key(value)
    if key:
        yield key
    if isinstance(value, dict):
        for member in value.get("member") or []:
            member_key = agent_key(member)
            if member_key:
                yield member_key


def _links(statement: Mapping[str, Any]) -> set[tuple[str, str, bool]]:
    links: set[tuple[str, str, bool]] = set()

    def visit(body: Mapping[str, Any], direct: bool) -> None:
        links.update(("agent", key, direct) for key in _agents(body.get("actor")))
        obj = body.get("object") or {}
        kind = obj.get("objectType", "Activity")
        if kind == "Activity":
            links.add(("activity", str(obj.get("id")), direct))
        elif kind in ("Agent", "Group"):
            links.update(("agent", key, direct) for key in _agents(obj))
        elif kind == "SubStatement":
            visit(obj, False)
        context = body.get("context") or {}
        for key in ("instructor", "team"):
            links.update(("agent", agent, False) for agent in _agents(context.get(key)))
        for items in (context.get("contextActivities") or {}).values():
            for activity in items if isinstance(items, list) else [items]:
                links.add(("activity", str(activity.get("id")), False))

    visit(statement, True)
    links.update(("agent", key, False) for key in _agents(statement.get("authority")))
    # a direct link also counts as related: keep only the strongest per value
    direct = {(k, v) for k, v, d in links if d}
    return {(k, v, d) for k, v, d in links if d or (k, v) not in direct}


def _comparable(statement: Mapping[str, Any]) -> str:
    trimmed = {k: v for k, v in statement.items() if k not in IGNORED_IN_COMPARISON}
    return json.dumps(trimmed, sort_keys=True, separators=(",", ":"))


def prepare(statement: Any, version: str, authority: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """Check a statement against the spec and complete what the LRS sets (id, stored, authority, version)."""
    problems = check_statement(statement, version)
    if problems:
        raise StatementRejected("The statement does not conform to the xAPI specification:", problems)
    bodies = [statement, statement["object"] if statement["object"].get("objectType") == "SubStatement" else {}]
    if any("fileUrl" not in a for body in bodies for a in body.get("attachments") or []):
        raise StatementRejected(
            "Attachments need a fileUrl: this LRS takes application/json only, not multipart attachment data."
        )
    prepared: dict[str, Any] = copy.deepcopy(statement)
    prepared["id"] = str(prepared.get("id") or uuid.uuid4()).lower()
    prepared["stored"] = iso(now)
    prepared.setdefault("timestamp", prepared["stored"])
    prepared["authority"] = dict(authority)
    prepared.setdefault("version", "2.0.0" if major(version) == "2.0" else "1.0.0")
    return prepared


def store(
    session: Session,
    statements: Sequence[Any],
    *,
    version: str,
    authority: Mapping[str, Any],
    organisation_id: int | None,
) -> list[str]:
    """Store a batch whole or not at all; return the ids (existing identical statements are not stored again)."""
    now = utcnow()
    prepared: list[dict[str, Any]] = []
    for index, statement in enumerate(statements):
        try:
            prepared.append(prepare(statement, version, authority, now))
        except StatementRejected as exc:
            prefixed = [f"[{index}] {p}" for p in exc.problems] if len(statements) > 1 else exc.problems
            raise StatementRejected(exc.head, prefixed) from None
    ids = [p["id"] for p in prepared]
    if len(set(ids)) != len(ids):
        raise StatementRejected("The batch carries the same statement id twice.")
    existing = {row.id: row for row in session.execute(select(Statement).where(Statement.id.in_(ids))).scalars()}
    for item in prepared:  # every conflict is found before anything is added: whole batch or nothing
        old = existing.get(item["id"])
        if old is not None and _comparable(old.statement) != _comparable(item):
            raise StatementRejected(f"A different statement with id {item['id']} is already stored.", status_code=409)
    to_void: list[str] = []
    for item in prepared:
        if item["id"] in existing:
            continue
        voids = None
        if item["verb"]["id"] == VOIDED:
            voids = str(item["object"]["id"]).lower()
            target = session.get(Statement, voids)
            if target is not None and target.organisation_id != organisation_id:
                raise StatementRejected("A statement may only void a statement of its own organisation.")
            if target is None or target.voids is None:
                to_void.append(voids)  # a voiding statement cannot itself be voided: store it, change nothing
        context = item.get("context") or {}
        row = Statement(
            id=item["id"],
            stored=now,
            timestamp=parse_timestamp(item["timestamp"]),
            version=str(item["version"]),
            verb_id=str(item["verb"]["id"]),
            registration=(str(context["registration"]).lower() if "registration" in context else None),
            voided=False,
            voids=voids,
            organisation_id=organisation_id,
            statement=item,
        )
        session.add(row)
        session.add_all(
            StatementLink(statement_id=row.id, kind=k, value=v[:1000], direct=d) for k, v, d in _links(item)
        )
    try:
        session.flush()
    except IntegrityError:
        # another request stored one of these ids in the meantime
        session.rollback()
        raise StatementRejected("A statement with one of these ids was stored meanwhile.", status_code=409) from None
    if to_void:
        session.execute(
            update(Statement).where(Statement.id.in_(to_void), Statement.voids.is_(None)).values(voided=True)
        )
    return ids


@dataclass(frozen=True)
class Query:
    statement_id: str | None = None
    voided_statement_id: str | None = None
    agent: Mapping[str, Any] | None = None
    verb: str | None = None
    activity: str | None = None
    registration: str | None = None
    related_activities: bool = False
    related_agents: bool = False
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 0
    ascending: bool = False
    format: str = "exact"
    offset: int = 0


def _scoped(query: Any, organisation_id: int | None, all_organisations: bool) -> Any:
    if all_organisations:
        return query
    if organisation_id is None:
        return query.where(Statement.organisation_id.is_(None))
    return query.where(Statement.organisation_id == organisation_id)


def get_one(
    session: Session, statement_id: str, voided: bool, organisation_id: int | None, all_organisations: bool
) -> Statement:
    query = _scoped(select(Statement).where(Statement.id == statement_id.lower()), organisation_id, all_organisations)
    row: Statement | None = session.execute(query).scalar_one_or_none()
    if row is None or row.voided != voided:
        raise HeroesError("No such statement.", status_code=404)
    return row


def find(
    session: Session, q: Query, organisation_id: int | None, all_organisations: bool = False
) -> tuple[list[Statement], bool]:
    """Statements matching the filters, newest first unless ascending; and whether more remain."""
    query = _scoped(select(Statement).where(Statement.voided.is_(False)), organisation_id, all_organisations)

    def linked(kind: str, value: str, related: bool) -> Any:
        condition = and_(StatementLink.statement_id == Statement.id, StatementLink.kind == kind)
        condition = and_(condition, StatementLink.value == value)
        if not related:
            condition = and_(condition, StatementLink.direct.is_(True))
        return exists().where(condition)

    if q.agent is not None:
        key = agent_key(q.agent)
        if key is None:
            raise HeroesError("The agent filter needs an Agent or identified Group (mbox, openid or account).")
        query = query.where(linked("agent", key, q.related_agents))
    if q.verb:
        query = query.where(Statement.verb_id == q.verb)
    if q.activity:
        query = query.where(linked("activity", q.activity, q.related_activities))
    if q.registration:
        query = query.where(Statement.registration == q.registration.lower())
    if q.since:
        query = query.where(Statement.stored > q.since)
    if q.until:
        query = query.where(Statement.stored <= q.until)
    order = (
        (Statement.stored.asc(), Statement.id.asc()) if q.ascending else (Statement.stored.desc(), Statement.id.desc())
    )
    limit = min(q.limit or DEFAULT_LIMIT, MAX_LIMIT)
    rows = list(session.execute(query.order_by(*order).offset(q.offset).limit(limit + 1)).scalars())
    return rows[:limit], len(rows) > limit


def formatted(statement: Mapping[str, Any], fmt: str, languages: Sequence[str] = ()) -> dict[str, Any]:
    """The spec's formats: exact (as stored), ids (agents and activities reduced to identifiers), canonical."""
    result = copy.deepcopy(dict(statement))
    if fmt == "exact":
        return result

    def reduce_agent(agent: Any) -> Any:
        if not isinstance(agent, dict):
            return agent
        kept = {k: agent[k] for k in ("objectType", "mbox", "mbox_sha1sum", "openid", "account") if k in agent}
        if "member" in agent and agent_key(agent) is None:
            kept["member"] = [reduce_agent(m) for m in agent["member"]]
        return kept

    def pick(language_map: Mapping[str, str]) -> dict[str, str]:
        for lang in [*languages, "en-US", "en"]:
            if lang in language_map:
                return {lang: language_map[lang]}
        first = next(iter(language_map.items()), None)
        return dict([first]) if first else {}

    def walk(value: Any, parent_key: str = "") -> Any:
        if isinstance(value, dict):
            if fmt == "ids":
                if value.get("objectType") in ("Agent", "Group") or parent_key in (
                    "actor",
                    "authority",
                    "instructor",
                    "team",
                ):
                    return reduce_agent(value)
                if parent_key in ("object", "parent", "grouping", "category", "other") and "definition" in value:
                    return {k: v for k, v in value.items() if k != "definition"}
            if fmt == "canonical" and parent_key in ("display", "name", "description"):
                return pick(value)
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, parent_key) for v in value]
        return value

    return dict(walk(result))


# --- forwarding to an external LRS ---------------------------------------------------------------


def forward_pending(session: Session, url: str, username: str, password: str, version: str, batch: int = 50) -> int:
    """POST statements not yet forwarded to an external LRS; returns how many were accepted."""
    import httpx

    headers = {"X-Experience-API-Version": version, "Content-Type": "application/json"}
    if username:
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    sent = 0
    while True:
        rows = list(
            session.execute(
                select(Statement).where(Statement.forwarded_at.is_(None)).order_by(Statement.stored).limit(batch)
            ).scalars()
        )
        if not rows:
            return sent
        body = [{k: v for k, v in r.statement.items() if k not in ("stored", "authority")} for r in rows]
        try:
            response = httpx.post(url.rstrip("/") + "/statements", json=body, headers=headers, timeout=30)
        except httpx.HTTPError as exc:
            raise HeroesError(
                f"The external LRS at {url} cannot be reached ({type(exc).__name__}); try again later."
            ) from None
        if response.status_code not in (200, 204, 409):
            raise HeroesError(
                f"The external LRS refused the statements ({response.status_code}): {response.text[:300]}"
            )
        now = utcnow()
        for row in rows:
            row.forwarded_at = now
        session.flush()
        sent += len(rows)
