"""The conversation model every chat parser produces, for every app.

`Message.time` is what the source says: an aware datetime when the source stores an instant (app
databases, Unix times), a naive local wall-clock time when it only stores that (text exports).
`time_utc` gives the instant in UTC once the offset is known; `time_original` keeps the source's
own value untouched so a report can show both.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class Participant:
    """Who takes part: the name shown and the identifiers the app keeps (JID, phone, handle, id)."""

    name: str
    identifier: str = ""  # the app's own id: WhatsApp JID, Telegram user id, phone, e-mail
    phone: str = ""
    handle: str = ""
    is_owner: bool = False  # the device owner / the account the export came from


@dataclass(frozen=True)
class Attachment:
    """A file a message refers to; hashes are filled only when the file itself was acquired."""

    name: str
    kind: str = ""  # image, video, audio, document, sticker, location, contact...
    path: str = ""  # where the source says the file is
    size: int | None = None
    md5: str = ""
    sha256: str = ""


@dataclass(frozen=True)
class Reaction:
    emoji: str
    by: str
    time: datetime | None = None


@dataclass(frozen=True)
class Message:
    author: str
    text: str
    time: datetime | None = None
    # Names only: the grooming engine never opens, stores or forwards attached files.
    attachments: tuple[str, ...] = ()
    # Where the message came from in the source (line number, table and row id), for reports.
    ref: str | None = None
    # --- what forensic acquisition needs besides the text (all optional) ---
    conversation: str = ""  # the conversation's id, for streamed messages
    sender_id: str = ""  # the author's identifier (JID, phone, handle)
    from_me: bool = False
    time_original: str = ""  # the source's own value (e.g. "1654390010.0", "31/12/20, 9:41 PM")
    utc_offset_minutes: int | None = None  # offset of `time` from UTC when the source is local time
    reply_to: str | None = None  # the source id of the message replied to
    source_id: str = ""  # the app's own message id
    reactions: tuple[Reaction, ...] = ()
    edited: bool = False
    deleted: bool = False
    system: bool = False  # joins, subject changes, encryption notices
    attachment_refs: tuple[Attachment, ...] = ()
    source_file: str = ""
    id: str = ""  # the evidence package's id for this message

    @property
    def time_utc(self) -> datetime | None:
        """The instant in UTC: aware times converted, naive ones shifted by their known offset."""
        if self.time is None:
            return None
        if self.time.tzinfo is not None:
            return self.time.astimezone(UTC)
        if self.utc_offset_minutes is None:
            return None
        return (self.time - timedelta(minutes=self.utc_offset_minutes)).replace(tzinfo=UTC)

    def with_(self, **changes: Any) -> Message:
        return replace(self, **changes)


@dataclass
class Conversation:
    id: str
    messages: list[Message] = field(default_factory=list)
    participants: list[str] = field(default_factory=list)
    source_format: str = ""
    # --- forensic extras ---
    title: str = ""
    app: str = ""  # whatsapp, telegram, instagram, messenger, signal, sms, imessage, ...
    people: list[Participant] = field(default_factory=list)
    is_group: bool = False
    source_file: str = ""
    source_ref: str = ""

    def __post_init__(self) -> None:
        if not self.participants:
            if self.people:
                self.participants = [p.name or p.identifier for p in self.people]
            else:
                seen: dict[str, None] = {}
                for m in self.messages:
                    if not m.system:
                        seen.setdefault(m.author, None)
                self.participants = list(seen)

    def header(self) -> Conversation:
        """The conversation without its messages (what a streaming parser yields first)."""
        return replace(self, messages=[], participants=list(self.participants), people=list(self.people))
