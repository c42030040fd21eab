"""Shared chat library: one conversation model and every chat parser, for every tool that reads chats.

Not a tool (no TOOL): the anti-grooming engine and the chat-evidence tool (RIMA) both import it.
"""

from heroes.chats import parsers as _parsers  # noqa: F401 - registers every parser
from heroes.chats.base import ChatParser, Item, ParseError
from heroes.chats.model import Attachment, Conversation, Message, Participant, Reaction
from heroes.chats.registry import REGISTRY, find_parser, parse_bytes, parse_file, parsers, register

__all__ = [
    "REGISTRY",
    "Attachment",
    "ChatParser",
    "Conversation",
    "Item",
    "Message",
    "ParseError",
    "Participant",
    "Reaction",
    "find_parser",
    "parse_bytes",
    "parse_file",
    "parsers",
    "register",
]
