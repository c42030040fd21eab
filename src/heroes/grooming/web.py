"""Pages under /grooming and the API under /api/grooming: thin layers over the engine.

The live demo keeps its rooms in memory (bounded, expiring) and stores nothing. The staff
analysis reads an uploaded export, answers with the report and keeps only an audit entry
(who, when, how many messages), never the chat.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field

from heroes.chats.model import Conversation, Message
from heroes.core import i18n, workers
from heroes.core.audit import record
from heroes.core.auth import Principal, Public, Require
from heroes.core.db import DbSession
from heroes.core.errors import HeroesError
from heroes.core.i18n import gettext as _
from heroes.core.web.middleware import body_limit
from heroes.core.web.templating import render
from heroes.grooming.cues import default_cues, pick
from heroes.grooming.parsers import PARSERS, parse_bytes

if TYPE_CHECKING:  # the analysis and the demo rooms (the model, scipy) load on first use, not at start-up
    from heroes.grooming.analysis import Report
    from heroes.grooming.rooms import RoomError

ANALYZE = "grooming:analyze"
MAX_UPLOAD = 20 * 1024 * 1024
body_limit("/grooming/analyze", MAX_UPLOAD + 1024 * 1024)
body_limit("/api/grooming/analyze", MAX_UPLOAD + 1024 * 1024)
KEEPALIVE_SECONDS = 2.0  # also how soon a closed tab frees its queue

# Route guards, one per permission (heroes.core.auth.Public for public pages).
CanAnalyze = Annotated[Principal, Depends(Require(ANALYZE))]

router = APIRouter()


# --- API models -----------------------------------------------------------------------------


class MessageIn(BaseModel):
    author: str = Field(min_length=1, max_length=200)
    text: str = Field(default="", max_length=20_000)
    time: datetime | None = None
    attachments: list[str] = Field(default_factory=list, description="File names only.")


class ConversationIn(BaseModel):
    """The HEROES conversation format (see docs/grooming.md)."""

    id: str = "conversation"
    messages: list[MessageIn] = Field(min_length=1, max_length=100_000)


class DemoMessageIn(BaseModel):
    side: Literal["adult", "child"]
    text: str = Field(min_length=1, max_length=2000)


class RoomOut(BaseModel):
    room: str


class PostedOut(BaseModel):
    index: int


def _room_error(exc: RoomError) -> HeroesError:
    return HeroesError(str(exc), exc.status)


def _audit(db: Any, user: Principal, conversations: int, messages: int, how: str) -> None:
    record(
        db,
        user.actor,
        "grooming.analyze",
        details={"via": how, "conversations": conversations, "messages": messages},
    )


def _read_upload(upload: UploadFile) -> bytes:
    data = upload.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise HeroesError(_("The file is larger than %(n)d MB.", n=MAX_UPLOAD // 2**20), 413)
    if not data:
        raise HeroesError(_("The file is empty."))
    return data


def _parse_and_analyse(data: bytes, filename: str, fmt: str | None, lang: str) -> tuple[int, int, list[Report]]:
    """Runs in a worker process (heroes.core.workers): parsing and analysis are CPU-heavy. Sends
    back only the reports and the counts the audit needs, not the parsed conversations."""
    from heroes.grooming.analysis import analyse

    token = i18n.set_language(lang)
    try:
        with workers.paused_gc():
            convs = parse_bytes(data, filename, fmt)
            if not convs or not any(c.messages for c in convs):
                raise HeroesError(_("No messages were found in the file."))
            reports = [analyse(c, lang=lang) for c in convs if c.messages]
        return len(convs), sum(len(c.messages) for c in convs), reports
    finally:
        i18n._current.reset(token)


def _analyse_upload(upload: UploadFile, fmt: str | None) -> tuple[int, int, list[Report]]:
    data = _read_upload(upload)
    lang = i18n.get_language()
    too_long = _("This chat is too long to analyse on the web page. Use `heroes grooming batch` on the server.")
    return workers.run_bounded(_parse_and_analyse, data, upload.filename or "upload", fmt or None, lang, what=too_long)


# --- live demo (public) ---------------------------------------------------------------------


@router.get("/grooming", include_in_schema=False)
def demo_page(request: Request, user: Public) -> Response:
    return render(request, "grooming/demo.html", {"room": request.query_params.get("room", "")})


@router.post("/api/grooming/demo/rooms", tags=["grooming"], response_model=RoomOut)
async def create_room(user: Public) -> RoomOut:
    """Open a demo room (in memory, expires after 30 idle minutes; nothing is stored)."""
    from heroes.grooming.rooms import ROOMS

    return RoomOut(room=ROOMS.create().id)


@router.post(
    "/api/grooming/demo/rooms/{room_id}/messages",
    tags=["grooming"],
    response_model=PostedOut,
)
async def post_message(
    room_id: str,
    body: DemoMessageIn,
    user: Public,
) -> PostedOut:
    """Post a message from one side; both sides receive it through their event streams."""
    from heroes.grooming.rooms import ROOMS, RoomError

    try:
        posted = ROOMS.post(room_id, body.side, body.text, i18n.get_language())
    except RoomError as exc:
        raise _room_error(exc) from exc
    return PostedOut(index=posted["index"])


@router.get(
    "/api/grooming/demo/rooms/{room_id}/events",
    tags=["grooming"],
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "Server-sent events"}},
)
async def room_events(
    request: Request,
    room_id: str,
    side: Literal["adult", "child"],
    user: Public,
) -> StreamingResponse:
    """The streaming endpoint: server-sent events for one side of a demo room.

    Both sides get `message` events; the child's side also gets `risk` events after every
    message: the current risk, whether to warn, the stages seen so far explained for a child,
    and on the message that raises the warning an `alert` with the stage and a short snippet.
    """
    from heroes.grooming.rooms import ROOMS, RoomError

    try:
        queue = ROOMS.listen(room_id, side)
    except RoomError as exc:
        raise _room_error(exc) from exc

    async def stream() -> AsyncIterator[str]:
        try:
            yield "retry: 3000\n\n"
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    if await request.is_disconnected():
                        return
                    yield ": keep-alive\n\n"
                    continue
                yield f"event: {event['type']}\ndata: {json.dumps(event, ensure_ascii=False)}\n\n"
                if event["type"] == "closed":
                    return
        finally:
            ROOMS.unlisten(room_id, side, queue)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


# --- the parents' check: analysed in the browser, never uploaded -----------------------------


@router.get("/grooming/check", include_in_schema=False)
def check_page(request: Request, user: Public) -> Response:
    """The page only carries the scorer; the chat is read and analysed by the browser."""
    from heroes.grooming.webmodel import bundle_json  # the model (scipy) loads on first use

    _, etag = bundle_json()
    return render(request, "grooming/check.html", {"model_url": f"/grooming/check/model.json?v={etag}"})


@router.get("/grooming/guide", include_in_schema=False)
def guide_page(request: Request, user: Public) -> Response:
    lang = i18n.get_language()
    cues = default_cues()
    stages = [
        {"parent": pick(s.parent, lang), "description": pick(s.description, lang)}
        for s in sorted(cues.stages.values(), key=lambda s: s.order)
    ]
    return render(request, "grooming/guide.html", {"stages": stages})


@router.get("/grooming/check/model.json", include_in_schema=False)
def check_model(request: Request, user: Public) -> Response:
    """The model and the cues as static JSON for static/grooming/engine.js (cached by version)."""
    from heroes.grooming.webmodel import bundle_json

    data, etag = bundle_json()
    headers = {"ETag": f'"{etag}"', "Cache-Control": "public, max-age=86400"}
    if request.headers.get("if-none-match") == f'"{etag}"':
        return Response(status_code=304, headers=headers)
    return Response(data, media_type="application/json", headers=headers)


# --- staff analysis -------------------------------------------------------------------------


@router.get("/grooming/analyze", include_in_schema=False)
def analyze_form(request: Request, user: CanAnalyze) -> Response:
    return render(request, "grooming/analyze.html", {"formats": list(PARSERS)})


@router.post("/grooming/analyze", include_in_schema=False)
def analyze_page(
    request: Request,
    user: CanAnalyze,
    db: DbSession,
    file: Annotated[UploadFile, File()],
    fmt: Annotated[str, Form(alias="format")] = "",
) -> Response:
    n_convs, n_messages, reports = _analyse_upload(file, fmt)
    _audit(db, user, n_convs, n_messages, "page")
    lang = i18n.get_language()
    stages = default_cues().stages.values()
    return render(
        request,
        "grooming/report.html",
        {
            "stage_names": {s.id: pick(s.name, lang) for s in stages},
            "parent_names": {s.id: pick(s.parent, lang) for s in stages},
            "reports": reports,
            "export": json.dumps([r.to_dict() for r in reports], ensure_ascii=False, default=str),
        },
    )


def _report_json(reports: list[Report]) -> dict[str, Any]:
    return {"reports": [r.to_dict() for r in reports]}


@router.post("/api/grooming/analyze", tags=["grooming"])
def analyze_api(
    body: ConversationIn,
    user: CanAnalyze,
    db: DbSession,
) -> dict[str, Any]:
    """Analyse one conversation in the HEROES format: score, stages with evidence, who, advice."""
    conv = Conversation(
        body.id,
        [Message(m.author, m.text, m.time, tuple(m.attachments), str(i)) for i, m in enumerate(body.messages)],
        source_format="api",
    )
    _audit(db, user, 1, len(conv.messages), "api")
    from heroes.grooming.analysis import analyse

    return _report_json([analyse(conv, lang=i18n.get_language())])


@router.post("/api/grooming/analyze/file", tags=["grooming"])
def analyze_file_api(
    user: CanAnalyze,
    db: DbSession,
    file: Annotated[UploadFile, File(description="A chat export")],
    fmt: Annotated[
        str,
        Form(alias="format", description="json, whatsapp, telegram, pan2012 or empty"),
    ] = "",
) -> dict[str, Any]:
    """Analyse an uploaded export (HEROES JSON, WhatsApp .txt, Telegram result.json, PAN 2012)."""
    n_convs, n_messages, reports = _analyse_upload(file, fmt)
    _audit(db, user, n_convs, n_messages, "api-file")
    return _report_json(reports)
