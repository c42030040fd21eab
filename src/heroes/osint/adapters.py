"""Site adapters: a page in, ad records out. One small registered class per site layout, tried in
registration order; the generic adapter (trafilatura's main-text extraction) comes last, so an
unknown site still yields one record per page.
"""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from typing import ClassVar

import lxml.html

from heroes.osint.ads import Ad

ADAPTERS: list[type[SiteAdapter]] = []


class DuplicateAdapter(RuntimeError):
    """Two adapters registered under one name."""


def register_adapter(cls: type[SiteAdapter]) -> type[SiteAdapter]:
    if any(a.name == cls.name for a in ADAPTERS):
        raise DuplicateAdapter(cls.name)
    generic = [a for a in ADAPTERS if a.generic]
    ADAPTERS[:] = [a for a in ADAPTERS if not a.generic] + [cls] + generic if not cls.generic else [*ADAPTERS, cls]
    return cls


def page_id(url: str, n: int = 0) -> str:
    return "p" + hashlib.sha256(f"{url}#{n}".encode()).hexdigest()[:16]


class SiteAdapter(ABC):
    name: ClassVar[str]
    generic: ClassVar[bool] = False

    @abstractmethod
    def matches(self, url: str, html: str) -> bool: ...

    @abstractmethod
    def extract(self, url: str, html: str) -> list[Ad]: ...


def _text(node: lxml.html.HtmlElement | None) -> str:
    return " ".join(node.text_content().split()) if node is not None else ""


def _first(root: lxml.html.HtmlElement, css_class: str) -> lxml.html.HtmlElement | None:
    found = root.find_class(css_class)
    return found[0] if found else None


@register_adapter
class ClassifiedArticles(SiteAdapter):
    """Listings that mark each ad as ``<article class="ad">`` with ``title``, ``location``, ``age``,
    ``price``, ``posted`` and ``body`` classes inside (a common classifieds template)."""

    name = "classified-articles"

    def matches(self, url: str, html: str) -> bool:
        return 'class="ad"' in html

    def extract(self, url: str, html: str) -> list[Ad]:
        root = lxml.html.fromstring(html)
        ads = []
        for n, node in enumerate(root.find_class("ad")):
            age = re.search(r"\d+", _text(_first(node, "age")))
            ads.append(
                Ad(
                    id=node.get("data-id") or page_id(url, n),
                    title=_text(_first(node, "title")),
                    location=_text(_first(node, "location")),
                    age=int(age.group()) if age else None,
                    text=_text(_first(node, "body")),
                    price=_text(_first(node, "price")),
                    posted=_text(_first(node, "posted")),
                )
            )
        return ads


@register_adapter
class GenericPage(SiteAdapter):
    """Any page: its title and main text (trafilatura), one record."""

    name = "generic"
    generic = True

    def matches(self, url: str, html: str) -> bool:
        return True

    def extract(self, url: str, html: str) -> list[Ad]:
        import trafilatura

        text = trafilatura.extract(html, include_comments=False, favor_recall=True) or ""
        try:
            title = _text(lxml.html.fromstring(html).find(".//title"))
        except (lxml.etree.ParserError, ValueError):
            title = ""
        if not text.strip() and not title:
            return []
        return [Ad(id=page_id(url), title=title, text=text.strip())]


def extract_ads(url: str, html: str) -> list[Ad]:
    for adapter in ADAPTERS:
        instance = adapter()
        if instance.matches(url, html):
            try:
                return instance.extract(url, html)
            except (lxml.etree.ParserError, ValueError):
                continue
    return []
