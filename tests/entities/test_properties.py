"""Property tests of every normaliser: never raises, idempotent, spans point at the raw text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heroes import entities
from heroes.entities.wallets import B58, BECH32, base58check_encode, eip55, segwit_decode, segwit_encode

KINDS = sorted(entities.kinds())
REGIONS = st.sampled_from([None, "ES", "GB", "US", "DE", "CO", "BD", "zz", ""])
# Text that looks like the things we look for: digits, separators, @, dots, slashes, hex, base58.
LOOKALIKE = st.text(alphabet="0123456789+-() .@/:abcdefxyzABCDEFLMT[]!?_%" + B58[:20], max_size=80)
ANY_TEXT = st.one_of(st.text(max_size=120), LOOKALIKE)


@settings(max_examples=150, deadline=None)
@given(kind=st.sampled_from(KINDS), raw=ANY_TEXT, region=REGIONS)
def test_normalisers_never_raise_and_are_idempotent(kind: str, raw: str, region: str | None) -> None:
    value = entities.normalize(kind, raw, region)
    status = entities.check(kind, raw, region)
    assert (value is None) == (status is None)
    if value is not None:
        assert entities.normalize(kind, value, region) == value, (kind, raw, value)


@settings(max_examples=100, deadline=None)
@given(text=ANY_TEXT, region=REGIONS)
def test_find_never_raises_and_every_span_is_the_raw_text(text: str, region: str | None) -> None:
    for found in entities.find(text, region):
        assert text[found.start : found.end] == found.raw
        assert found.status in ("valid", "possible")


@settings(max_examples=60, deadline=None)
@given(program=st.binary(min_size=20, max_size=20), version=st.sampled_from([0x00, 0x05]))
def test_every_base58check_bitcoin_address_is_found_and_one_changed_character_is_not(
    program: bytes, version: int
) -> None:
    address = base58check_encode(bytes([version]) + program)
    assert entities.check("btc", address) == "valid"
    i = len(address) // 2
    changed = address[:i] + B58[(B58.index(address[i]) + 1) % 58] + address[i + 1 :]
    assert entities.check("btc", changed) is None


@settings(max_examples=60, deadline=None)
@given(program=st.binary(min_size=2, max_size=40), version=st.integers(min_value=1, max_value=16))
def test_segwit_round_trip(program: bytes, version: int) -> None:
    address = segwit_encode("bc", version, program)
    assert segwit_decode("bc", address) == (version, program)
    assert segwit_decode("bc", address.upper()) == (version, program)
    i = len(address) - 3
    changed = address[:i] + BECH32[(BECH32.index(address[i]) + 1) % 32] + address[i + 1 :]
    assert segwit_decode("bc", changed) is None  # bech32 detects every single-character error


@settings(max_examples=60, deadline=None)
@given(digits=st.text(alphabet="0123456789abcdef", min_size=40, max_size=40))
def test_eip55_form_is_valid_and_stable(digits: str) -> None:
    address = eip55(digits)
    assert entities.normalize("eth", address) == address
    assert entities.check("eth", address) == ("valid" if any(c.isalpha() for c in digits) else "possible")


@pytest.mark.parametrize("kind", KINDS)
def test_empty_and_huge_inputs(kind: str) -> None:
    for raw in ("", " ", "\x00", "a" * 100_000, "1" * 10_000, "@" * 5000):
        entities.normalize(kind, raw, "ES")
    assert entities.find("9" * 5000 + " " + "@" * 5000) is not None
