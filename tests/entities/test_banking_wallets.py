"""IBANs, BICs and wallet addresses: accepted only when their checksums hold."""

from __future__ import annotations

import hashlib

import pytest
from stdnum import bitcoin as stdnum_bitcoin

from heroes import entities
from heroes.entities.wallets import (
    base58check_encode,
    eip55,
    keccak256,
    segwit_decode,
    segwit_encode,
    xmr_b58decode,
    xmr_b58encode,
)

IBANS = {  # the published examples of each country's format
    "ES91 2100 0418 4502 0005 1332": "ES9121000418450200051332",
    "GB82 WEST 1234 5698 7654 32": "GB82WEST12345698765432",
    "DE89 3704 0044 0532 0130 00": "DE89370400440532013000",
    "FR14 2004 1010 0505 0001 3M02 606": "FR1420041010050500013M02606",
    "RO49 AAAA 1B31 0075 9384 0000": "RO49AAAA1B31007593840000",
}


@pytest.mark.parametrize(("raw", "value"), IBANS.items())
def test_ibans_of_several_countries(raw: str, value: str) -> None:
    assert entities.normalize("iban", raw) == value
    assert entities.normalize("iban", raw.lower()) == value


@pytest.mark.parametrize(
    "raw",
    [
        "ES91 2100 0418 4502 0005 1333",  # one digit off: the mod-97 check fails
        "ES19 2100 0418 4502 0005 1332",  # check digits swapped
        "GB82 WEST 1234 5698 7654",  # too short for GB
        "XX82 WEST 1234 5698 7654 32",  # no such country
        "DE00 0000 0000 0000 0000 00",
    ],
)
def test_iban_look_alikes_are_refused(raw: str) -> None:
    assert entities.check("iban", raw) is None
    assert not [e for e in entities.find(f"Pay to {raw} please") if e.kind == "iban"]


def test_iban_found_in_text_with_its_span_not_the_next_word() -> None:
    text = "Transfer to ES91 2100 0418 4502 0005 1332 TODAY, BIC: CAIXESBBXXX."
    found = {e.kind: e for e in entities.find(text)}
    assert text[found["iban"].start : found["iban"].end] == "ES91 2100 0418 4502 0005 1332"
    assert (found["bic"].value, found["bic"].detail) == ("CAIXESBBXXX", "ES")
    assert entities.check("bic", "DEUTDEFF") == "valid" and entities.check("bic", "DEUTXXFF") is None


def test_keccak_matches_sha3_with_the_sha3_padding() -> None:
    for data in (b"", b"abc", b"x" * 135, b"x" * 136, b"y" * 1000):
        assert keccak256(data, suffix=0x06) == hashlib.sha3_256(data).digest()
    assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"


EIP55_EXAMPLES = [
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]


@pytest.mark.parametrize("address", EIP55_EXAMPLES)
def test_ethereum_eip55(address: str) -> None:
    assert entities.check("eth", address) == "valid"
    assert entities.check("eth", address.lower()) == "possible"  # no checksum written: nothing to check
    assert entities.normalize("eth", address.lower()) == address
    i = next(i for i, c in enumerate(address) if i > 1 and c.isalpha())
    flipped = address[:i] + address[i].swapcase() + address[i + 1 :]
    assert entities.check("eth", flipped) is None  # a wrong checksum is a typo or a forgery


def test_bitcoin_base58_and_segwit_agree_with_stdnum() -> None:
    valid = [
        "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
        "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    ]
    for address in valid:
        assert entities.check("btc", address) == "valid" and stdnum_bitcoin.is_valid(address)
    look_alikes = [
        "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb",
        "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLz",
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr",
    ]
    for address in look_alikes:
        assert entities.check("btc", address) is None and not stdnum_bitcoin.is_valid(address)
    assert entities.normalize("btc", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4") == valid[2]
    assert entities.check("btc", "bc1QW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4") is None  # mixed case


def test_bech32m_taproot_and_the_version_rules() -> None:
    taproot = "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr"
    assert entities.check("btc", taproot) == "valid"
    version, program = segwit_decode("bc", taproot) or (None, b"")
    assert version == 1 and len(program) == 32 and segwit_encode("bc", 1, program) == taproot
    # The same program as version 1 but with a bech32 (v0) checksum is invalid, and the other way round.
    v0_program = bytes(range(20))
    assert segwit_decode("bc", segwit_encode("bc", 0, v0_program)) == (0, v0_program)
    wrong = segwit_encode("bc", 0, bytes(range(32)))[:-6]
    assert segwit_decode("bc", wrong + "qqqqqq") is None


def test_litecoin_tron_and_monero() -> None:
    ltc = base58check_encode(bytes([0x30]) + bytes(range(20)))
    trx = base58check_encode(bytes([0x41]) + bytes(range(20)))
    assert ltc.startswith("L") and entities.check("ltc", ltc) == "valid" and entities.check("btc", ltc) is None
    assert trx.startswith("T") and len(trx) == 34 and entities.check("trx", trx) == "valid"
    assert entities.check("trx", trx[:-1] + ("1" if trx[-1] != "1" else "2")) is None
    assert entities.check("ltc", segwit_encode("ltc", 0, bytes(20))) == "valid"
    xmr = "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A"
    assert entities.check("xmr", xmr) == "valid"
    data = xmr_b58decode(xmr)
    assert data is not None and len(data) == 69 and xmr_b58encode(data) == xmr
    tampered = bytearray(data)
    tampered[10] ^= 1
    assert entities.check("xmr", xmr_b58encode(bytes(tampered))) is None


def test_wallets_found_in_text_with_spans() -> None:
    text = f"send to {EIP55_EXAMPLES[0]}, or bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq (btc)."
    found = [e for e in entities.find(text) if e.kind in ("eth", "btc")]
    assert [(e.kind, text[e.start : e.end]) for e in found] == [
        ("eth", EIP55_EXAMPLES[0]),
        ("btc", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
    ]
    assert eip55(EIP55_EXAMPLES[0][2:].lower()) == EIP55_EXAMPLES[0]
