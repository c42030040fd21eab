"""Property tests of every normaliser that reads reporters' text: whatever is typed, they answer
(never raise), and what they answer is in normal form."""

from __future__ import annotations

import string
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.provisional import urls

from heroes.core.errors import HeroesError
from heroes.reports.identifiers import (
    KINDS,
    find_in_text,
    normalize_email,
    normalize_url,
    username_from_url,
)
from heroes.reports.web import _occurred

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
url_chars = st.text(alphabet=string.printable + "[]:@%ñé", max_size=60)


@FAST
@given(url_chars)
@example("http://x.example:99999/")
@example("https://[::1")
@example("http://[::1]:70000/a")
@example("http://exa mple.com:-1")
def test_normalize_url_never_raises(raw: str) -> None:
    value = normalize_url(raw)
    assert isinstance(value, str)
    assert value == value.strip() or not value.strip()
    assert not value.lower().startswith(("http://", "https://"))
    username_from_url(value)  # and what it gives can be read for a profile


@FAST
@given(urls())
def test_normalize_url_of_valid_urls_is_stable(url: str) -> None:
    once = normalize_url(url)
    assert normalize_url(once) == once
    host = once.split("/", 1)[0].split("?", 1)[0]
    assert host == host.lower()
    assert "utm_source=" not in normalize_url(url + ("&" if "?" in url else "?") + "utm_source=x")


@FAST
@given(st.emails())
def test_normalize_email_is_idempotent_and_lower(address: str) -> None:
    once = normalize_email(address)
    assert once == once.lower() and normalize_email(once) == once
    local = once.split("@", 1)[0]
    assert "+" not in local or local.startswith("+")  # "+tag@" alone has no name to keep
    assert once.rpartition("@")[2] == address.rpartition("@")[2].lower()


@FAST
@given(st.text(max_size=300), st.sampled_from([None, "ES", "GB", "CO", "BD", "ZZ", "XX"]))
@example("call http://x.example:99999/ or https://[::1 now", "ES")
def test_every_kind_reads_any_text(text: str, region: str | None) -> None:
    for ident in find_in_text(text, region):
        assert ident.value and ident.kind in KINDS
    for kind in KINDS.values():
        for ident in kind.from_field(text, region):
            assert isinstance(ident.value, str)


@FAST
@given(st.text(alphabet="+0123456789 ()-./", max_size=25), st.sampled_from([None, "ES", "GB", "CO"]))
def test_phone_values_are_e164_or_marked_unverified(raw: str, region: str | None) -> None:
    for ident in KINDS["phone"].from_field(raw, region):
        digits = ident.value.removeprefix("+")
        assert digits.isdigit()
        assert ident.value.startswith("+") or ident.detail == "unverified"


@FAST
@given(st.text(max_size=12), st.text(max_size=10))
@example("2024-02-30", "")
@example("0001-01-01", "25:00")
@example("9999-12-31", "23:59")
def test_occurred_dates_are_parsed_or_refused_clearly(day: str, hour: str) -> None:
    status = 0
    try:
        moment = _occurred(day, hour)
    except HeroesError as exc:
        moment, status = None, exc.status_code
    assert status in (0, 400)
    assert moment is None or moment.tzinfo is UTC


@FAST
@given(st.dates(min_value=datetime(1900, 1, 1).date()), st.times())
def test_valid_dates_round_trip(day: object, moment: object) -> None:
    parsed = _occurred(str(day), moment.strftime("%H:%M"))  # type: ignore[attr-defined]
    assert parsed is not None and parsed.date() == day


@pytest.mark.parametrize("text", ["see http://x.example:99999/ now", "https://[::1", "http://[zz::1]:99/"])
def test_bad_urls_in_a_report_are_kept_not_a_500(client: object, text: str) -> None:
    response = client.post("/api/reports", json={"description": f"They advertise jobs at {text}"})  # type: ignore[attr-defined]
    assert response.status_code == 201, response.text
