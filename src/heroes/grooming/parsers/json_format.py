"""Moved to heroes.chats.parsers.json_format; kept so old imports work."""

from heroes.chats.parsers.json_format import *  # noqa: F403
