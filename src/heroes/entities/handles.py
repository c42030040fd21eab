"""Social-media handles: ``@name`` in a text and profile URLs (instagram.com/name, tiktok.com/@name,
t.me/name ...), normalised to lower case without the ``@``; the platform goes in ``detail``."""

from __future__ import annotations

import re
from collections.abc import Iterator

from heroes.entities.base import VALID, Entity, EntityKind, Status, register
from heroes.entities.web import Url, normalize_url

HANDLE = re.compile(r"(?<![\w@./])@([A-Za-z0-9_][A-Za-z0-9_.]{1,39})")
_NAME = re.compile(r"^[\w.-]{2,40}$")

# Profile URLs: the first path segment is the user, except these words.
SOCIAL_HOSTS = {
    "instagram.com": "instagram",
    "tiktok.com": "tiktok",
    "twitter.com": "x",
    "x.com": "x",
    "facebook.com": "facebook",
    "t.me": "telegram",
    "telegram.me": "telegram",
    "snapchat.com": "snapchat",
    "youtube.com": "youtube",
    "twitch.tv": "twitch",
    "reddit.com": "reddit",
}
NOT_USERS = frozenset(
    [
        "p",
        "reel",
        "reels",
        "tv",
        "stories",
        "explore",
        "share",
        "status",
        "i",
        "video",
        "videos",
        "watch",
        "channel",
        "c",
        "user",
        "u",
        "add",
        "r",
        "hashtag",
        "search",
        "home",
        "login",
        "signup",
        "profile.php",
        "groups",
        "events",
        "pages",
        "intent",
    ]
)


def normalize_handle(name: str) -> str | None:
    value = name.strip().lstrip("@").rstrip(".").lower()
    return value if _NAME.match(value) else None


def handle_from_url(normalized: str) -> tuple[str, str] | None:
    """(platform, handle) for a normalised profile URL such as instagram.com/someone."""
    host, _, path = normalized.partition("/")
    platform = SOCIAL_HOSTS.get(host)
    if not platform or not path:
        return None
    first = path.split("/", 1)[0].split("?", 1)[0]
    if platform == "snapchat" and first == "add":
        first = path.split("/")[1] if path.count("/") >= 1 else ""
    user = first.lstrip("@")
    if not user or user.lower() in NOT_USERS or not re.fullmatch(r"[\w.-]{2,40}", user):
        return None
    handle = normalize_handle(user)
    return (platform, handle) if handle else None


@register
class Handle(EntityKind):
    name = "handle"

    def parse(self, raw: str, region: str | None = None) -> tuple[str, Status] | None:
        text = raw.strip()
        if "/" in text or text.lower().startswith("www."):
            url = normalize_url(text)
            profile = handle_from_url(url) if url else None
            return (profile[1], VALID) if profile else None
        value = normalize_handle(text)
        return (value, VALID) if value else None

    def platform_of(self, raw: str) -> str:
        url = normalize_url(raw) if "/" in raw else None
        profile = handle_from_url(url) if url else None
        return profile[0] if profile else ""

    def find(self, text: str, region: str | None = None) -> Iterator[Entity]:
        for m in HANDLE.finditer(text):
            value = normalize_handle(m.group(1))
            if value:
                yield Entity(self.name, value, m.group(0), m.start(), m.end())
        for url in Url().find(text, region):
            profile = handle_from_url(url.value)
            if profile:
                yield Entity(self.name, profile[1], url.raw, url.start, url.end, VALID, profile[0])
