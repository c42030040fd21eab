"""Proof of work for receipt lookups: a client that keeps failing pays for each further try.

Nobody is ever locked out. Once a lookup (the receipt's first 6 digits), a client or the whole
service has had too many wrong codes, a lookup must carry a solved challenge; the work doubles
with each further failure, up to a cap a phone still solves in seconds. A reporter with the right
code solves one challenge and is in; a guesser pays for every guess.

A challenge is stateless and signed by the server (HMAC with a key derived from the session key):

    1.<lookup>.<client>.<bits>.<expires>.<nonce>.<signature>

The client finds a `solution` (decimal digits) such that SHA-256("<challenge>:<solution>") starts
with `bits` zero bits, and sends "<challenge>:<solution>" as the proof (form field `proof`, or
header `Receipt-Proof` for the API). A proof opens only its own lookup, before its expiry, and is
spent by a wrong code: it cannot be used for a second guess.

Clients are known only by an anonymous token they choose or are given (`client`), never by their
address; the audit log keeps a keyed digest of it, not the token. Clients without a token share
one counter, so leaving it out does not help a guesser.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

from heroes.core.errors import HeroesError
from heroes.core.i18n import gettext as _
from heroes.core.settings import get_settings

VERSION = "1"
CHALLENGE_SECONDS = 600
NO_CLIENT = "-"
_CLIENT = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class InvalidProof(HeroesError):
    def __init__(self, message: str) -> None:
        super().__init__(message, status_code=400)


@dataclass(frozen=True)
class Work:
    """How much work a lookup needs, in leading zero bits of SHA-256 (each bit doubles it).

    `free` wrong codes (per lookup, per client) need no work; from then on each failure adds a bit,
    from `start_bits` up to `max_bits`. Wrong codes across all lookups past `overall_free` in the
    window raise the floor for everyone, a bit per doubling of the pressure."""

    free: int = 5
    overall_free: int = 200
    start_bits: int = 16
    max_bits: int = 20

    def _ramp(self, failures: int, free: int) -> int:
        if failures < free:
            return 0
        return min(self.max_bits, self.start_bits + failures - free)

    def bits(self, lookup_failures: int, client_failures: int, overall_failures: int) -> int:
        overall = 0
        if overall_failures >= self.overall_free:
            overall = min(self.max_bits, self.start_bits + int(math.log2(overall_failures / self.overall_free)))
        return max(self._ramp(lookup_failures, self.free), self._ramp(client_failures, self.free), overall)


@dataclass(frozen=True)
class Challenge:
    token: str
    lookup: str
    client: str
    bits: int
    expires: int  # Unix seconds

    @property
    def id(self) -> str:
        """Names the challenge in the audit log (its signature's start), so a spent one is known."""
        return self.token.rsplit(".", 1)[1][:24]

    def as_dict(self) -> dict[str, object]:
        return {
            "challenge": self.token,
            "algorithm": "sha256-leading-zero-bits",
            "bits": self.bits,
            "lookup": self.lookup,
            "client": self.client,
            "expires_in": max(0, self.expires - int(time.time())),
        }


@lru_cache(maxsize=4)
def _derived(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"heroes receipt proof of work", hashlib.sha256).digest()


def _key() -> bytes:
    return _derived(get_settings().session_secret)


def _sign(payload: str) -> str:
    return hmac.new(_key(), payload.encode(), hashlib.sha256).hexdigest()[:32]


def new_client() -> str:
    """A fresh anonymous client token (random; says nothing about who holds it)."""
    return secrets.token_urlsafe(18)


def client_of(token: str | None) -> str:
    """The client token if well formed, else the shared no-token client."""
    return token if token and _CLIENT.match(token) else NO_CLIENT


def client_digest(client: str) -> str:
    """What the audit log keeps of a client token: a keyed digest, not the token."""
    if client == NO_CLIENT:
        return NO_CLIENT
    return hmac.new(_key(), b"client:" + client.encode(), hashlib.sha256).hexdigest()[:16]


def issue(lookup: str, client: str, bits: int, now: float | None = None) -> Challenge:
    expires = int(now if now is not None else time.time()) + CHALLENGE_SECONDS
    payload = f"{VERSION}.{lookup}.{client}.{bits}.{expires}.{secrets.token_hex(8)}"
    return Challenge(f"{payload}.{_sign(payload)}", lookup, client, bits, expires)


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def _parse(token: str) -> Challenge | None:
    parts = token.split(".")
    if len(parts) != 7 or parts[0] != VERSION:
        return None
    _v, lookup, client, bits, expires, _nonce, signature = parts
    if not (bits.isdigit() and expires.isdigit() and len(bits) <= 3 and len(expires) <= 12):
        return None
    if not hmac.compare_digest(_sign(".".join(parts[:6])), signature):
        return None
    return Challenge(token, lookup, client, int(bits), int(expires))


def check(proof: str, lookup: str, now: float | None = None) -> Challenge:
    """The challenge behind a solved proof for `lookup`, or InvalidProof (forged, expired, for
    another lookup, or not solved). Whether it is hard enough now is the caller's question."""
    token, _sep, solution = (proof or "").strip().rpartition(":")
    challenge = _parse(token) if len(token) < 200 else None
    if challenge is None or not (solution.isdigit() and len(solution) <= 20):
        raise InvalidProof(_("This check is not valid. Open the receipt page again."))
    if challenge.lookup != lookup:
        raise InvalidProof(_("This check was made for another receipt. Open the receipt page again."))
    if challenge.expires < (now if now is not None else time.time()):
        raise InvalidProof(_("This check has expired. Open the receipt page again."))
    digest = hashlib.sha256(f"{token}:{solution}".encode()).digest()
    if leading_zero_bits(digest) < challenge.bits:
        raise InvalidProof(_("This check was not completed. Open the receipt page again."))
    return challenge


def solve(challenge: str, bits: int) -> str:
    """A proof for `challenge` ("<challenge>:<solution>"); what the API client and tests run."""
    prefix = f"{challenge}:".encode()
    counter = 0
    while True:
        digest = hashlib.sha256(prefix + str(counter).encode()).digest()
        if leading_zero_bits(digest) >= bits:
            return f"{challenge}:{counter}"
        counter += 1


class SpentProofs:
    """Proofs used by a wrong code in this process (the audit log remembers them across processes;
    this closes the gap of parallel requests carrying the same proof)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._spent: dict[str, float] = {}

    def take(self, challenge: Challenge) -> bool:
        """Mark the proof used; False if it already was."""
        now = time.time()
        with self._lock:
            if len(self._spent) > 10_000:
                self._spent = {k: t for k, t in self._spent.items() if t >= now}
            if challenge.id in self._spent:
                return False
            self._spent[challenge.id] = float(challenge.expires)
            return True

    def release(self, challenge: Challenge) -> None:
        """A right code: the proof was not spent on a guess, the reporter may use it again."""
        with self._lock:
            self._spent.pop(challenge.id, None)


SPENT = SpentProofs()


# --- after a right code: the reporter's next forms need no new work -------------------------------

OPENED_SECONDS = 3600


def opened_token(code: str, now: float | None = None) -> str:
    """Given with the reporter's page after a right code: proves, with the same code, that this
    code was right, so answering or adding information needs no new work. Bound to the code."""
    expires = int(now if now is not None else time.time()) + OPENED_SECONDS
    return f"{expires}.{_sign(f'opened.{code}.{expires}')}"


def opened_is_valid(token: str | None, code: str, now: float | None = None) -> bool:
    expires, _sep, signature = (token or "").partition(".")
    if not expires.isdigit() or len(expires) > 12:
        return False
    if int(expires) < (now if now is not None else time.time()):
        return False
    return hmac.compare_digest(_sign(f"opened.{code}.{expires}"), signature)
