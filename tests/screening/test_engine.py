"""The screening engine on cases written for these tests."""

from __future__ import annotations

import pytest

from heroes.core.errors import HeroesError
from heroes.screening.content import get_content
from heroes.screening.engine import Answers, assess, checklist

COUNTRIES = ["GB", "ES", "CO", "BD"]
EMERGENCY = {"GB": "999", "ES": "112", "CO": "123", "BD": "999"}


def test_checklist_is_chosen_by_sector_and_age() -> None:
    health = checklist("UK", "health", child=False)
    transport = checklist("UK", "transport", child=False)
    assert "sex-health-pattern" in health.item_ids() and "sex-health-pattern" not in transport.item_ids()
    assert "tra-one-way-vague-job" in transport.item_ids() and "tra-one-way-vague-job" not in health.item_ids()
    child = checklist("UK", "health", child=True)
    assert "sex-young-child-signs" in child.item_ids()
    assert "lab-no-contract" not in child.item_ids()  # adults only
    assert "sex-young-child-signs" not in health.item_ids()


def test_key_signs_come_first_and_nothing_is_listed_twice() -> None:
    result = checklist("UK", "labour_inspection", child=False)
    key = [item.id for item in result.key]
    assert "lab-wages-withheld" in key and "lab-no-contract" in key  # focus form, sector sign
    assert "sex-health-pattern" not in result.item_ids()
    assert len(result.item_ids()) == len(set(result.item_ids()))
    assert len(key) < len(result.item_ids()) / 2
    child = checklist("UK", "education", child=True)
    assert "onl-image-requests" in [item.id for item in child.key]


def test_checklist_respects_country_specific_signs() -> None:
    assert "cri-armed-group" in checklist("CO", None, child=True).item_ids()
    assert "cri-armed-group" not in checklist("ES", None, child=True).item_ids()
    assert "lab-advance-bondage" in checklist("BD", "labour_inspection").item_ids()


def test_checklist_in_spanish_and_danger_first() -> None:
    result = checklist("ES", "education", child=True, lang="es")
    assert result.danger_question.startswith("¿")
    assert result.danger and all(item.id.startswith("danger-") for item in result.danger)
    assert result.groups[0].label == "Señales generales"


def test_a_child_is_never_asked_for_consent() -> None:
    for code in COUNTRIES:
        result = checklist(code, None, child=True)
        assert result.consent_question is None and result.consent_options == ()
        adult = checklist(code, None, child=False)
        assert adult.consent_question


@pytest.mark.parametrize("code", COUNTRIES)
def test_child_assessment_never_depends_on_consent(code: str) -> None:
    answers = Answers(country=code, child=True, observed=["sex-child-exchange"], consent="declined")
    result = assess(answers)
    assert result.consent.applies_to == "child" and result.consent.ask is False and result.consent.answer is None
    assert all(step.condition is None for step in result.referral_steps)
    assert result.referral_steps, "a strong sign about a child always leads to referral"
    assert result.consent.rule == get_content().countries[code].consent_child["en"]


@pytest.mark.parametrize("code", COUNTRIES)
@pytest.mark.parametrize("child", [False, True])
def test_danger_now_puts_the_emergency_number_first(code: str, child: bool) -> None:
    answers = Answers(country=code, child=child, danger=["danger-exploiter-present"])
    result = assess(answers, lang="es")
    first = result.safety_steps[0]
    assert first.emergency and first.service is not None
    assert first.service.phones[0].number == EMERGENCY[code]
    assert EMERGENCY[code] in first.action
    assert result.level == "urgent"
    assert sum(step.emergency for step in result.safety_steps) == 1


def test_danger_now_flag_alone_is_enough() -> None:
    result = assess(Answers(country="CO", danger_now=True))
    assert result.level == "urgent" and result.safety_steps[0].emergency


def test_no_danger_no_emergency_step() -> None:
    result = assess(Answers(country="GB", observed=["gen-documents-held"]))
    assert not any(step.emergency for step in result.safety_steps)
    assert result.safety_steps[0].id == "safety-yourself"


def test_levels_and_their_reasons_for_an_adult() -> None:
    assert assess(Answers(country="GB")).level == "none"
    one = assess(Answers(country="GB", observed=["gen-isolated"]))
    assert one.level == "low"
    two = assess(Answers(country="GB", observed=["gen-isolated", "gen-no-address"]))
    assert two.level == "medium"
    strong = assess(Answers(country="GB", observed=["gen-documents-held"]))
    assert strong.level == "high"
    assert [i.id for i in strong.indicators] == ["gen-documents-held"]
    assert strong.reasons == ("Strong signs: 1 · Supporting signs: 0", "High concern: rule met (Strong signs \u2265 1)")
    assert two.reasons[-1] == "Some concern: rule met (Signs of any strength \u2265 2)"
    three = assess(Answers(country="GB", observed=["gen-isolated", "gen-no-address", "gen-scripted-story"]))
    assert three.level == "high"


