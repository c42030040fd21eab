"""The rule files: every language everywhere, every phrase compiles, nothing YAML turned into a bool."""

from typing import Any

import pytest

from heroes.reports.facts import fact_rules
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
    ["categories.yaml", "urgency.yaml", "facts.yaml", "emergency_numbers.yaml", "languages.yaml"],
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
    for kind in fact_rules().kinds.values():
        for lang in LANGS:
            assert kind.phrases[lang], f"fact {kind.key} has no {lang} phrases"
            for phrase in kind.phrases[lang]:
                assert compile_phrase(phrase.text).pattern
        assert set(kind.label) == set(LANGS)


def test_level_rules_name_known_facts_and_end_with_a_catch_all() -> None:
    rules = urgency_rules()
    assert [lv.name for lv in rules.levels] == ["critical", "high", "medium", "low"]
    assert rules.levels[-1].base == 0 and () in rules.levels[-1].rules
    known = set(fact_rules().kinds) | set(rules.points)
    for level in rules.levels:
        for rule in level.rules:
            for condition in rule:
                term = condition.term
                if term.startswith("group:"):
                    assert term[6:] in {"thb", "csa", "other"}
                elif term.startswith("category:"):
                    assert term[9:] in category_rules().categories
                else:
                    assert term in known, f"{level.name}: unknown fact {term}"
    for code in rules.reasons:
        assert code in rules.points
    assert rules.recency_days > 0
