"""Languages: gettext catalogues per tool, merged at load and compiled in memory.

Adding a language is adding `locale/<lang>/LC_MESSAGES/messages.po` files: the language list is
discovered from the catalogues present. Data files carry their own texts as {"en": ..., "es": ...}
and are read with `localized`.
"""

from __future__ import annotations

import contextlib
import contextvars
import io
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy, NullTranslations, Translations

from heroes.text import localized as text_localized

SOURCE_LANGUAGE = "en"
_current: contextvars.ContextVar[str] = contextvars.ContextVar("heroes_language", default=SOURCE_LANGUAGE)


def locale_dirs() -> list[Path]:
    from heroes.core.tools import all_tools

    dirs = [Path(__file__).parent / "locale"]
    dirs += [tool.package_dir / "locale" for tool in all_tools()]
    return [d for d in dirs if d.is_dir()]


@cache
def available_languages() -> tuple[str, ...]:
    found = {SOURCE_LANGUAGE}
    for directory in locale_dirs():
        found.update(p.parent.parent.name for p in directory.glob("*/LC_MESSAGES/messages.po"))
    return tuple(sorted(found, key=lambda lang: (lang != SOURCE_LANGUAGE, lang)))


def language_name(lang: str) -> str:
    return (Locale.parse(lang).get_display_name(lang) or lang).capitalize()


def _compile(po_path: Path, lang: str) -> Translations:
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain="messages")


@cache
def translations(lang: str) -> NullTranslations:
    merged: Translations | None = None
    for directory in locale_dirs():
        po_path = directory / lang / "LC_MESSAGES" / "messages.po"
        if not po_path.exists():
            continue
        compiled = _compile(po_path, lang)
        if merged is None:
            merged = compiled
        else:
            merged.merge(compiled)
    return merged if merged is not None else NullTranslations()


def normalize(lang: str | None) -> str:
    """The closest available language for a tag such as 'es-CO'; English otherwise."""
    if not lang:
        return SOURCE_LANGUAGE
    tag = lang.replace("_", "-").split("-")[0].lower()
    return tag if tag in available_languages() else SOURCE_LANGUAGE


def from_accept_language(header: str | None) -> str | None:
    if not header:
        return None
    weighted = []
    for part in header.split(","):
        piece = part.strip().split(";q=")
        try:
            quality = float(piece[1]) if len(piece) > 1 else 1.0
        except ValueError:
            quality = 0.0
        weighted.append((quality, piece[0].strip()))
    for _quality, tag in sorted(weighted, key=lambda item: -item[0]):
        short = tag.split("-")[0].lower()
        if short in available_languages():
            return short
    return None


def get_language() -> str:
    return _current.get()


def set_language(lang: str | None) -> contextvars.Token[str]:
    return _current.set(normalize(lang))


@contextlib.contextmanager
def language(lang: str | None) -> Iterator[str]:
    token = set_language(lang)
    try:
        yield get_language()
    finally:
        _current.reset(token)


def gettext(message: str, **variables: Any) -> str:
    translated = translations(get_language()).gettext(message)
    return translated % variables if variables else translated


def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
    translated = translations(get_language()).ngettext(singular, plural, n)
    return translated % ({"num": n} | variables)


def lazy_gettext(message: str) -> Any:
    return LazyProxy(gettext, message, enable_cache=False)


def localized(value: Any, lang: str | None = None) -> str:
    """Pick a language from an inline {"en": ..., "es": ...} value, by default the request's.

    The rule itself is heroes.text.localized (a leaf library the core may use); this only supplies
    the current language and the source language as fallback."""
    return text_localized(value, lang or get_language(), SOURCE_LANGUAGE)
