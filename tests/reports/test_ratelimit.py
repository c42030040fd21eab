"""Receipt guessing: proof of work that grows with failures per lookup, per client and overall;
never a lock a reporter who does the work cannot pass."""

from datetime import UTC, datetime, timedelta

import pytest

from heroes.reports import proof
from heroes.reports.proof import Work
from heroes.reports.ratelimit import MemoryStore, RateLimited, ReceiptThrottle

T0 = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
EASY = Work(free=3, overall_free=20, start_bits=4, max_bits=8)
ALICE = "alice-token-0123456789"
MALLORY = "mallory-token-0123456789"


def _fail(throttle: ReceiptThrottle, lookup: str, client: str, at: datetime) -> None:
    """One wrong code, with the work it needed done."""
    challenge = throttle.challenge(lookup, client, at)
    solution = proof.solve(challenge.token, challenge.bits) if challenge.bits else None
    throttle.failed(lookup, client, throttle.admit(lookup, client, solution, at), at)


def test_work_doubles_with_failures_up_to_a_cap() -> None:
    work = Work()  # the shipped curve: 5 free, then 16 bits, one more per failure, at most 20
    assert [work.bits(n, 0, 0) for n in (0, 4, 5, 6, 9, 50)] == [0, 0, 16, 17, 20, 20]
    assert work.bits(0, 7, 0) == 18  # a failing client pays on every lookup
    assert work.bits(0, 0, 199) == 0 and work.bits(0, 0, 200) == 16 and work.bits(0, 0, 800) == 18
    assert work.bits(0, 0, 10**9) == 20


def test_a_targeted_guess_needs_work_but_the_right_code_with_work_is_always_checked() -> None:
    throttle = ReceiptThrottle(MemoryStore(), window_seconds=600, work=EASY)
    for i in range(3):
        assert throttle.admit("123456", MALLORY, None, T0 + timedelta(seconds=i)) is None  # free tries
        throttle.failed("123456", MALLORY, None, T0 + timedelta(seconds=i))
    with pytest.raises(RateLimited) as limited:  # no work, no check: 429 with a challenge
        throttle.admit("123456", ALICE, None, T0 + timedelta(seconds=10))
    assert limited.value.status_code == 429 and 0 < limited.value.retry_after <= 601
    challenge = limited.value.challenge
    assert challenge is not None and challenge.lookup == "123456" and challenge.bits == EASY.start_bits
    solved = throttle.admit("123456", ALICE, proof.solve(challenge.token, challenge.bits), T0 + timedelta(seconds=11))
    assert solved is not None and solved.id == challenge.id
    assert throttle.admit("654321", ALICE, None, T0 + timedelta(seconds=12)) is None  # other lookups: no work
    assert throttle.admit("123456", ALICE, None, T0 + timedelta(seconds=601)) is None  # the window passed


def test_a_proof_is_spent_by_a_wrong_code_and_bound_to_its_lookup_and_client() -> None:
    throttle = ReceiptThrottle(MemoryStore(), work=EASY)
    for _ in range(3):
        throttle.failed("111111", MALLORY, None, T0)
    challenge = throttle.challenge("111111", MALLORY, T0)
    solution = proof.solve(challenge.token, challenge.bits)
    solved = throttle.admit("111111", MALLORY, solution, T0)
    throttle.failed("111111", MALLORY, solved, T0)
    with pytest.raises(RateLimited, match="already used"):
        throttle.admit("111111", MALLORY, solution, T0)
    for _ in range(3):
        throttle.failed("222222", "nobody-token-0123456789", None, T0)
    other = throttle.challenge("222222", MALLORY, T0)
    with pytest.raises(RateLimited, match="another receipt"):
        throttle.admit("111111", MALLORY, proof.solve(other.token, other.bits), T0)
    stolen = throttle.challenge("222222", ALICE, T0)
    with pytest.raises(RateLimited, match="another browser"):
        throttle.admit("222222", MALLORY, proof.solve(stolen.token, stolen.bits), T0)


