"""The chat parsers moved to the shared heroes.chats package; this name stays for old imports."""

from heroes.chats import ChatParser, ParseError, parse_bytes, parse_file
from heroes.chats.registry import parsers as _parsers

# Formats that read uploaded bytes, in sniffing order (what the grooming page offers).
PARSERS = {p.name: p for p in _parsers(bytes_only=True)}

__all__ = ["PARSERS", "ChatParser", "ParseError", "parse_bytes", "parse_file"]
