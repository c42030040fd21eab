"""The memoised phone finder returns exactly what libphonenumber's plain matcher returns, first time
and every time after, whatever context a span depends on."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heroes.entities import phones
from heroes.entities.banking import IBAN
from heroes.entities.base import Entity

PIECES = [
    "555", "0123", "212", "+1", "+34", "0044", "(", ")", "-", ".", " ", "/", "x", "ext. 12", "12:30", ":45",
    "2017-10-05 12", "2017/10/05", "abc", "tel", "$", "%", "€", "612 34 56 78", "+44 20 7946 0958",
    "1-800-555-0199", "(555) 212-3456", "555.212.3456", "5552123456", "15552123456", "page 12-15",
    "ES91 2100 0418 4502 0005 1332",
]  # fmt: skip
TEXTS = st.lists(st.sampled_from(PIECES), min_size=1, max_size=14).map("".join)
REGIONS = st.sampled_from(["US", "ES", "GB", "MX", None])
LENIENT = phonenumbers.Leniency.POSSIBLE


def plain_find(text: str, region: str | None, strict: bool) -> list[Entity]:
    """What ``Phone.find`` did before the memo: the library's matcher, every candidate parsed afresh."""
    leniency = phonenumbers.Leniency.VALID if strict else phonenumbers.Leniency.POSSIBLE
    accounts = [m.span() for m in IBAN.finditer(text)]
    out = []
    for match in phonenumbers.PhoneNumberMatcher(text, phones._region(region), leniency=leniency):
        status = phones._status(match.number)
        if status is None or any(a <= match.start and match.end <= b for a, b in accounts):
            continue
        detail = phonenumbers.region_code_for_number(match.number) or ""
        out.append(Entity("phone", phones.e164(match.number), match.raw_string, match.start, match.end, status, detail))
    return out


@settings(max_examples=300, deadline=None)
@given(text=TEXTS, region=REGIONS, strict=st.booleans())
def test_same_numbers_as_the_plain_matcher_cold_and_warm(text: str, region: str | None, strict: bool) -> None:
    expected = plain_find(text, region, strict)
    assert list(phones.Phone().find(text, region, strict)) == expected
    assert list(phones.Phone().find(text, region, strict)) == expected  # now from the memo


@pytest.mark.parametrize("strict", [False, True])
def test_a_span_read_differently_in_another_context(strict: bool) -> None:
    # The same candidate span: a time stamp when ":mm" follows, and glued to letters or not.
    texts = ["on 2017-10-05 12:30 call", "on 2017-10-05 12 call", "ab5552123456", "5552123456 x", "a 5552123456b"]
    for text in texts + texts:
        assert list(phones.Phone().find(text, "US", strict)) == plain_find(text, "US", strict), text


def test_the_budget_of_failed_tries_runs_out_where_the_plain_matchers_does() -> None:
    text = "12 and 34 and 56 and (555) 212-3456 and 78 and 90 and 555-212-3457 and +1 555 212 3458"
    found = {len(list(phonenumbers.PhoneNumberMatcher(text, "US", LENIENT, max_tries=t))) for t in range(8)}
    assert len(found) > 1  # the budget does decide what is found here
    for tries in range(0, 8):
        for _ in range(2):  # the second round answers from the memo
            plain = [m.raw_string for m in phonenumbers.PhoneNumberMatcher(text, "US", LENIENT, max_tries=tries)]
            memo = [m.raw_string for m in phones._MemoMatcher(text, "US", LENIENT, max_tries=tries)]
            assert memo == plain, tries
