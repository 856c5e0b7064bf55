"""argon2id password hashing off the event loop, the unknown-user path, and the policy."""

from __future__ import annotations

import asyncio
import time

import pytest

from quotas.errors import RateLimited
from server.auth import passwords
from server.auth.errors import AuthError
from server.auth.passwords import (
    PasswordHashing,
    check_password_policy,
    hash_password,
    needs_rehash,
    password_problems,
    verify_password,
)

GOOD = "Crimp-and-pinch-42"


async def test_hash_and_verify_round_trip() -> None:
    stored = await hash_password(GOOD)
    assert stored.startswith("$argon2id$")
    assert (
        f"m={passwords.MEMORY_COST_KIB},t={passwords.TIME_COST},p={passwords.PARALLELISM}" in stored
    )
    assert GOOD not in stored
    assert await verify_password(stored, GOOD)
    assert not await verify_password(stored, GOOD + "!")
    assert not await verify_password(stored, "")
    assert not needs_rehash(stored)


async def test_same_password_hashes_differently_each_time() -> None:
    first, second = await asyncio.gather(hash_password(GOOD), hash_password(GOOD))
    assert first != second
    assert await verify_password(first, GOOD)
    assert await verify_password(second, GOOD)


async def test_unknown_user_costs_a_real_verification_and_fails() -> None:
    assert not await verify_password(None, GOOD)  # the first call also makes the dummy hash
    started = time.perf_counter()
    assert not await verify_password(None, GOOD)
    elapsed = time.perf_counter() - started
    # one argon2id verification (64 MiB, 3 passes) cannot finish in 3 ms; an early "no such
    # user" return takes microseconds. Load only makes it slower, so this cannot flake.
    assert elapsed > 0.003


async def test_a_corrupt_stored_hash_is_a_failed_sign_in_not_a_crash() -> None:
    assert not await verify_password("not-an-argon2-hash", GOOD)
    assert not await verify_password("$argon2id$v=19$m=65536,t=3,p=4$broken", GOOD)
    assert needs_rehash("not-an-argon2-hash")


async def test_hashing_does_not_block_the_event_loop() -> None:
    ticks = 0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await asyncio.sleep(0.005)

    task = asyncio.create_task(ticker())
    await hash_password(GOOD)
    done.set()
    await task
    assert ticks >= 3  # the loop kept running while argon2 worked (~0.1 s)


async def test_weaker_parameters_are_flagged_for_rehash() -> None:
    cheap = PasswordHashing(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    try:
        old = await cheap.hash(GOOD)
        assert await verify_password(old, GOOD)  # still verifies with the current hasher
        assert needs_rehash(old)
        assert not cheap.needs_rehash(old)
    finally:
        cheap.close()


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("Short1!", "at least 10 characters"),
        ("alllowercaseletters", "two kinds of characters"),
        ("1234567890123", "two kinds of characters"),
        ("aaaaaaaaaA", "at least 5 different characters"),
        ("Password123", "too common"),
        ("x" * 200 + "Y" * 100, "at most 256 characters"),
        ("ada.lovelace-2026", "email address"),
    ],
)
def test_policy_explains_each_problem(password: str, expected: str) -> None:
    problems = password_problems(password, email="ada.lovelace@example.com")
    assert any(expected in problem for problem in problems), problems
    with pytest.raises(AuthError) as caught:
        check_password_policy(password, email="ada.lovelace@example.com")
    assert caught.value.code == "weak_password"
    assert expected in caught.value.message
    assert password not in caught.value.message


@pytest.mark.parametrize("password", [GOOD, "correct horse battery staple", "Kl3tterSteig"])
def test_reasonable_passwords_pass(password: str) -> None:
    assert password_problems(password, email="someone@example.com") == []
    check_password_policy(password, email="someone@example.com")


def test_several_problems_are_all_listed() -> None:
    problems = password_problems("aaaa")
    assert len(problems) == 3


async def test_hashing_beyond_the_workers_and_the_queue_is_shed_at_once() -> None:
    hasher = PasswordHashing(
        time_cost=1, memory_cost=8 * 1024, parallelism=1, max_concurrent=1, max_waiting=2
    )
    try:
        stored = await hasher.hash(GOOD)
        results = await asyncio.gather(
            *(hasher.verify(stored, GOOD) for _ in range(6)), return_exceptions=True
        )
        shed = [r for r in results if isinstance(r, RateLimited)]
        assert results[:3] == [True, True, True]  # one running, two waiting
        assert len(shed) == 3
        assert all(r.retry_after_s >= 1 for r in shed)
        assert hasher.admitted == 0
        assert await hasher.verify(stored, GOOD)  # room again once the wave is through
    finally:
        hasher.close()


async def test_a_cancelled_caller_keeps_its_place_until_its_hash_is_done() -> None:
    hasher = PasswordHashing(max_concurrent=1, max_waiting=0)  # the real 64 MiB profile
    try:
        running = asyncio.create_task(hasher.hash(GOOD))
        await asyncio.sleep(0.01)
        assert hasher.admitted == 1
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running
        with pytest.raises(RateLimited):  # the worker is still busy with it
            await hasher.hash(GOOD)
        for _ in range(500):
            if hasher.admitted == 0:
                break
            await asyncio.sleep(0.01)
        assert hasher.admitted == 0
        assert (await hasher.hash(GOOD)).startswith("$argon2id$")
    finally:
        hasher.close()
