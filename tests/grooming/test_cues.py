import json
import re
from importlib import resources

import jsonschema
import pytest

from heroes.grooming.cues import CueSet, default_cues, fold, load_cues_data

# Short, non-explicit lines written for these tests: (text, expected cue, expected stage).
LINES = [
    ("how old are u?", "asks_age", "risk_assessment"),
    ("are your parents home tonight?", "asks_parents_home", "risk_assessment"),
    ("r u home alone right now", "asks_alone", "risk_assessment"),
    ("who else uses your phone?", "asks_shared_device", "risk_assessment"),
    ("you are so mature for your age", "flattery", "trust"),
    ("i can buy you a new phone", "offers_gifts", "trust"),
    ("this is our secret ok", "keep_secret", "isolation"),
    ("don't tell your mom about me", "keep_secret", "isolation"),
    ("delete our chat after", "delete_messages", "isolation"),
    ("add me on snapchat", "move_platform", "isolation"),
    ("send me a pic", "asks_photo", "sexual"),
    ("turn on your cam", "webcam", "sexual"),
    ("what are you wearing", "asks_clothes_or_body", "sexual"),
    ("what's your number?", "asks_phone", "approach"),
    ("where do you live", "asks_location", "approach"),
    ("we could meet this weekend", "proposes_meeting", "approach"),
    ("¿Cuántos años tienes?", "asks_age", "risk_assessment"),
    ("¿Están tus padres en casa?", "asks_parents_home", "risk_assessment"),
    ("¿estás sola?", "asks_alone", "risk_assessment"),
    ("eres muy madura para tu edad", "flattery", "trust"),
    ("te compro un regalo", "offers_gifts", "trust"),
    ("no se lo digas a nadie", "keep_secret", "isolation"),
    ("que quede entre nosotros", "keep_secret", "isolation"),
    ("borra el chat", "delete_messages", "isolation"),
    ("agrégame en telegram", "move_platform", "isolation"),
    ("mándame una foto", "asks_photo", "sexual"),
    ("enciende la cámara", "webcam", "sexual"),
    ("dame tu número", "asks_phone", "approach"),
    ("¿dónde vives?", "asks_location", "approach"),
    ("¿quedamos el sábado?", "arranges_meeting", "approach"),
    ("quedar el sábado en el parque", "arranges_meeting", "approach"),
]

NEUTRAL = [
    "hi how was school",
    "i like pizza and football",
    "my parents bought a new car",
    "hola, ¿qué tal el examen?",
    "me gusta el fútbol",
    "la foto del perro es graciosa",
]


@pytest.mark.parametrize(("text", "cue", "stage"), LINES)
def test_cue_found_in_both_languages(text, cue, stage):
    hits = default_cues().find(text)
    assert cue in [h.cue.id for h in hits]
    assert stage in [h.cue.stage for h in hits if h.cue.id == cue]


@pytest.mark.parametrize("text", NEUTRAL)
def test_neutral_lines_have_no_cues(text):
    assert default_cues().find(text) == []


def test_language_filter():
    assert default_cues().find("mándame una foto", languages=["en"]) == []
    assert default_cues().find("mándame una foto", languages=["es"])[0].language == "es"


def test_every_cue_has_both_languages_and_a_known_stage():
    schema = json.loads(resources.files("heroes.grooming").joinpath("data/cues.schema.json").read_text())
    data = load_cues_data()
    jsonschema.validate(data, schema)
    stages = {s["id"] for s in data["stages"]}
    assert {c["stage"] for c in data["cues"]} <= stages
    for c in data["cues"]:
        for pats in c["patterns"].values():
            for p in pats:
                re.compile(p)
    # Every stage has evidence to look for, in both languages.
    covered = {c["stage"] for c in data["cues"]} - {"access"}
    assert covered == stages - {"access"}


def test_unknown_stage_is_rejected():
    data = load_cues_data()
    data["cues"][0] = dict(data["cues"][0], stage="nope")
    with pytest.raises(ValueError, match="unknown stage"):
        CueSet(data)


def test_fold_removes_accents_and_squeezes_repeats():
    assert fold("¿CUÁNTOS AÑOS?") == "¿cuantos anos?"
    assert fold("sooooo") == "soo"


