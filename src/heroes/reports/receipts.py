"""Receipt codes: how an anonymous reporter comes back to their report.

Design. A receipt is 20 decimal digits, all drawn from `secrets`:

    LLLLLL SSSSSSSSSSSSS C
    lookup  secret       check

- `lookup` (6 digits) is stored in clear in an indexed column. It is not a secret and not unique:
  it only narrows the search to the one or few reports that share it, so checking a receipt costs
  one or two slow hashes instead of a scan of every report.
- `secret` (13 digits, about 43 bits) never leaves the reporter: the database keeps only an Argon2id
  hash of the whole code (lookup + secret). Guessing online is stopped by rate limits (per lookup
  and overall); guessing offline from a stolen database costs one Argon2 evaluation per guess.
- `check` is a Luhn digit over the first 19, so a mistyped code is caught before it counts
  as a failed attempt against the rate limit; it adds no secrecy and needs none.

The code is shown to the reporter once, grouped in fours, and can be typed with or without spaces.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from heroes.core.errors import HeroesError
from heroes.core.i18n import gettext as _

LOOKUP_DIGITS = 6
SECRET_DIGITS = 13
RECEIPT_DIGITS = LOOKUP_DIGITS + SECRET_DIGITS + 1

# OWASP's minimum for Argon2id (19 MiB, 2 passes): slow enough for offline guessing, fast enough
# that a burst of submissions does not starve the server.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


class InvalidReceipt(HeroesError):
    """A receipt that cannot be right whatever the database holds (wrong length or check digit)."""


def luhn_digit(digits: str) -> str:
    """The Luhn check digit that makes `digits + check` valid."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = int(char)
        if i % 2 == 0:  # these positions are doubled once the check digit is appended
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


@dataclass(frozen=True)
class Receipt:
    code: str  # the 20 digits; give it to the reporter once and forget it
    lookup: str  # store in clear, indexed
    code_hash: str  # store: Argon2id of the whole code

    @property
    def display(self) -> str:
        return format_receipt(self.code)


def new_receipt() -> Receipt:
    body = "".join(str(secrets.randbelow(10)) for _ in range(RECEIPT_DIGITS - 1))
    code = body + luhn_digit(body)
    return Receipt(code=code, lookup=code[:LOOKUP_DIGITS], code_hash=_HASHER.hash(code))


def format_receipt(code: str) -> str:
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def parse_receipt(text: str) -> str:
    """The 20 digits of a typed receipt (spaces and dashes allowed), or InvalidReceipt."""
    digits = re.sub(r"[\s-]", "", text or "")
    if not re.fullmatch(rf"\d{{{RECEIPT_DIGITS}}}", digits):
        raise InvalidReceipt(
            _(
                "A receipt has %(n)s digits. Check the code you were given.",
                n=RECEIPT_DIGITS,
            )
        )
    if luhn_digit(digits[:-1]) != digits[-1]:
        raise InvalidReceipt(_("This receipt has a typing mistake. Check the code you were given."))
    return digits


def lookup_of(code: str) -> str:
    return code[:LOOKUP_DIGITS]


def verify_receipt(code_hash: str, code: str) -> bool:
    """Whether `code` is the receipt behind `code_hash` (constant time, slow by design)."""
    try:
        return _HASHER.verify(code_hash, code)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
