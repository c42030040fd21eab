"""Every user-facing message exists in Spanish (and in every other language that has catalogues)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from heroes.core import i18n
from heroes.core.tools import all_tools

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["core", *[tool.name for tool in all_tools()]]


def _extract(package: str, tmp_path: Path) -> set[str]:
    pot = tmp_path / f"{package}.pot"
    pybabel = str(Path(sys.executable).parent / "pybabel")
    subprocess.run(
        [pybabel, "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-o", str(pot), f"src/heroes/{package}"],
        check=True,
        cwd=ROOT,
    )
    with pot.open("rb") as handle:
        return {m.id for m in read_po(handle) if m.id and isinstance(m.id, str)}


@pytest.mark.parametrize("package", PACKAGES)
def test_every_message_is_translated(package: str, tmp_path: Path) -> None:
    messages = _extract(package, tmp_path)
    locale = ROOT / "src" / "heroes" / package / "locale"
    languages = [lang for lang in i18n.available_languages() if lang != i18n.SOURCE_LANGUAGE]
    assert "es" in languages
    for lang in languages:
        po = locale / lang / "LC_MESSAGES" / "messages.po"
        if not messages:
            continue
        assert po.exists(), f"{package} has no {lang} catalogue: run scripts/messages.py {package}"
        with po.open("rb") as handle:
            translated = {m.id: m.string for m in read_po(handle) if m.id}
        missing = sorted(m for m in messages if not translated.get(m))
        assert not missing, f"{package}: {len(missing)} messages without {lang}: {missing[:10]}"


def test_language_negotiation() -> None:
    assert i18n.from_accept_language("fr-FR,es;q=0.8,en;q=0.5") == "es"
    assert i18n.from_accept_language("de-DE") is None
    assert i18n.normalize("es-CO") == "es" and i18n.normalize("xx") == "en"


def test_gettext_follows_the_current_language() -> None:
    with i18n.language("es"):
        assert i18n.gettext("Sign in") == "Iniciar sesión"
    with i18n.language("en"):
        assert i18n.gettext("Sign in") == "Sign in"


def test_localized_falls_back_to_english() -> None:
    value = {"en": "Call", "es": "Llame"}
    assert i18n.localized(value, "es") == "Llame"
    assert i18n.localized(value, "bn") == "Call"
    assert i18n.localized("plain", "es") == "plain"


def test_adding_a_language_is_adding_a_catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalogue = tmp_path / "locale" / "pt" / "LC_MESSAGES"
    catalogue.mkdir(parents=True)
    (catalogue / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Language: pt\\n"\n\nmsgid "Sign in"\nmsgstr "Entrar"\n'
    )
    real = i18n.locale_dirs()
    monkeypatch.setattr(i18n, "locale_dirs", lambda: [*real, tmp_path / "locale"])
    i18n.available_languages.cache_clear()
    i18n.translations.cache_clear()
    try:
        assert "pt" in i18n.available_languages()
        with i18n.language("pt"):
            assert i18n.gettext("Sign in") == "Entrar"
    finally:
        monkeypatch.undo()
        i18n.available_languages.cache_clear()
        i18n.translations.cache_clear()
