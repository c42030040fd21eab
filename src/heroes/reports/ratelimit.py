"""Rate limits for receipt guessing, without knowing who is guessing.

We keep no IP address, so limits cannot be per client. They are per receipt lookup (at most a few
wrong codes per report in a window: a targeted guess stops fast) and overall (a spray of random
codes across many lookups trips the global limit). While the overall limit holds, receipts cannot
be checked by anyone for the rest of the window; that is a deliberate trade: a reporter may have to
wait a few minutes, but a receipt can never be guessed in bulk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from threading import Lock
from typing import Protocol

from heroes.core.errors import HeroesError
from heroes.core.i18n import gettext as _

OVERALL = "*"


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
        """Raise RateLimited if this lookup, or receipts overall, are blocked right now."""
        for key, limit in ((lookup, self.per_lookup), (OVERALL, self.overall)):
            since = now - timedelta(seconds=limit.window_seconds)
            failures = self.store.failures_since(key, since)
            if len(failures) >= limit.failures:
                oldest = sorted(failures)[len(failures) - limit.failures]
                retry = oldest + timedelta(seconds=limit.window_seconds) - now
                raise RateLimited(max(1, int(retry.total_seconds()) + 1))

    def failed(self, lookup: str, now: datetime) -> None:
        self.store.add_failure(lookup, now)
