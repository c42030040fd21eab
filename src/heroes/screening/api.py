"""The screening tool's public entry points for other tools (the case tool, for one).

Other tools use only what is here, never the screening's internals:
- `country_pathways(country, child, lang)`: the country's referral pathway, step by step, with services;
- `referral_from_answers(answers, lang)`: what a referral needs from a screening (level, forms of
  exploitation seen, indicator ids, country, child), without the person's identity or free text;
- `unicode_font(bold=False)`: the shipped DejaVu font, for PDFs in any Latin or Cyrillic script.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .content import get_content
from .engine import Answers, assess, referral_overview

FONT_DIR = Path(__file__).parent / "fonts"
# The screening's forms of exploitation, in the case tool's vocabulary.
FORMS = {
    "sexual": "sexual",
    "labour": "labour",
    "domestic_servitude": "domestic",
    "begging_crime": "criminal",
    "forced_marriage": "marriage",
    "online": "sexual",
}
RISK = {"urgent": "urgent", "high": "high", "medium": "medium", "low": "low", "none": "low"}


def countries(lang: str = "en") -> list[dict[str, str]]:
    from .content import text

    return [{"code": c.code, "name": text(c.name, lang)} for c in get_content().countries.values()]


def country_pathways(country: str, child: bool, lang: str = "en") -> list[dict[str, Any]]:
    """The referral steps of a country (all levels), each with its service's name and phone numbers."""
    steps = []
    for item in referral_overview(country, child, get_content().check_language(lang)):
        service = item.step.service
        steps.append(
            {
                "id": item.step.id,
                "from_level": item.from_level,
                "condition": item.step.condition,
                "action": item.step.action,
                "service": None
                if service is None
                else {"id": service.id, "name": service.name, "phones": [p.number for p in service.phones]},
            }
        )
    return steps


def referral_from_answers(answers: Mapping[str, Any], lang: str = "en") -> dict[str, Any]:
    """What a case needs from a screening: no names, no free text, only the finding and its grounds."""
    assessment = assess(Answers.from_dict(answers), get_content().check_language(lang))
    forms = sorted({FORMS[i.form] for i in assessment.indicators if i.form in FORMS})
    return {
        "country": get_content().country(assessment.country).code,
        "child": assessment.child,
        "level": assessment.level,
        "level_label": assessment.level_label,
        "risk": RISK.get(assessment.level, "medium"),
        "exploitation": forms,
        "indicators": [i.id for i in assessment.indicators],
        "danger_now": assessment.danger_now,
        "consent": assessment.consent.answer,
    }


def unicode_font(bold: bool = False) -> Path:
    return FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
