"""Every indicator fires on a short ad written for it, in English and Spanish, and stays silent on
neutral ads. Adding an indicator without a sample here fails `test_every_indicator_has_samples`."""

from __future__ import annotations

import re
from dataclasses import replace

import jsonschema
import pytest
import yaml

from heroes.fakejobs.ad import Ad
from heroes.fakejobs.gate import gate_for
from heroes.fakejobs.indicators import DATA, evidence, find_indicators, load_indicators

LANGS = ("en", "es")

SAMPLES: dict[str, dict[str, str | dict[str, str]]] = {
    "upfront_fee": {
        "en": "Before starting you must pay a small registration fee of 50 euros.",
        "es": "Para empezar debes pagar una cuota de inscripción de 50 euros.",
    },
    "wage_deduction_debt": {
        "en": "The flight will be deducted from your first salary.",
        "es": "El billete se descontará de tu primer sueldo.",
    },
    "loan_offered": {
        "en": "We can advance you the money for the flights.",
        "es": "Te adelantamos el dinero del viaje.",
    },
    "travel_paid": {
        "en": "Farm work in the north. Free flights for all workers.",
        "es": "Trabajo en el campo. Billetes pagados para todos.",
    },
    "housing_provided": {
        "en": "Cleaning staff wanted. Free accommodation near the hotel.",
        "es": "Se busca personal de limpieza. Alojamiento gratis cerca del hotel.",
    },
    "visa_arranged": {
        "en": "We will arrange your visa and all paperwork.",
        "es": "Nos encargamos de tu visado y de todos los papeles.",
    },
    "tourist_visa_work": {
        "en": "You can come on a tourist visa and start working.",
        "es": "Puedes venir con visado de turista y empezar a trabajar.",
    },
    "work_abroad": {
        "en": "Kitchen helpers for work abroad, good conditions.",
        "es": "Ayudantes de cocina para trabajar en el extranjero, buenas condiciones.",
    },
    "high_pay_easy_work": {
        "en": "Simple packing job: earn $900 per week.",
        "es": "Trabajo sencillo de empaquetado: gana 900 euros a la semana.",
    },
    "easy_money_home": {
        "en": "Easy money, only a phone is needed.",
        "es": "Dinero fácil, solo necesitas un teléfono.",
    },
    "commission_only": {
        "en": "Be your own boss and sell our products.",
        "es": "Sé tu propio jefe y vende nuestros productos.",
    },
    "no_experience": {
        "en": "Warehouse helpers, no experience required.",
        "es": "Mozos de almacén, no se requiere experiencia.",
    },
    "no_language_needed": {
        "en": "Factory work, no English needed.",
        "es": "Trabajo en fábrica, no hace falta saber el idioma.",
    },
    "urgency": {
        "en": "Hotel staff: immediate start this month.",
        "es": "Personal de hotel: incorporación inmediata este mes.",
    },
    "no_interview": {
        "en": "Packers needed, no interview required.",
        "es": "Se necesitan envasadores, sin entrevista.",
    },
    "guaranteed_job": {
        "en": "Sign up today, guaranteed job for everyone.",
        "es": "Apúntate hoy, empleo garantizado para todos.",
    },
    "documents_retained": {
        "en": "On arrival the manager will keep your passport.",
        "es": "Al llegar el encargado va a guardar tu pasaporte.",
    },
    "id_copy_upfront": {
        "en": "To apply, send a copy of your passport.",
        "es": "Para inscribirte, envíanos una copia de tu pasaporte.",
    },
    "bank_details_requested": {
        "en": "Please provide your bank account to be registered.",
        "es": "Facilítanos tu cuenta bancaria para darte de alta.",
    },
    "money_mule": {
        "en": "Work as a payment processing agent from home.",
        "es": "Trabaja como agente de transferencias desde casa.",
    },
    "cheque_for_equipment": {
        "en": "We will send you a check to set up your office.",
        "es": "Te enviaremos un cheque para montar tu oficina.",
    },
    "young_women_entertainment": {
        "en": "Young women wanted to work as hostesses in a city abroad.",
        "es": "Se buscan chicas para trabajar como azafatas en una ciudad lejana.",
    },
    "appearance_or_photos": {
        "en": "Reception staff, please send us your photos.",
        "es": "Recepcionistas, envíanos tus fotos.",
    },
    "messaging_app_contact": {
        "en": "Drivers wanted, see www.example-transport.com. Questions by Telegram.",
        "es": "Se buscan conductores, ver www.transporte-ejemplo.es. Dudas por Telegram.",
    },
    "chat_interview": {
        "en": "The interview will be conducted via chat.",
        "es": "La entrevista será por chat.",
    },
    "company_hidden": {
        "en": "Our client is a confidential company in logistics.",
        "es": "Nuestro cliente es una empresa confidencial del sector logístico.",
    },
    "cash_payment": {
        "en": "Painters needed, paid in cash.",
        "es": "Se necesitan pintores, pago en efectivo.",
    },
    "wages_held_back": {
        "en": "Your wages will be paid at the end of the season.",
        "es": "El sueldo se pagará al final de la temporada.",
    },
    "excessive_hours": {
        "en": "Shop assistant, 7 days a week.",
        "es": "Dependiente, 7 días a la semana.",
    },
    "live_in_employer": {
        "en": "Live-in nanny for a family.",
        "es": "Se busca empleada interna para una familia.",
    },
    "restricted_movement": {
        "en": "Workers are not allowed to leave the farm.",
        "es": "Los trabajadores no podrás salir de la finca.",
    },
    "secrecy_requested": {
        "en": "Do not tell anyone about this offer.",
        "es": "No se lo digas a nadie, es una oferta especial.",
    },
    "contract_on_arrival": {
        "en": "The contract will be signed on arrival.",
        "es": "El contrato se firmará al llegar.",
    },
    "met_at_airport": {
        "en": "Our driver will pick you up at the airport.",
        "es": "Te recogeremos en el aeropuerto.",
    },
    "personal_data_early": {
        "en": "Send us your date of birth with the application.",
        "es": "Indícanos tu fecha de nacimiento con la solicitud.",
    },
    "free_email_contact": {
        "en": "Send your CV to jobs.recruit@gmail.com",
        "es": "Envía tu CV a empleo.madrid@hotmail.es",
    },
    "messaging_only_contact": {
        "en": "Cooks wanted. Reply only on WhatsApp.",
        "es": "Se buscan cocineros. Responde solo por WhatsApp.",
    },
    "phone_country_mismatch": {
        "en": "Warehouse job in Germany. Call +44 20 7946 0958.",
        "es": "Trabajo de almacén en Alemania. Llama al +44 20 7946 0958.",
    },
    "no_company_named": {
        "en": {"title": "Driver", "description": "Delivery driver for the city centre."},
        "es": {"title": "Conductor", "description": "Repartidor para el centro de la ciudad."},
    },
}

