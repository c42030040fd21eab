"""The entity model, the kind interface and the registry."""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import ClassVar, Literal, TypeVar

VALID: Literal["valid"] = "valid"
# Well-formed but not confirmed: a phone number in a range no operator has (test and fiction ranges),
# an Ethereum address written without its EIP-55 checksum.
POSSIBLE: Literal["possible"] = "possible"
Status = Literal["valid", "possible"]

# The modules holding the built-in kinds; imported on first use so that importing heroes stays fast.
BUILTIN_MODULES = (
    "heroes.entities.phones",
    "heroes.entities.web",
    "heroes.entities.handles",
    "heroes.entities.banking",
    "heroes.entities.wallets",
    "heroes.entities.plates",
)


@dataclass(frozen=True)
class Entity:
    kind: str
    value: str  # normalised: what comparisons and links use
    raw: str  # as written
    start: int  # span in the text searched: text[start:end] == raw
    end: int
    status: Status = VALID
    detail: str = ""  # what the kind adds: a phone's region, a handle's platform, a URL's host


class DuplicateKind(RuntimeError):
    """Two entity kinds registered under one name: the second would silently replace the first."""


class EntityKind(ABC):
    """One kind of entity. ``find`` and ``normalize`` never raise on any input."""

    name: ClassVar[str]

    @abstractmethod
    def find(self, text: str, region: str | None = None) -> Iterator[Entity]:
        """Every entity of this kind in a free text, with its span."""

    @abstractmethod
    def parse(self, raw: str, region: str | None = None) -> tuple[str, Status] | None:
        """(normalised value, status) of a value typed on its own; None if it is not one."""

    def normalize(self, raw: str, region: str | None = None) -> str | None:
        parsed = self.parse(raw, region)
        return parsed[0] if parsed else None

    def check(self, raw: str, region: str | None = None) -> Status | None:
        parsed = self.parse(raw, region)
        return parsed[1] if parsed else None

    def entity(self, text: str, start: int, end: int, region: str | None = None, detail: str = "") -> Entity | None:
        """The entity of ``text[start:end]`` if it parses (a helper for ``find``)."""
        raw = text[start:end]
        parsed = self.parse(raw, region)
        if parsed is None:
            return None
        return Entity(self.name, parsed[0], raw, start, end, parsed[1], detail)


_KINDS: dict[str, EntityKind] = {}
_loaded = False
K = TypeVar("K", bound=type[EntityKind])


def register(cls: K) -> K:
    """Class decorator: one instance of the kind, under its name; a second kind of that name is refused."""
    if cls.name in _KINDS:
        holder = type(_KINDS[cls.name]).__name__
        raise DuplicateKind(f"An entity kind named {cls.name!r} is already registered ({holder}).")
    _KINDS[cls.name] = cls()
    return cls


def unregister(name: str) -> None:
    _KINDS.pop(name, None)


def _load() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        for module in BUILTIN_MODULES:
            importlib.import_module(module)


def kinds() -> dict[str, EntityKind]:
    _load()
    return dict(_KINDS)


def get_kind(name: str) -> EntityKind:
    _load()
    try:
        return _KINDS[name]
    except KeyError:
        raise KeyError(f"No entity kind {name!r} (known: {', '.join(sorted(_KINDS))}).") from None


def find(text: str, region: str | None = None, only: Iterable[str] | None = None) -> list[Entity]:
    """Every entity of every kind (or of the kinds named in ``only``), in the order of the text."""
    _load()
    names = list(only) if only is not None else list(_KINDS)
    found = {e for name in names for e in get_kind(name).find(text, region)}
    return sorted(found, key=lambda e: (e.start, e.end, e.kind, e.value))


def normalize(kind: str, raw: str, region: str | None = None) -> str | None:
    return get_kind(kind).normalize(raw, region)


def check(kind: str, raw: str, region: str | None = None) -> Status | None:
    """ "valid", "possible" or None (not one)."""
    return get_kind(kind).check(raw, region)


def validate(kind: str, raw: str, region: str | None = None) -> bool:
    return check(kind, raw, region) == VALID


def region_or_none(region: str | None) -> str | None:
    return region.strip().upper() if region and region.strip() else None
