"""WhatsApp "Export chat" text files (Android and iOS; 12- and 24-hour clocks; any date order)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from heroes.chats.base import ChatParser, Item, ParseError, decode
from heroes.chats.model import Conversation, Message
from heroes.chats.registry import register

# Invisible marks WhatsApp sprinkles into exports (LRM, RLM, narrow no-break space...).
_INVISIBLE = re.compile("[\u200e\u200f\u202a\u202c\ufeff]")
_DATE_SPLIT = re.compile(r"[./-]")
_TIME_SPLIT = re.compile(r"[:.]")
_SPACES = re.compile(r"[\u202f\u00a0\u2009]")
_HEAD = re.compile(
    r"^\[?(?P<date>\d{1,4}[./-]\d{1,2}[./-]\d{1,4}),?\s+"
    r"(?P<time>\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)"
    r"\.?"
    r"(?:\s*(?P<ampm>[aApP])\.?\s?[mM]\.?)?\]?"
    r"\s*(?:-\s|–\s|:\s)?\s*(?P<rest>.*)$"
)
_MEDIA = re.compile(
    r"^<?(?:media omitted|multimedia omitido|medien ausgeschlossen|m[ée]dia omis|"
    r"(?:image|video|audio|sticker|gif|document|imagen|v[íi]deo|audio) omit(?:ted|ido))>?$",
    re.IGNORECASE,
)
_ATTACHED = re.compile(r"<(?:attached|adjunto):\s*([^>]+)>", re.IGNORECASE)
_BARE_AUTHOR = re.compile(r'^[^:"“]{1,40}:\S')
_DELETED = re.compile(
    r"^(?:this message was deleted|you deleted this message|se elimin[óo] este mensaje|eliminaste este mensaje)\.?$",
    re.IGNORECASE,
)
_EDITED = re.compile(r"\s*<(?:this message was edited|se edit[óo] este mensaje)>$", re.IGNORECASE)


def line_text(m: re.Match[str]) -> str:
    ampm = f" {m.group('ampm')}M" if m.group("ampm") else ""
    return f"{m.group('date')} {m.group('time')}{ampm}"


@register
class WhatsAppParser(ChatParser):
    name = "whatsapp"
    app = "whatsapp"
    order = 90
    description = "WhatsApp chat export (.txt), Android or iOS, 12/24-hour clock, DMY/MDY/YMD"

    def __init__(self, date_order: str | None = None) -> None:
        if date_order not in (None, "dmy", "mdy", "ymd"):
            raise ValueError("date_order is dmy, mdy or ymd")
        self.date_order = date_order

    def name_in_source(self, path: Path) -> str:
        # iOS exports are ZIPs holding "_chat.txt"; the archive's name says whose chat it is.
        if path.name == "_chat.txt" and path.parent.name:
            return path.parent.name.removesuffix(".zip") + ".txt"
        return path.name

    def sniff(self, filename: str, head: bytes) -> bool:
        first = _INVISIBLE.sub("", head.decode("utf-8", "ignore"))
        return bool(_HEAD.match(_SPACES.sub(" ", first.split("\n", 1)[0])))

    def _entries(self, lines: Iterable[str], filename: str) -> Iterator[tuple[int, re.Match[str], list[str]]]:
        """(line number, header match, continuation lines) per message, streamed."""
        current: tuple[int, re.Match[str], list[str]] | None = None
        for no, raw in enumerate(lines, start=1):
            raw = raw.rstrip("\r\n")
            line = raw
            if not raw.isascii():  # the marks and odd spaces are all outside ASCII
                raw = _INVISIBLE.sub("", raw)
                line = _SPACES.sub(" ", raw)
            m = _HEAD.match(line)
            if m and m.group("rest") is not None and self._looks_like_date(m.group("date")):
                if current is not None:
                    yield current
                current = (no, m, [])
            elif current is not None:
                current[2].append(raw)
            elif line.strip():
                raise ParseError(
                    f"{filename}: line {no}: not a WhatsApp message line (expected 'date, time - name: text')"
                )
        if current is None:
            raise ParseError(f"{filename}: line 1: no WhatsApp messages found")
        yield current

    def _message(
        self, no: int, m: re.Match[str], extra: list[str], order: str, filename: str, conversation: str = ""
    ) -> Message | None:
        date, clock, ampm, rest = m.group("date", "time", "ampm", "rest")  # one call: a big chat has many
        when = _when(date, clock, ampm, order, no, filename)
        original = f"{date} {clock} {ampm}M" if ampm else f"{date} {clock}"  # as line_text
        if ": " not in rest and _BARE_AUTHOR.match(rest):
            rest = rest.replace(":", ": ", 1)  # "Name:." - a message with no space after the colon
        if ": " not in rest:
            if not self.keep_system:  # encryption notice, joins, subject changes
                return None
            body = "\n".join([rest, *extra]).strip()
            return Message(
                "", body, when, (), f"line {no}", time_original=original, system=True, conversation=conversation
            )
        author, body = rest.split(": ", 1)
        body = "\n".join([body, *extra]).strip()
        attachments: tuple[str, ...] = ()
        if _MEDIA.match(body):
            attachments, body = ("<media omitted>",), ""
        elif found := _ATTACHED.findall(body):
            attachments = tuple(f.strip() for f in found)
            body = _ATTACHED.sub("", body).strip()
        edited = bool(_EDITED.search(body))
        if edited:
            body = _EDITED.sub("", body)
        return Message(
            author.strip(),
            body,
            when,
            attachments,
            f"line {no}",
            time_original=original,
            edited=edited,
            deleted=bool(_DELETED.match(body)),
            conversation=conversation,
        )

    def parse(self, data: bytes, filename: str) -> list[Conversation]:
        lines = decode(data, filename).splitlines()
        entries = list(self._entries(lines, filename))
        # the order is read off each distinct date once (a chat has many messages a day)
        dates = dict.fromkeys(m.group("date") for _, m, _ in entries)
        order = self.date_order or self._date_order(dates, filename)
        messages = [msg for e in entries if (msg := self._message(*e, order, filename)) is not None]
        stem = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        return [Conversation(stem or "whatsapp", messages, source_format=self.name)]

    def stream(self, path: Path, problems: list[str]) -> Iterator[Item]:
        """Two passes over the file, line by line: the date order and the people first, then the messages."""
        self.keep_system = True
        name = self.name_in_source(path)
        stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "whatsapp"
        people: dict[str, None] = {}

        def first_pass() -> Iterator[str]:
            for _, m, _ in self._entries(_lines(path, name), name):
                rest = m.group("rest")
                if ": " in rest:
                    people.setdefault(rest.split(": ", 1)[0].strip(), None)
                yield m.group("date")

        order = self.date_order or self._date_order(first_pass(), name)
        yield Conversation(stem, [], list(people), source_format=self.name, app="whatsapp")
        for entry in self._entries(_lines(path, name), name):
            msg = self._message(*entry, order, name, stem)
            if msg is not None:
                yield msg

    @staticmethod
    def _looks_like_date(date: str) -> bool:
        return _looks_like_date(date)

    @staticmethod
    def _date_order(dates: Iterable[str], filename: str) -> str:
        """Infer the order from the whole file: a first field > 12 means day first, etc."""
        first_over_31 = first_over_12 = second_over_12 = False
        for d in dates:
            p = [int(x) for x in _DATE_SPLIT.split(d)]
            first_over_31 |= p[0] > 31
            first_over_12 |= p[0] > 12
            second_over_12 |= p[1] > 12
        if first_over_31:
            return "ymd"
        if first_over_12:
            return "dmy"
        if second_over_12:
            return "mdy"
        return "dmy"  # ambiguous throughout: most of the world writes the day first


@lru_cache(maxsize=4096)
def _looks_like_date(date: str) -> bool:
    return len(_DATE_SPLIT.split(date)) == 3


def _when(date: str, clock: str, ampm: str | None, order: str, no: int, filename: str) -> datetime:
    """`WhatsAppParser._time` from the header's parts (the time of day parsed once per distinct
    "hh:mm[:ss]"); the place is only formatted for an error."""
    year, month, day = _ymd(date, order)
    hour, minute, second = _hms(clock)
    # Some exports write a 24-hour clock and still add the marker (13:37 p.m., 00:08 a.m.).
    if ampm and 1 <= hour <= 12:
        hour = hour % 12 + (12 if ampm.lower() == "p" else 0)
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError as exc:
        raise ParseError(f"{filename}: line {no}: impossible date or time ({exc})") from exc


@lru_cache(maxsize=100_000)
def _hms(clock: str) -> tuple[int, int, int]:
    hms = [int(x) for x in _TIME_SPLIT.split(clock)]
    return hms[0], hms[1], hms[2] if len(hms) > 2 else 0


@lru_cache(maxsize=4096)
def _ymd(date: str, order: str) -> tuple[int, int, int]:
    """(year, month, day) of a date as written; a chat has many messages a day, so cached."""
    a, b, c = (int(x) for x in _DATE_SPLIT.split(date))
    year, month, day = {"dmy": (c, b, a), "mdy": (c, a, b), "ymd": (a, b, c)}[order]
    return (year + 2000 if year < 100 else year), month, day


def _lines(path: Path, name: str) -> Iterator[str]:
    """The file's lines, decoded as UTF-8 one at a time; a bad byte is named by its line."""
    no = 0
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for no, line in enumerate(handle, start=1):  # noqa: B007 - the count names the bad line
                yield line
    except UnicodeDecodeError as exc:
        raise ParseError(f"{name}: near line {no + 1}: not UTF-8 text") from exc
    except OSError as exc:
        raise ParseError(f"{name}: cannot read ({exc.strerror})") from exc
