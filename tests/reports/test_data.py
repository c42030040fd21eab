"""The rule files: every language everywhere, every phrase compiles, nothing YAML turned into a bool."""

from typing import Any

import pytest

from heroes.reports.phrases import compile_phrase
from heroes.reports.rules import category_rules, languages, load_yaml, urgency_rules

LANGS = ("en", "es")


def _walk_localized(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    found = []
    if isinstance(node, dict):
        if set(node) & set(LANGS) and all(isinstance(v, (str, list)) or v is None for v in node.values()):
            found.append((path, node))
        else:
            for key, value in node.items():
                found.extend(_walk_localized(value, f"{path}.{key}"))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.extend(_walk_localized(value, f"{path}[{i}]"))
    return found


@pytest.mark.parametrize(
    "name",
    ["categories.yaml", "urgency.yaml", "emergency_numbers.yaml", "languages.yaml"],
)
def test_every_localized_value_has_every_language(name: str) -> None:
    entries = _walk_localized(load_yaml(name))
    assert entries
    for path, value in entries:
        assert set(value) == set(LANGS), f"{name}{path} has keys {sorted(value)}: quote values with commas"
        for lang in LANGS:
            assert lang in value, f"{name}{path} lacks {lang}"
            items = value[lang] if isinstance(value[lang], list) else [value[lang]]
            assert all(isinstance(item, str) for item in items), f"{name}{path}.{lang}: quote YAML words like on/no/#"


def test_languages_cover_the_supported_set() -> None:
    assert set(LANGS) <= set(languages())


def test_every_phrase_compiles_and_categories_have_labels() -> None:
    rules = category_rules()
    assert "other" in rules.categories
    for category in rules.categories.values():
        for lang in LANGS:
            assert category.label[lang] and category.help[lang]
        if category.key != "other":
            for lang in LANGS:
                assert category.strong[lang], f"{category.key} has no strong {lang} phrases"
    for table in urgency_rules().phrases.values():
        for lang in LANGS:
            assert table[lang]
            for phrase in table[lang]:
                assert compile_phrase(phrase.text).pattern


def test_levels_cover_zero_and_reasons_have_points() -> None:
    rules = urgency_rules()
    assert rules.levels[-1].min == 0
    for code in rules.reasons:
        assert code in rules.points
