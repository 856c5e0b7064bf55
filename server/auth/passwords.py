"""Password hashing (argon2id) and the password policy.

Parameters (argon2-cffi's RFC 9106 "low memory" profile): argon2id, time_cost=3 passes,
memory_cost=64 MiB, parallelism=4 lanes, 16-byte salt, 32-byte tag — about 0.1 s per hash on
one core of a 2026 laptop. Hashes embed their parameters, so raising them later only needs
`needs_rehash` at the next successful sign-in.

Hashing and verifying run on a small dedicated thread pool, never on the event loop, and the
pool's size bounds the memory they take (64 MiB each). In front of the pool is a short queue:
at most `max_concurrent` hashes run and `max_waiting` wait; one more is shed at once with
`RateLimited` (429, `Retry-After` from the measured hash time) rather than queued behind work
it would wait seconds for, so a flood of sign-ins costs the server a bounded amount of memory
and CPU and every request gets an answer quickly. A sign-in for an unknown user verifies
against a dummy hash with the same parameters, so it takes as long as a wrong password and
reveals nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Final, TypeVar

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from quotas.errors import RateLimited
from server.auth.errors import AuthError

log = logging.getLogger(__name__)
_T = TypeVar("_T")

TIME_COST: Final = 3
MEMORY_COST_KIB: Final = 64 * 1024
PARALLELISM: Final = 4
MIN_LENGTH: Final = 10
MAX_LENGTH: Final = 256
_MIN_DISTINCT: Final = 5
_COMMON: Final = frozenset(
    {
        "password12",
        "password123",
        "password1234",
        "passw0rd123",
        "1234567890",
        "0123456789",
        "qwerty1234",
        "qwertyuiop",
        "1q2w3e4r5t",
        "iloveyou12",
        "letmein123",
        "welcome123",
        "climbing123",
        "abc1234567",
    }
)


class PasswordHashing:
    """argon2id hashing off the event loop, at most `max_concurrent` hashes at a time and
    `max_waiting` waiting for a worker; `hash` and `verify` raise `RateLimited("password_hashing",
    retry_after_ms)` when both are full.

    `time_cost` / `memory_cost` (KiB) / `parallelism` default to the documented profile; tests
    of other packages may pass cheaper ones. All methods are cancel-safe: a cancelled caller
    leaves the worker thread to finish on its own, with no state to undo, and its place in the
    queue is taken until the work is really done (or dropped before it started).
    """

    def __init__(
        self,
        *,
        time_cost: int = TIME_COST,
        memory_cost: int = MEMORY_COST_KIB,
        parallelism: int = PARALLELISM,
        max_concurrent: int = 1,
        max_waiting: int = 8,
    ) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_cost,
            parallelism=parallelism,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )
        self._pool = ThreadPoolExecutor(max_workers=max_concurrent, thread_name_prefix="argon2")
        self._workers = max_concurrent
        self._capacity = max_concurrent + max_waiting
        self._admitted = 0  # running or waiting; changed on the event loop only
        self._seconds_per_hash = 0.1  # a running estimate, for Retry-After
        self._dummy_hash: str | None = None

    async def hash(self, password: str) -> str:
        """The argon2id hash of `password` (a self-describing `$argon2id$…` string)."""
        return await self._run(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether `password` matches `password_hash`.

        `None` (unknown user) still costs one full verification, against a dummy hash, and
        returns False. A corrupt stored hash returns False (and is logged, without the hash).
        Never raises for a wrong or odd password.
        """
        if password_hash is None:
            await self._run(self._check, await self._dummy(), password)
            return False
        return await self._run(self._check, password_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        """True when `password_hash` was made with other parameters than the current ones."""
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except (InvalidHashError, ValueError):
            return True

    def close(self) -> None:
        """Stop the worker threads (pending work finishes first)."""
        self._pool.shutdown(wait=True)

    def _check(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except VerifyMismatchError:
            return False
        except (InvalidHashError, VerificationError):
            log.warning("stored password hash is not a valid argon2 hash")
            return False

    async def _dummy(self) -> str:
        if self._dummy_hash is None:
            # racing first callers may each compute one; any of them is as good
            self._dummy_hash = await self._run(self._hasher.hash, "v7-dummy-password-for-timing")
        return self._dummy_hash

    @property
    def admitted(self) -> int:
        """Hashes running or waiting now."""
        return self._admitted

    def check_room(self) -> None:
        """Raise `RateLimited("password_hashing", retry_after_ms)` if a hash asked for now would
        be shed: callers check before the work that leads to a hash (store reads, Redis), so a
        flood is turned away before it costs anything."""
        if self._admitted >= self._capacity:
            rounds = math.ceil((self._admitted + 1) / self._workers)
            raise RateLimited(
                "password_hashing", max(1000, math.ceil(rounds * self._seconds_per_hash * 1000))
            )

    async def _run(self, func: Callable[..., _T], *args: str) -> _T:
        self.check_room()
        loop = asyncio.get_running_loop()
        future = self._pool.submit(self._timed, func, *args)
        self._admitted += 1
        future.add_done_callback(lambda _: self._release_from(loop))
        return await asyncio.wrap_future(future)

    def _timed(self, func: Callable[..., _T], *args: str) -> _T:
        started = time.perf_counter()
        try:
            return func(*args)
        finally:
            took = time.perf_counter() - started
            self._seconds_per_hash = 0.8 * self._seconds_per_hash + 0.2 * took

    def _release_from(self, loop: asyncio.AbstractEventLoop) -> None:
        # Runs in the worker thread (or wherever the future was cancelled): hand the count back
        # to the event loop that admitted the work. A closed loop raises RuntimeError: nobody
        # is counting any more.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(self._release)

    def _release(self) -> None:
        self._admitted -= 1


_default = PasswordHashing()


async def hash_password(password: str) -> str:
    """`PasswordHashing.hash` with the default parameters."""
    return await _default.hash(password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """`PasswordHashing.verify` with the default parameters; `None` means unknown user."""
    return await _default.verify(password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    """`PasswordHashing.needs_rehash` with the default parameters."""
    return _default.needs_rehash(password_hash)


def password_problems(password: str, *, email: str | None = None) -> list[str]:
    """What is wrong with `password` under the policy, as sentences for the user; [] if fine.

    Policy: 10 to 256 characters; at least two kinds among lowercase, uppercase, digits and
    other characters; at least 5 different characters; not a well-known password; not built
    from the account's email address.
    """
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    kinds = (
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    )
    if sum(kinds) < 2:
        problems.append(
            "Mix at least two kinds of characters: lowercase, uppercase, digits, symbols."
        )
    if len(set(password)) < _MIN_DISTINCT:
        problems.append(f"Use at least {_MIN_DISTINCT} different characters.")
    lowered = password.lower()
    if lowered in _COMMON:
        problems.append("This password is too common; choose another.")
    if email:
        local = email.split("@", 1)[0].lower()
        if lowered == email.lower() or (len(local) >= 3 and local in lowered):
            problems.append("Do not use your email address in the password.")
    return problems


def check_password_policy(password: str, *, email: str | None = None) -> None:
    """Raise `AuthError("weak_password")` listing every problem, or return if the password is
    acceptable."""
    problems = password_problems(password, email=email)
    if problems:
        raise AuthError("weak_password", " ".join(problems))
