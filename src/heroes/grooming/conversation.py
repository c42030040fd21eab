"""Moved to heroes.chats.model; kept so old imports work."""

from heroes.chats.model import Conversation, Message

__all__ = ["Conversation", "Message"]
