"""Phone numbers written to dodge filters come out as the same E.164 value as the plain number."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heroes.osint import numbers
from heroes.osint.contacts import find_contacts
from heroes.osint.numbers import hidden_phones


@pytest.mark.parametrize(
    "text",
    [
        "call 310 555 01 23 today",
        "call three one zero five five five zero one two three",
        "call three one oh, five five five, oh one twenty three",
        "call 3️⃣1️⃣0️⃣5️⃣5️⃣5️⃣0️⃣1️⃣2️⃣3️⃣",
        "call ③①⓪５５５０１２３",
        "call 31O-555-Ol23",
        "call (310) 555.0123",
    ],
)
def test_obfuscated_us_numbers(text: str) -> None:
    assert [e.value for e in hidden_phones(text, region="US")] == ["+13105550123"]


def test_spanish_number_words() -> None:
    found = hidden_phones("llama al seis uno dos treinta y cuatro cincuenta y seis setenta y ocho", region="ES")
    assert [e.value for e in found] == ["+34612345678"]


def test_span_covers_the_written_number() -> None:
    text = "my line: five five five two one two three four five six, thanks"
    (found,) = hidden_phones(text, region="US")
    assert text[found.start : found.end] == "five five five two one two three four five six"


def test_ordinary_words_and_small_numbers_are_not_phones() -> None:
    assert hidden_phones("I am one of a kind, 25 years old, open from 9 to 5 on two days.", region="US") == []


def test_two_numbers_back_to_back() -> None:
    values = [e.value for e in hidden_phones("4155550123 and 3105550123", region="US")]
    assert values == ["+14155550123", "+13105550123"]


def test_contacts_skip_placeholders_and_platform_pages() -> None:
    found = find_contacts("IG: none. See https://www.instagram.com/?hl=en or snap: maria_ln8 or mail ana@example.org")
    assert [(e.kind, e.value) for e in found] == [("handle", "maria_ln8"), ("email", "ana@example.org")]


def test_letters_that_change_length_in_lower_case_do_not_break_reading() -> None:
    # "İ" lower-cases to two characters; next to a number it must neither crash nor count as a digit.
    assert [e.value for e in hidden_phones("call 310 555 0123 İl now", region="US")] == ["+13105550123"]


PIECES = [
    "5", "55", "０", "⑦", "٣", "1\ufe0f\u20e3", "\ufe0f", "\u20e3", "o", "O", "l", "i", "oh", "five", "Seis",
    "TREINTA", "y", "and", "dieciséis", "veintidós", "thirty", "eleven", "ｆｉｖｅ", "-", ".", "(", ")", "/", "*",
    ",", ":", "call", "me", "at", "x", "ñ", " ", "  ", "\n",
]  # fmt: skip
NUMBERISH = st.lists(st.sampled_from(PIECES), max_size=30).map(
    lambda parts: " ".join(parts) if len(parts) % 2 else "".join(parts)
)


@settings(max_examples=300, deadline=None)
@given(text=NUMBERISH)
def test_passing_over_words_between_numbers_changes_no_run(text: str) -> None:
    fast = numbers.digit_runs(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(numbers, "_may_start", lambda raw: True)  # every token read, as before the shortcut
        assert numbers.digit_runs(text) == fast