NEUTRAL = {
    "en": Ad(
        text="Our accounting firm is looking for an assistant for its office in Leeds. You will prepare "
        "monthly reports and work with the finance team. Send your application through the form on "
        "our website www.example-accounting.co.uk. Salary according to the collective agreement.",
        company="Example Accounting Ltd",
    ),
    "es": Ad(
        text="Nuestra gestoría busca un auxiliar administrativo para su oficina de Valencia. Prepararás "
        "informes mensuales y trabajarás con el equipo de finanzas. Envía tu solicitud desde el "
        "formulario de www.gestoria-ejemplo.es. Salario según convenio.",
        company="Gestoría Ejemplo SL",
    ),
}


def _ad(sample: str | dict[str, str]) -> Ad:
    return Ad.from_mapping(sample) if isinstance(sample, dict) else Ad(text=sample)


def test_there_are_at_least_30_indicators() -> None:
    assert len(load_indicators()) >= 30


def test_every_indicator_has_samples() -> None:
    assert {i.id for i in load_indicators()} == set(SAMPLES)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("indicator_id", sorted(SAMPLES))
def test_indicator_fires_on_its_trigger(indicator_id: str, lang: str) -> None:
    ad = _ad(SAMPLES[indicator_id][lang])
    text = ad.full_text()
    hits = {h.indicator.id: h for h in find_indicators(ad)}
    assert indicator_id in hits, f"{indicator_id} silent on {text!r}"
    for span in hits[indicator_id].spans:
        assert text[span.start : span.end] == span.text


