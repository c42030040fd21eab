"""The contacts an ad gives, through the shared entity library, plus the forms ads use to hide them."""

from __future__ import annotations

import re

from heroes import entities
from heroes.osint.numbers import hidden_phones

LINKING_KINDS = ("phone", "email", "handle", "url", "iban", "btc", "eth", "ltc", "trx", "xmr")
# Handles written after a platform's name ("IG: name", "snap me name", "kik - name").
PLATFORM_HANDLE = re.compile(
    r"\b(?:ig|insta(?:gram)?|snap(?:chat)?|kik|twitter|telegram|onlyfans)\b"
    r"(\s*(?:me|at|is|es|:|-|=|@|\s)*\s*@?)([A-Za-z][A-Za-z0-9_.]{3,29})",
    re.IGNORECASE,
)
# Values that name nobody: placeholders and the platforms' own pages.
PLACEHOLDERS = {"none", "noinsta", "private", "nope", "null", "nada", "ninguno", "me", "only", "text", "call"}
COMMON_WORDS = {
    "your",
    "home",
    "account",
    "home.php",
    "fake",
    "fakes",
    "this",
    "that",
    "them",
    "here",
    "only",
    "below",
    "above",
    "page",
}
GENERIC_PATHS = {"", "profile.php", "login", "login.php", "home.php", "home", "account", "accounts/login", "explore"}
GENERIC_HOSTS = {"instagram.com", "facebook.com", "twitter.com", "x.com", "snapchat.com", "tiktok.com", "backpage.com"}


def _keep(kind: str, value: str) -> bool:
    if kind == "phone" and len(value) < 10:  # fewer than nine digits is a fragment, not a line
        return False
    if kind == "handle" and (value in PLACEHOLDERS or len(value) < 4):
        return False
    if kind == "url":
        host, _, path = value.partition("/")
        host = host.split("?", 1)[0]
        if host in GENERIC_HOSTS and path.split("?", 1)[0] in GENERIC_PATHS:
            return False
    return True


def find_contacts(text: str, region: str = "US") -> list[entities.Entity]:
    """Every contact in ``text`` that can tie ads together, each once per value, in text order."""
    # Only the linking kinds are searched: the others (domains, plates, BICs) would be dropped here.
    found: list[entities.Entity] = entities.find(text, region=region, only=LINKING_KINDS)
    found += hidden_phones(text, region=region)
    for match in PLATFORM_HANDLE.finditer(text):
        value = match.group(2).lower().rstrip(".")
        # "snap me name" is a handle; "instagram pleasure" is prose: a plain word needs a ":" or "@" before it.
        marked = any(c in match.group(1) for c in ":@=") or any(c.isdigit() or c == "_" for c in value)
        if marked and value not in COMMON_WORDS:
            found.append(
                entities.Entity("handle", value, match.group(2), match.start(2), match.end(2), entities.POSSIBLE, "")
            )
    seen: set[tuple[str, str]] = set()
    out = []
    for entity in sorted(found, key=lambda e: (e.start, e.kind, e.value)):
        key = (entity.kind, entity.value)
        if key in seen or not _keep(*key):
            continue
        seen.add(key)
        out.append(entity)
    return out
