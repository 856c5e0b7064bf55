"""The log lines of Redis's outage paths, in one place: the load test (tests/load/) fails on
any of them, and the benchmarks count them. While Redis is up none may appear, however busy
the server is: each one means a climber got less than the full service (a rate limit or the
socket cap not enforced, a quota on the degraded allowance or read from the store, a reply
not kept for a retry or a resume, a frame not fanned out to the climber's other tabs).

Each pattern is a fixed piece of the message text its module logs (`log.warning(...)`): when a
message changes, change it here too (tests/load/test_redis_under_load.py checks that every
pattern still occurs in the code).
"""

from __future__ import annotations

DEGRADED_PATTERNS: dict[str, str] = {
    # quotas.degraded.ThrottledLog: every quota, rate-limit and auth-limit fallback
    # (quotas/quota.py, quotas/limiter.py, server/auth/throttle.py); also server/redis_io.py's
    # "<writer>: redis unavailable, writes dropped until it answers", server/fanout.py's
    # "fanout: redis unavailable, delivering to this process only" and server/runs.py's
    # "stop: redis unavailable, only this process's streams can be stopped".
    "redis unavailable": "quotas/degraded.py",
    "journal quota not enforced: store count failed too": "quotas/quota.py",
    # server/redis_io.py BatchWriter (stream buffer, fan-out): Redis too far behind.
    "queue full, dropping writes": "server/redis_io.py",
    "socket cap not enforced while redis is unavailable": "server/socket_cap.py",
    # handlers/idempotency.py: the say records (server/say_ledger.py) could not be reached.
    "say records unavailable": "handlers/idempotency.py",
    "the record store is unavailable": "handlers/idempotency.py",
    "is unreachable at start; quotas degrade": "server/redis_url.py",
}
"""Message fragment → the module that logs it."""


def degraded_lines(log_text: str) -> list[str]:
    """The lines of `log_text` (a server's log) that say a Redis outage path was taken."""
    return [
        line
        for line in log_text.splitlines()
        if any(pattern in line for pattern in DEGRADED_PATTERNS)
    ]
