"""Moved to heroes.chats.parsers.telegram; kept so old imports work."""

from heroes.chats.parsers.telegram import *  # noqa: F403
