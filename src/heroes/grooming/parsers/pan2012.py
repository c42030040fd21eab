"""Moved to heroes.chats.parsers.pan2012; kept so old imports work."""

from heroes.chats.parsers.pan2012 import *  # noqa: F403