@pytest.mark.parametrize("lang", LANGS)
def test_indicators_silent_on_neutral_ad(lang: str) -> None:
    assert [h.indicator.id for h in find_indicators(NEUTRAL[lang])] == []


@pytest.mark.parametrize("lang", LANGS)
def test_every_indicator_has_text_and_triggers_in_both_languages(lang: str) -> None:
    for indicator in load_indicators():
        for text in (indicator.title, indicator.explanation, indicator.why):
            assert text.get(lang, "").strip(), f"{indicator.id} lacks {lang} text"
        if indicator.check is None:
            assert indicator.patterns.get(lang), f"{indicator.id} has no {lang} trigger"


def test_indicator_file_matches_schema() -> None:
    schema = yaml.safe_load((DATA.parent / "indicators.schema.yaml").read_text(encoding="utf-8"))
    jsonschema.validate(yaml.safe_load(DATA.read_text(encoding="utf-8")), schema)


def test_free_mail_ignores_company_domains() -> None:
    ad = Ad(text="Send your CV to hr@example-logistics.com or call us.")
    assert "free_email_contact" not in {h.indicator.id for h in find_indicators(ad)}


def test_messaging_only_silent_when_company_mail_given() -> None:
    ad = Ad(text="Write to us on WhatsApp or to careers@example-logistics.com.")
    ids = {h.indicator.id for h in find_indicators(ad)}
    assert "messaging_app_contact" in ids
    assert "messaging_only_contact" not in ids


def test_phone_country_uses_emscad_location_and_accepts_local_numbers() -> None:
    local = Ad(description="Call +1 212 555 0100 for details.", location="US, NY, New York", company="X")
    foreign = Ad(description="Call +234 803 123 4567 for details.", location="US, NY, New York", company="X")
    assert "phone_country_mismatch" not in {h.indicator.id for h in find_indicators(local)}
    assert "phone_country_mismatch" in {h.indicator.id for h in find_indicators(foreign)}


def test_evidence_gives_diminishing_returns() -> None:
    assert evidence([]) == 0
    assert evidence([1.0]) == 1.0
    assert evidence([1.0, 1.0]) == pytest.approx(1.75)
    assert evidence([0.5, 2.0]) == evidence([2.0, 0.5])


def test_gate_never_changes_results():
    ads = [_ad(s[lang]) for s in SAMPLES.values() for lang in LANGS] + list(NEUTRAL.values())
    for indicator in load_indicators():
        ungated = replace(indicator, gates={})
        for ad in ads:
            text = ad.full_text()
            assert indicator.find(ad, text) == ungated.find(ad, text), (indicator.id, text)


def test_gate_lists_first_words():
    gate = gate_for(re.compile(r"\b(whats\s?app|tele(gram))\b", re.IGNORECASE))
    assert gate is not None and gate.words == {"whats", "whatsapp", "telegram"}
    assert gate_for(re.compile(r"\d+ euros")) is None  # no leading \b: always runs
    assert gate_for(re.compile(r"\b\w+ fee")) is None  # any word: always runs
    every = [gate_for(p) for i in load_indicators() for ps in i.patterns.values() for p in ps]
    assert sum(g is None for g in every) <= len(every) // 10  # the gate does its job on our file