def test_forged_unsolved_and_expired_proofs_are_refused() -> None:
    challenge = proof.issue("123456", ALICE, 6, now=T0.timestamp())
    solution = proof.solve(challenge.token, 6)
    assert proof.check(solution, "123456", T0.timestamp()).bits == 6
    counter = int(solution.rsplit(":", 1)[1])
    unsolved = next(
        f"{challenge.token}:{n}"
        for n in range(counter + 1, counter + 10_000)
        if proof.leading_zero_bits(__import__("hashlib").sha256(f"{challenge.token}:{n}".encode()).digest()) < 6
    )
    with pytest.raises(proof.InvalidProof, match="not completed"):
        proof.check(unsolved, "123456", T0.timestamp())
    easier = challenge.token.replace(".6.", ".0.", 1)  # lowering the difficulty breaks the signature
    with pytest.raises(proof.InvalidProof, match="not valid"):
        proof.check(f"{easier}:0", "123456", T0.timestamp())
    with pytest.raises(proof.InvalidProof, match="expired"):
        proof.check(solution, "123456", T0.timestamp() + proof.CHALLENGE_SECONDS + 1)
    for junk in ("", ":", "x:1", "1.2.3:4", "a" * 300 + ":1"):
        with pytest.raises(proof.InvalidProof):
            proof.check(junk, "123456", T0.timestamp())


def test_a_spray_raises_the_floor_for_everyone_but_locks_nobody_out() -> None:
    throttle = ReceiptThrottle(MemoryStore(), window_seconds=600, work=EASY)
    for i in range(200):  # 200 wrong codes from fresh tokens, each on another lookup
        _fail(throttle, f"{i:06d}", f"fresh-token-{i:012d}", T0)
    bits, retry = throttle.required_bits("999999", ALICE, T0 + timedelta(seconds=1))
    assert EASY.start_bits < bits <= EASY.max_bits and retry > 0  # work for all, capped
    challenge = throttle.challenge("999999", ALICE, T0 + timedelta(seconds=1))
    assert throttle.admit("999999", ALICE, proof.solve(challenge.token, challenge.bits), T0) is not None
    assert throttle.required_bits("999999", ALICE, T0 + timedelta(seconds=601)) == (0, 0)


def test_a_client_that_keeps_failing_pays_on_every_lookup_and_tokenless_clients_share_a_counter() -> None:
    throttle = ReceiptThrottle(MemoryStore(), work=EASY)
    for i in range(6):
        _fail(throttle, f"{i:06d}", MALLORY, T0)
    assert throttle.required_bits("777777", MALLORY, T0)[0] == EASY.start_bits + 3
    assert throttle.required_bits("777777", ALICE, T0)[0] == 0
    for i in range(3):
        _fail(throttle, f"{i + 10:06d}", proof.NO_CLIENT, T0)
    assert throttle.required_bits("888888", proof.NO_CLIENT, T0)[0] == EASY.start_bits


def test_the_opened_token_is_bound_to_the_code_and_expires() -> None:
    token = proof.opened_token("12345678901234567890", now=T0.timestamp())
    assert proof.opened_is_valid(token, "12345678901234567890", now=T0.timestamp() + 60)
    assert not proof.opened_is_valid(token, "12345678901234567891", now=T0.timestamp() + 60)
    assert not proof.opened_is_valid(token, "12345678901234567890", now=T0.timestamp() + proof.OPENED_SECONDS + 1)
    assert not proof.opened_is_valid("", "12345678901234567890") and not proof.opened_is_valid("9.x", "1")


def test_client_digest_keeps_no_token_and_tokens_are_checked() -> None:
    assert proof.client_of("short") == proof.NO_CLIENT and proof.client_of(None) == proof.NO_CLIENT
    assert proof.client_of(ALICE) == ALICE
    digest = proof.client_digest(ALICE)
    assert ALICE not in digest and len(digest) == 16 and digest != proof.client_digest(MALLORY)
    assert len(proof.new_client()) >= 16 and proof.client_of(proof.new_client()) != proof.NO_CLIENT