def _examples(lang: str) -> list[tuple[str, str, str, bool]]:
    return [
        (c["id"], lang, s, kind == "match")
        for c in load_cues_data()["cues"]
        for kind in ("match", "miss")
        for s in c["examples"][lang][kind]
    ]


@pytest.mark.parametrize(("cue", "lang", "sentence", "should_match"), _examples("es") + _examples("en"))
def test_every_cue_finds_its_examples_and_not_its_near_misses(cue, lang, sentence, should_match):
    found = [h.cue.id for h in default_cues().find(sentence, languages=[lang])]
    assert (cue in found) is should_match, (sentence, found)


def test_every_cue_has_a_spanish_positive_and_negative_sentence():
    for c in load_cues_data()["cues"]:
        assert c["examples"]["es"]["match"] and c["examples"]["es"]["miss"], c["id"]
    # Every stage, access included, has Spanish cues.
    stages = {s["id"] for s in load_cues_data()["stages"]}
    assert {c["stage"] for c in load_cues_data()["cues"] if c["patterns"]["es"]} == stages


@pytest.mark.parametrize(
    "sentence",
    [
        "q edad tenés?",  # voseo, "q" for "que"
        "tas solita en ksa?",  # "tas", "ksa"
        "tus papás no tienen xq saberlo",  # "xq"
        "pasame tu cel",  # Latin-American "cel"
        "tus viejos te revisan el celular?",  # Rioplatense "viejos"
        "a q insti vas?",  # Spain "insti"
    ],
)
def test_regional_forms_and_teen_spellings(sentence):
    assert default_cues().find(sentence, languages=["es"]), sentence


@pytest.mark.parametrize(
    ("sentence", "stage"),
    [
        # The early stages in the forms the second Spanish set showed missing (issue 14, third
        # round): privacy checks, the special bond, game currency, secrecy without "secreto".
        ("estás en tu pieza con la puerta cerrada?", "risk_assessment"),  # Chile "pieza"
        ("tenés el celu con vos a la noche?", "risk_assessment"),
        ("a q hora te quedas sola?", "risk_assessment"),
        ("vos y yo nos entendemos re bien", "trust"),
        ("si te portas bien te paso una gift card", "trust"),
        ("le regalo una tarjeta de google play", "trust"),  # usted
        ("tu vieja se enojaría, así q mejor no le cuentes", "isolation"),
        ("si te preguntan, decile q hablás con una amiga", "isolation"),
        ("mejor hablemos por telegram", "isolation"),
        ("prenda la cámara un momento", "sexual"),  # usted
        ("el finde te invito a comer algo", "approach"),
    ],
)
def test_early_stage_forms_are_read_as_their_stage(sentence, stage):
    stages = {h.cue.stage for h in default_cues().find(sentence, languages=["es"])}
    assert stage in stages, (sentence, stages)


@pytest.mark.parametrize(
    "sentence",
    [
        "cierra la puerta con llave cuando salgas",  # a parent
        "mi mamá trabaja en un hospital",
        "nadie juega como yo al fifa",
        "hablamos por el grupo de clase",
        "te invito a mi cumple, lo hace mi madre en casa",
        "videollamada con los abuelos el domingo por la tarde",
    ],
)
def test_ordinary_lines_near_the_new_forms_find_nothing(sentence):
    assert not default_cues().find(sentence, languages=["es"]), sentence


def test_stage_names_for_parents_and_children_in_both_languages():
    st = default_cues().stages["risk_assessment"]
    assert st.child["en"] == "Trying to find out if you are alone"
    assert st.child["es"] == "Intentar saber si estás solo o sola"
    assert "alone" in st.parent["en"] and "solo" in st.parent["es"]
    iso = default_cues().stages["isolation"]
    assert iso.child == {"en": "Asking you to keep secrets", "es": "Pedirte que guardes secretos"}
    for s in default_cues().stages.values():
        assert set(s.parent) >= {"en", "es"} and set(s.child) >= {"en", "es"}


def test_patterns_use_only_what_python_and_javascript_read_alike():
    # Python-only syntax would compile here and fail (or differ) in the browser.
    forbidden = ["(?P", "(?<", "\\A", "\\Z", "(?i", "(?s", "(?x", "\\d", "\\w", "\\W", "\\s", "\\S", "[[:"]
    for c in load_cues_data()["cues"]:
        for pats in c["patterns"].values():
            for p in pats:
                assert not any(f in p for f in forbidden), (c["id"], p)
