"""Rate limits for receipt guessing, without knowing who is guessing.

We keep no IP address, so limits cannot be per client. They are per receipt lookup (at most a few
wrong codes per report in a window: a targeted guess stops fast) and, overall, a slowdown: once
wrong codes across all lookups pass a threshold, every further wrong code is answered only after a
pause that grows with the pressure (capped). A spray of random codes crawls, and nobody is ever
locked out: a reporter with the right code is answered at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from threading import Lock
from typing import Protocol

from heroes.core.errors import HeroesError
from heroes.core.i18n import gettext as _

OVERALL = "*"
MAX_SLOWDOWN = 3.0  # seconds


@dataclass(frozen=True)
class Limit:
    failures: int
    window_seconds: int


class RateLimited(HeroesError):
    def __init__(self, retry_after: int) -> None:
        minutes = max(1, (retry_after + 59) // 60)
        super().__init__(
            _(
                "Too many wrong receipt codes. Try again in %(minutes)s minutes.",
                minutes=minutes,
            ),
            status_code=429,
        )
        self.retry_after = retry_after


class FailureStore(Protocol):
    """Where failed attempts are counted: in memory for one process, the audit log otherwise.

    `failures_since(OVERALL, ...)` counts the failures of every lookup together.
    """

    def failures_since(self, key: str, since: datetime) -> list[datetime]: ...

    def add_failure(self, key: str, at: datetime) -> None: ...


class MemoryStore:
    def __init__(self) -> None:
        self._lock = Lock()
        self._failures: list[tuple[str, datetime]] = []

    def failures_since(self, key: str, since: datetime) -> list[datetime]:
        with self._lock:
            self._failures = [(k, t) for k, t in self._failures if t >= since or k != key]
            return [t for k, t in self._failures if t >= since and (key == OVERALL or k == key)]

    def add_failure(self, key: str, at: datetime) -> None:
        with self._lock:
            self._failures.append((key, at))


class ReceiptThrottle:
    def __init__(
        self,
        store: FailureStore,
        per_lookup: Limit = Limit(5, 900),
        overall: Limit = Limit(200, 900),
    ) -> None:
        self.store = store
        self.per_lookup = per_lookup
        self.overall = overall

    def check(self, lookup: str, now: datetime) -> None:
        """Raise RateLimited if this lookup has had too many wrong codes (never for all lookups)."""
        limit = self.per_lookup
        since = now - timedelta(seconds=limit.window_seconds)
        failures = self.store.failures_since(lookup, since)
        if len(failures) >= limit.failures:
            oldest = sorted(failures)[len(failures) - limit.failures]
            retry = oldest + timedelta(seconds=limit.window_seconds) - now
            raise RateLimited(max(1, int(retry.total_seconds()) + 1))

    def slowdown(self, now: datetime) -> float:
        """Seconds to wait before answering a wrong code: zero until wrong codes overall pass the
        threshold, then growing with their number, up to MAX_SLOWDOWN."""
        since = now - timedelta(seconds=self.overall.window_seconds)
        failures = len(self.store.failures_since(OVERALL, since))
        if failures < self.overall.failures:
            return 0.0
        return min(MAX_SLOWDOWN, 0.5 * failures / self.overall.failures)

    def failed(self, lookup: str, now: datetime) -> None:
        self.store.add_failure(lookup, now)
