"""Demo chat rooms for the live page: in memory only, bounded, nothing persisted.

Each room runs one StreamAnalyser. The adult's side sees only the chat; the child's side also
receives the risk, the stages seen so far (with explanations written for a child) and alerts.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from heroes.chats.model import Message
from heroes.core import i18n
from heroes.core.i18n import gettext as _
from heroes.grooming.cues import default_cues, pick
from heroes.grooming.stream import Alert, Assessment, StreamAnalyser

MAX_ROOMS = 50
MAX_MESSAGES = 300
MAX_TEXT = 500
IDLE_SECONDS = 30 * 60
QUIET_SECONDS = 5 * 60  # a room unused this long, with nobody listening, may be replaced when full
QUEUE_SIZE = 100
SIDES = ("adult", "child")


class RoomError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Room:
    id: str
    analyser: StreamAnalyser = field(default_factory=StreamAnalyser)
    count: int = 0
    touched: float = field(default_factory=time.monotonic)
    listeners: dict[str, list[asyncio.Queue[dict[str, Any]]]] = field(default_factory=lambda: {s: [] for s in SIDES})


def level_text(level: str, lang: str) -> str:
    """The level in words, for a child (no number: a greeting must not look alarming)."""
    with i18n.language(lang):
        return {
            "none": _("No warning signs so far"),
            "watch": _("Something to watch: one warning sign"),
            "warning": _("Warning: several signs of grooming"),
        }[level]


def child_view(a: Assessment, lang: str, alerts: list[Alert] | None = None) -> dict[str, Any]:
    """What the child's side is told after a message: no other participant's data."""
    cues = default_cues()
    by_cue = {c.id: c for c in cues.cues}
    stages = [
        {
            "stage": sid,
            "name": pick(cues.stages[sid].child, lang),
            "explanation": pick(by_cue[evs[-1].cue].explain_child, lang),
        }
        for sid, evs in sorted(a.stages.items(), key=lambda kv: cues.stage_order(kv[0]))
    ]

    def alert_view(al: Alert) -> dict[str, Any]:
        stage = cues.stages.get(al.stage)
        return {
            "stage": al.stage,
            "stage_name": pick(stage.child, lang) if stage else _("The overall pattern of the conversation"),
            "snippet": al.snippet,
            "advice": pick(cues.advice["child"], lang),
        }

    return {
        "index": a.index,
        "risk": round(a.risk, 3),
        "level": a.level,
        "level_text": level_text(a.level, lang),
        "warning": a.warning,
        "stages": stages,
        "alert": alert_view(a.alert) if a.alert is not None else None,
        # Every stage alerted while the warning is up, newest last: the box follows the chat.
        "alerts": [alert_view(x) for x in (alerts or [])] if a.warning else [],
    }


class Rooms:
    def __init__(self, max_rooms: int = MAX_ROOMS, max_messages: int = MAX_MESSAGES) -> None:
        self.max_rooms = max_rooms
        self.max_messages = max_messages
        self._rooms: OrderedDict[str, Room] = OrderedDict()

    def __len__(self) -> int:
        return len(self._rooms)

    def create(self) -> Room:
        self._expire()
        if len(self._rooms) >= self.max_rooms:
            # Only a quiet room (nobody listening, nothing said for a while) may make way: a burst
            # of new rooms must never end the conversations people are having.
            now = time.monotonic()
            quiet = [
                rid
                for rid, r in self._rooms.items()
                if now - r.touched > QUIET_SECONDS and not any(r.listeners.values())
            ]
            if not quiet:
                raise RoomError(_("The demo is busy; every room is in use. Try again in a few minutes."), 503)
            self._drop(quiet[0])  # the least recently used quiet room
        room = Room(secrets.token_urlsafe(12))
        self._rooms[room.id] = room
        return room

    def get(self, room_id: str) -> Room:
        self._expire()
        room = self._rooms.get(room_id)
        if room is None:
            raise RoomError(_("This demo room does not exist or has expired; start a new one."), 404)
        room.touched = time.monotonic()
        self._rooms.move_to_end(room_id)
        return room

    def post(self, room_id: str, side: str, text: str, lang: str) -> dict[str, Any]:
        if side not in SIDES:
            raise RoomError(_("side must be 'adult' or 'child'"))
        text = " ".join(text.split())
        if not text:
            raise RoomError(_("Write a message first."))
        if len(text) > MAX_TEXT:
            raise RoomError(_("Messages in the demo are limited to %(n)d characters.", n=MAX_TEXT))
        room = self.get(room_id)
        if room.count >= self.max_messages:
            raise RoomError(_("This demo room is full; start a new one."), 409)
        room.count += 1
        assessment = room.analyser.feed(Message(side, text))
        chat = {
            "type": "message",
            "side": side,
            "text": text,
            "index": assessment.index,
        }
        view = child_view(assessment, lang, room.analyser.alerts) | {"type": "risk"}
        self._publish(room, "adult", chat)
        self._publish(room, "child", chat)
        self._publish(room, "child", view)
        return {"index": assessment.index}

    def listen(self, room_id: str, side: str) -> asyncio.Queue[dict[str, Any]]:
        if side not in SIDES:
            raise RoomError(_("side must be 'adult' or 'child'"))
        room = self.get(room_id)
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        room.listeners[side].append(queue)
        return queue

    def unlisten(self, room_id: str, side: str, queue: asyncio.Queue[dict[str, Any]]) -> None:
        room = self._rooms.get(room_id)
        if room and queue in room.listeners.get(side, []):
            room.listeners[side].remove(queue)

    def _publish(self, room: Room, side: str, event: dict[str, Any]) -> None:
        for queue in list(room.listeners[side]):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:  # a stalled reader is dropped, not waited for
                room.listeners[side].remove(queue)

    def _drop(self, room_id: str) -> None:
        room = self._rooms.pop(room_id)
        for queues in room.listeners.values():
            for q in queues:
                with contextlib.suppress(asyncio.QueueFull):
                    q.put_nowait({"type": "closed"})

    def _expire(self) -> None:
        now = time.monotonic()
        for rid in [r for r, room in self._rooms.items() if now - room.touched > IDLE_SECONDS]:
            self._drop(rid)


ROOMS = Rooms()