def test_a_child_reaches_concern_sooner() -> None:
    adult = assess(Answers(country="ES", observed=["gen-isolated"]))
    child = assess(Answers(country="ES", child=True, observed=["gen-isolated"]))
    assert adult.level == "low" and child.level == "medium"
    assert assess(Answers(country="ES", child=True, observed=["gen-isolated", "gen-no-address"])).level == "high"


def test_referral_steps_follow_the_country_order_and_level() -> None:
    result = assess(Answers(country="UK", child=True, observed=["gen-documents-held"]))
    ids = [s.id for s in result.referral_steps]
    assert ids == ["gb-child-social-care", "gb-child-nspcc", "gb-child-police", "gb-child-nrm", "gb-child-childline"]
    medium = assess(Answers(country="UK", child=True, observed=["gen-isolated"]))
    assert "gb-child-nrm" not in [s.id for s in medium.referral_steps]
    assert all(step.say for step in result.referral_steps)


def test_adult_consent_chooses_the_uk_branch() -> None:
    observed = ["gen-documents-held"]
    unknown = [s.id for s in assess(Answers(country="GB", observed=observed)).referral_steps]
    assert "gb-adult-nrm" in unknown and "gb-adult-duty-to-notify" in unknown  # both, with conditions
    given = [s.id for s in assess(Answers(country="GB", observed=observed, consent="given")).referral_steps]
    assert "gb-adult-nrm" in given and "gb-adult-duty-to-notify" not in given
    declined = assess(Answers(country="GB", observed=observed, consent="declined"))
    ids = [s.id for s in declined.referral_steps]
    assert "gb-adult-duty-to-notify" in ids and "gb-adult-nrm" not in ids
    step = next(s for s in declined.referral_steps if s.id == "gb-adult-duty-to-notify")
    assert step.condition == "If the adult does not agree"
    assert declined.consent.ask is True and declined.consent.answer == "Does not agree"


def test_unverified_services_are_flagged() -> None:
    result = assess(Answers(country="CO", observed=["gen-documents-held"], consent="given"))
    fiscalia = next(s for s in result.referral_steps if s.id == "co-adult-fiscalia")
    assert fiscalia.service is not None and fiscalia.service.verified is False


def test_the_result_is_in_the_chosen_language() -> None:
    en = assess(Answers(country="ES", observed=["lab-wages-withheld"]), lang="en")
    es = assess(Answers(country="ES", observed=["lab-wages-withheld"]), lang="es")
    assert en.level_label == "High concern" and es.level_label == "Preocupación alta"
    assert es.indicators[0].text.startswith("No se paga")
    assert es.consent.rule != en.consent.rule


def test_bengali_falls_back_to_english_where_not_translated() -> None:
    result = assess(Answers(country="BD", child=True, observed=["fm-child-marriage"]), lang="bn")
    assert result.lang == "bn"
    first = result.referral_steps[0]
    assert first.service is not None and first.service.name == "চাইল্ড হেল্পলাইন ১০৯৮"
    assert first.action.startswith("Call Child Helpline 1098")


def test_edited_directory_services_are_used() -> None:
    from dataclasses import replace

    from heroes.screening.content import Phone

    services = get_content().services()
    edited = replace(services["gb-msh"], phones=(Phone("0800 000 0000"),))
    result = assess(Answers(country="GB", observed=["gen-isolated"]), services={"gb-msh": edited})
    step = next(s for s in result.referral_steps if s.id == "gb-adult-helpline")
    assert step.service is not None and step.service.phones[0].number == "0800 000 0000"


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"country": "FR"}, "unknown country"),
        ({"country": "GB", "observed": ["nope"]}, "unknown indicator id(s): nope"),
        ({"country": "GB", "sector": "space"}, "unknown sector"),
        ({"country": "GB", "observed": ["sex-child-exchange"]}, "do not apply to an adult"),
        ({"country": "GB", "consent": "maybe"}, "'consent' must be one of"),
        ({"country": "GB", "name": "x"}, "unknown field(s) in answers: name"),
        ({"observed": []}, "answers need 'country'"),
    ],
)
def test_bad_answers_get_a_clear_error(answers: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(HeroesError) as caught:
        assess(Answers.from_dict(answers))
    assert message in str(caught.value)


def test_referral_overview_lists_every_step_for_the_age() -> None:
    from heroes.screening.engine import referral_overview

    adult = referral_overview("UK", child=False, lang="es")
    ids = [item.step.id for item in adult]
    assert ids == [s.id for s in get_content().countries["GB"].referral if "adult" in s.ages]
    nrm = next(item for item in adult if item.step.id == "gb-adult-nrm")
    assert nrm.step.condition == "Si la persona adulta está de acuerdo" and nrm.from_level == "Preocupación alta"
    child = referral_overview("UK", child=True)
    assert all(item.step.condition is None for item in child)
