"""Erasing what Redis holds about a user, as part of erasing their account
(`DELETE /users/profile`, `server.routes.users`).

Every module that keeps per-user keys names what they begin with, next to its key layout
(one home each); `user_key_prefixes` gathers them:

    v7:rl:{USER}:…        rate limits                      quotas.scripts
    v7:q:{USER}:…         monthly and weekly quota counters  quotas.scripts
    v7:stream:USER:…      buffered replies (their text)      server.streams
    v7:ws:{USER}          socket leases (the socket cap)     server.socket_cap
    v7:say:USER:…         say idempotency records (their frames)  server.say_ledger
    v7:run:USER:…         the user's running streams       server.runs
    v7:ctxgen:{USER}      the generation of their records  context.generations

`erase_keys` walks the keyspace once with SCAN (never KEYS, which blocks Redis), asking only
for keys that name the user id, and UNLINKs those that begin with one of the prefixes. A key
that names the user but matches no prefix is left and logged: a layout someone forgot to
list here (the erasure test fails on it too).
"""

from __future__ import annotations

import logging
import re

from redis.asyncio import Redis

from context.generations import user_generation_key
from quotas import user_key_prefixes as quota_prefixes
from server.runs import user_runs_prefix
from server.say_ledger import user_says_prefix
from server.socket_cap import leases_key
from server.streams import user_streams_prefix

log = logging.getLogger("v7.erasure")

SCAN_COUNT = 1_000
"""Keys Redis looks at per SCAN call: each call stays well under a millisecond."""
UNLINK_BATCH = 500


def user_key_prefixes(user_id: str) -> tuple[str, ...]:
    """What every Redis key holding something of the user begins with."""
    return (
        *quota_prefixes(user_id),
        user_streams_prefix(user_id),
        leases_key(user_id),
        user_says_prefix(user_id),
        user_runs_prefix(user_id),
        user_generation_key(user_id),
    )


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[\]\\])", r"\\\1", text)


async def erase_keys(redis: Redis, user_id: str) -> int:
    """Remove every Redis key of the user; how many. Raises redis-py's errors (and `OSError`)
    if Redis cannot be reached: the caller decides whether that stops the erasure."""
    prefixes = user_key_prefixes(user_id)
    doomed: list[bytes] = []
    unknown: set[str] = set()
    async for key in redis.scan_iter(match=f"*{_glob_escape(user_id)}*", count=SCAN_COUNT):
        text = key.decode(errors="replace")
        if text.startswith(prefixes):
            doomed.append(key)
        else:
            unknown.add(text.replace(user_id, "USER"))
    for start in range(0, len(doomed), UNLINK_BATCH):
        await redis.unlink(*doomed[start : start + UNLINK_BATCH])
    if unknown:
        log.warning("erasure left keys of an unlisted layout: %s", ", ".join(sorted(unknown)))
    return len(doomed)
