"""Entities: find, validate and normalise the identifiers that tie cases together.

Phones, e-mails, URLs and domains, social handles, IBANs and bank identifiers, crypto wallet
addresses and vehicle plates, each one small class (an ``EntityKind``) registered under its name.
Every finding carries its span in the text; normalisers never raise, whatever the input.

    from heroes import entities

    entities.find("Pay to ES91 2100 0418 4502 0005 1332 or call +34 612 34 56 78", region="ES")
    entities.normalize("phone", "612 34 56 78", region="ES")        # "+34612345678"
    entities.check("eth", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")  # "valid"

See docs/entities.md.
"""

from __future__ import annotations

from heroes.entities.base import (
    POSSIBLE,
    VALID,
    DuplicateKind,
    Entity,
    EntityKind,
    check,
    find,
    get_kind,
    kinds,
    normalize,
    register,
    validate,
)

__all__ = [
    "POSSIBLE",
    "VALID",
    "DuplicateKind",
    "Entity",
    "EntityKind",
    "check",
    "find",
    "get_kind",
    "kinds",
    "normalize",
    "register",
    "validate",
]
