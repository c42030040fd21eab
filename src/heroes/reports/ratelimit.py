"""Receipt guessing: back-off by proof of work, without knowing who is guessing and without a lock.

We keep no IP address. Wrong codes are counted per receipt lookup (the code's first 6 digits: a
targeted guess), per anonymous client token (heroes.reports.proof; clients without one share a
counter) and overall (a spray across lookups). Past a few free failures, a lookup must carry a
solved proof-of-work challenge whose difficulty doubles with each further failure, up to a cap
(heroes.reports.proof.Work). A client that cannot do the work (no JavaScript, a plain script) is
told to come back later (429 with Retry-After, until the failures leave the window); a client that
does it is always answered. So a guesser cannot lock a genuine reporter out of their report, not
even by targeting its lookup: the reporter pays one challenge, the guesser one per guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from threading import Lock
from typing import Protocol

from heroes.core.errors import HeroesError
from heroes.core.i18n import gettext as _
from heroes.reports import proof
from heroes.reports.proof import Challenge, Work

OVERALL = "*"


@dataclass(frozen=True)
class Limit:
    failures: int
    window_seconds: int


class RateLimited(HeroesError):
    def __init__(self, retry_after: int, challenge: Challenge | None = None, reason: str | None = None) -> None:
        minutes = max(1, (retry_after + 59) // 60)
        message = reason or _(
            "Too many wrong receipt codes. Try again in %(minutes)s minutes.",
            minutes=minutes,
        )
        if challenge is not None:
            message += " " + _(
                "Or let your browser do a short check (JavaScript) to open it now: this protects "
                "receipts from guessing and tells us nothing about you."
            )
        super().__init__(message, status_code=429)
        self.retry_after = retry_after
        self.challenge = challenge


@dataclass(frozen=True)
class Failure:
    at: datetime
    lookup: str
    client: str  # proof.client_digest of the token, or proof.NO_CLIENT
    proof: str | None = None  # the challenge id spent by this wrong code


class FailureStore(Protocol):
    """Where wrong codes are counted: in memory for one process, the audit log otherwise."""

    def times(self, since: datetime, lookup: str | None = None, client: str | None = None) -> list[datetime]: ...

    def count(self, since: datetime) -> int: ...

    def spent(self, lookup: str, proof_id: str, since: datetime) -> bool: ...

    def add(self, failure: Failure) -> None: ...


@dataclass
class MemoryStore:
    _failures: list[Failure] = field(default_factory=list)
    _lock: Lock = field(default_factory=Lock)

    def _window(self, since: datetime) -> list[Failure]:
        with self._lock:
            self._failures = [f for f in self._failures if f.at >= since]
            return list(self._failures)

    def times(self, since: datetime, lookup: str | None = None, client: str | None = None) -> list[datetime]:
        return [
            f.at
            for f in self._window(since)
            if (lookup is None or f.lookup == lookup) and (client is None or f.client == client)
        ]

    def count(self, since: datetime) -> int:
        return len(self._window(since))

    def spent(self, lookup: str, proof_id: str, since: datetime) -> bool:
        return any(f.lookup == lookup and f.proof == proof_id for f in self._window(since))

    def add(self, failure: Failure) -> None:
        with self._lock:
            self._failures.append(failure)


class ReceiptThrottle:
    def __init__(self, store: FailureStore, window_seconds: int = 900, work: Work | None = None) -> None:
        self.store = store
        self.window = timedelta(seconds=window_seconds)
        self.work = work or Work()

    def _since(self, now: datetime) -> datetime:
        return now - self.window

    def required_bits(self, lookup: str, client: str, now: datetime) -> tuple[int, int]:
        """The work a lookup needs now (bits, 0 for none) and, for a client that will not do it, the
        seconds until it needs none."""
        since = self._since(now)
        by_lookup = sorted(self.store.times(since, lookup=lookup))
        by_client = sorted(self.store.times(since, client=proof.client_digest(client)))
        overall = self.store.count(since)
        bits = self.work.bits(len(by_lookup), len(by_client), overall)
        if bits == 0:
            return 0, 0
        waits = [self.window.total_seconds()] if overall >= self.work.overall_free else []
        for times in (by_lookup, by_client):
            if len(times) >= self.work.free:
                oldest = times[len(times) - self.work.free]
                waits.append((oldest + self.window - now).total_seconds())
        return bits, max(1, int(max(waits)) + 1)

    def admit(self, lookup: str, client: str, proof_text: str | None, now: datetime) -> Challenge | None:
        """Let a lookup be checked, or raise RateLimited with a fresh challenge to solve.

        Returns the challenge the lookup's proof solved (None when no work was needed); a wrong code
        then spends it (`failed`)."""
        bits, retry_after = self.required_bits(lookup, client, now)
        if bits == 0:
            return None
        reason = None
        if proof_text:
            try:
                solved = proof.check(proof_text, lookup, now.timestamp())
            except proof.InvalidProof as exc:
                reason = exc.message
            else:
                if self.store.spent(lookup, solved.id, self._since(now)):
                    reason = _("This check was already used. Open the receipt page again.")
                elif solved.client != client:
                    reason = _("This check was made for another browser. Open the receipt page again.")
                elif solved.bits < bits:
                    reason = _("More wrong codes arrived meanwhile: one more check is needed.")
                elif not proof.SPENT.take(solved):  # the same proof in a parallel request
                    reason = _("This check was already used. Open the receipt page again.")
                else:
                    return solved
        raise RateLimited(retry_after, proof.issue(lookup, client, bits, now.timestamp()), reason)

    def challenge(self, lookup: str, client: str, now: datetime) -> Challenge:
        """A challenge for `lookup` at today's difficulty (bits 0: no work needed, send none)."""
        bits, _retry = self.required_bits(lookup, client, now)
        return proof.issue(lookup, client, bits, now.timestamp())

    def failed(self, lookup: str, client: str, solved: Challenge | None, now: datetime) -> None:
        self.store.add(Failure(now, lookup, proof.client_digest(client), solved.id if solved else None))

    def succeeded(self, solved: Challenge | None) -> None:
        if solved is not None:
            proof.SPENT.release(solved)
