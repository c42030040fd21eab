import pytest

from heroes.reports.receipts import (
    LOOKUP_DIGITS,
    RECEIPT_DIGITS,
    InvalidReceipt,
    format_receipt,
    lookup_of,
    luhn_digit,
    new_receipt,
    parse_receipt,
    verify_receipt,
)


def test_receipt_shape_and_hash() -> None:
    receipt = new_receipt()
    assert len(receipt.code) == RECEIPT_DIGITS >= 16
    assert receipt.code.isdigit()
    assert receipt.lookup == receipt.code[:LOOKUP_DIGITS] == lookup_of(receipt.code)
    assert receipt.code_hash.startswith("$argon2id$")
    assert receipt.code not in receipt.code_hash
    assert verify_receipt(receipt.code_hash, receipt.code)
    wrong = receipt.code[:-2] + str((int(receipt.code[-2]) + 1) % 10) + receipt.code[-1]
    assert not verify_receipt(receipt.code_hash, wrong)
    assert not verify_receipt("not a hash", receipt.code)


def test_receipts_are_different_each_time() -> None:
    codes = {new_receipt().code for _ in range(5)}
    assert len(codes) == 5


def test_parse_accepts_spaces_and_dashes() -> None:
    receipt = new_receipt()
    assert parse_receipt(format_receipt(receipt.code)) == receipt.code
    assert parse_receipt(receipt.display.replace(" ", "-")) == receipt.code
    assert format_receipt(receipt.code).count(" ") == 4


def test_parse_rejects_wrong_length_and_typos() -> None:
    code = new_receipt().code
    with pytest.raises(InvalidReceipt, match="digits"):
        parse_receipt(code[:-1])
    typo = code[:3] + str((int(code[3]) + 1) % 10) + code[4:]
    with pytest.raises(InvalidReceipt, match="typing mistake"):
        parse_receipt(typo)


def test_luhn_matches_a_known_value() -> None:
    assert luhn_digit("7992739871") == "3"  # the textbook example
