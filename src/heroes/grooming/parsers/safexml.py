"""Moved to heroes.chats.parsers.safexml; kept so old imports work."""

from heroes.chats.parsers.safexml import *  # noqa: F403
