"""Moved to heroes.chats.base; kept so old imports work."""

from heroes.chats.base import *  # noqa: F403
