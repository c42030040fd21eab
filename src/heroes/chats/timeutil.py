"""Local wall-clock times (text exports) to UTC, through the device's time zone, DST included."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from heroes.chats.model import Message
from heroes.core.errors import HeroesError


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise HeroesError(f"Unknown time zone {name!r}; use an IANA name such as Europe/Madrid.") from exc


def offset_minutes(local: datetime, tz: ZoneInfo) -> int:
    """The UTC offset in force at a local time. In the repeated hour after clocks go back the earlier
    (summer) offset is taken; a time in the skipped hour gets the offset from before the jump."""
    offset = local.replace(tzinfo=tz, fold=0).utcoffset()
    assert offset is not None
    return round(offset.total_seconds() / 60)


def localise(message: Message, tz: ZoneInfo | None) -> Message:
    """Give a naive (local-time) message its offset in `tz`; aware times and unknown zones pass through."""
    if tz is None or message.time is None or message.time.tzinfo is not None or message.utc_offset_minutes is not None:
        return message
    return message.with_(utc_offset_minutes=offset_minutes(message.time, tz))


def iso_utc(when: datetime | None) -> str | None:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z") if when else None
