"""XML parsing that refuses entity tricks (billion laughs, external entities)."""

from __future__ import annotations

from xml.etree.ElementTree import Element

try:  # defusedxml when installed; otherwise the stdlib parser with DTDs refused outright
    from defusedxml.ElementTree import fromstring as _fromstring
except ImportError:  # pragma: no cover - depends on the environment
    from xml.etree.ElementTree import fromstring as _fromstring

from heroes.chats.base import ParseError


def parse_xml(data: bytes, name: str) -> Element:
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data:
        raise ParseError(f"{name}: XML with a DOCTYPE or entities is refused")
    try:
        root: Element = _fromstring(data)  # noqa: S314 - DOCTYPE/ENTITY refused above
    except Exception as exc:  # ParseError, defusedxml errors
        line = getattr(exc, "position", (None,))[0]
        where = f" line {line}:" if line else ""
        raise ParseError(f"{name}:{where} not well-formed XML ({exc})") from exc
    return root
