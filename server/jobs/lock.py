"""One Redis lock per job, with a lease: two processes never run the same job at once.

`SET key token NX PX lease` takes it; only the holder (its random token) can extend or release
it, each a Lua compare-and-act, so a process whose lease ran out never frees or stretches the
lock a newer holder took. While the run goes on, a task renews the lease every third of it, so
a long run keeps the lock and a process that dies frees it within one lease. The lock keeps
runs from overlapping; the job records in the table (`store.repos.jobs`) are what keep a
user's work from being done twice, so a lease lost to a stalled process costs at most a
duplicate walk over the accounts, never a duplicate email.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis

from quotas.unavailable import REDIS_DOWN
from server.redis_io import cancel_and_wait

log = logging.getLogger("v7.jobs")

LEASE_MS = 60_000
"""A dead holder keeps others off at most this long; renewed every third of it while alive."""
_EXTEND = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def lock_key(job: str) -> str:
    return f"v7:lock:job:{job}"


class LockHeld(Exception):
    """Another process is running this job."""


@asynccontextmanager
async def job_lock(redis: Redis, job: str, *, lease_ms: int = LEASE_MS) -> AsyncIterator[None]:
    """Hold the lock of `job` for the block, renewing its lease. Raises `LockHeld` when
    another process holds it, and Redis's own errors (`REDIS_DOWN`) when it cannot be asked."""
    key, token = lock_key(job), uuid.uuid4().hex
    if not await redis.set(key, token, nx=True, px=lease_ms):
        raise LockHeld(job)

    async def renew() -> None:
        while True:
            await asyncio.sleep(lease_ms / 3000)
            try:
                if not await redis.eval(_EXTEND, 1, key, token, str(lease_ms)):
                    log.warning("job lock lost", extra={"job": job})
                    return
            except REDIS_DOWN as exc:  # try again next time; the lease still has two thirds
                log.warning("job lock not renewed", extra={"job": job, "error": type(exc).__name__})

    renewal = asyncio.create_task(renew(), name=f"lock-{job}")
    try:
        yield
    finally:
        await cancel_and_wait(renewal)
        with contextlib.suppress(*REDIS_DOWN):
            await redis.eval(_RELEASE, 1, key, token)
