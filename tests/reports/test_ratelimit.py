from datetime import UTC, datetime, timedelta

import pytest

from heroes.reports.ratelimit import MAX_SLOWDOWN, Limit, MemoryStore, RateLimited, ReceiptThrottle

T0 = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def test_per_lookup_limit_blocks_then_expires() -> None:
    throttle = ReceiptThrottle(MemoryStore(), per_lookup=Limit(3, 600), overall=Limit(100, 600))
    for i in range(3):
        throttle.check("123456", T0 + timedelta(seconds=i))
        throttle.failed("123456", T0 + timedelta(seconds=i))
    with pytest.raises(RateLimited) as blocked:
        throttle.check("123456", T0 + timedelta(seconds=10))
    assert blocked.value.status_code == 429
    assert 0 < blocked.value.retry_after <= 600
    throttle.check("654321", T0 + timedelta(seconds=10))  # another report is not blocked
    throttle.check("123456", T0 + timedelta(seconds=601))  # the window has passed


def test_spraying_across_lookups_slows_wrong_codes_but_locks_nobody_out() -> None:
    throttle = ReceiptThrottle(MemoryStore(), per_lookup=Limit(5, 600), overall=Limit(10, 600))
    assert throttle.slowdown(T0) == 0.0
    for i in range(200):  # 200 wrong codes in a few minutes, each on another report
        lookup = f"{i:06d}"
        throttle.check(lookup, T0)
        throttle.failed(lookup, T0)
    # no global lock: a reporter checking their own (untouched) lookup is not refused
    throttle.check("999999", T0 + timedelta(seconds=1))
    # but every further wrong code waits, more as the spray grows, within the cap
    assert 0 < throttle.slowdown(T0 + timedelta(seconds=1)) <= MAX_SLOWDOWN
    assert throttle.slowdown(T0 + timedelta(seconds=601)) == 0.0  # the window passed
