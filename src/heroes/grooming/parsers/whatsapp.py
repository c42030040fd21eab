"""Moved to heroes.chats.parsers.whatsapp; kept so old imports work."""

from heroes.chats.parsers.whatsapp import *  # noqa: F403
