"""Which version of a climber's records a cached context was computed from, for every process.

Each climber has a generation: an opaque random token in Redis (`v7:ctxgen:{USER}`, braces
included) that every write to their records replaces. The table tells `bump` the keys of every
settled write (`store.table.Table.on_write`, wired by the composition root); a turn reads the
token once (`read`) before it reads any record, and a cached computation is used only if it
was made under the token read now (`context.cache`).

Why a random token and not a counter (INCR): a Redis that restarts empty, or a key that
expires, would start a counter again at 1 and could hand out a number an old cache entry was
made under; a fresh random token never matches one. A missing key is replaced by a new token
(`SET NX`), so the first turn after a restart computes afresh.

Why the write comes first and the bump after it (the table's hook runs once the write has
settled): a turn that reads the new token then reads records that hold the write. The reverse
order could cache records read before the write under the token of after it.

When Redis cannot be reached: `read` answers None and the turn computes without the cache
(correct beats fast); a `bump` that fails drops this process's own entry for the climber and is
logged, and other processes' entries live at most the cache's maximum age (`context.cache`).

Which writes count: every write in a climber's partition (`USER#{id}`) except those that
never change what the context computes from (`UNCHANGING`: chat history, which a turn reads
fresh, usage, proposals, undo records, the history view, secrets, API tokens, job, import and
media bookkeeping, the account profile, whose zone and tier are part of every turn's key). A
new kind of record counts until it is listed here: the safe default.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from store.repos import (
    api_tokens,
    chat,
    history_view,
    imports,
    jobs,
    media,
    proposals,
    undo,
    usage,
    users,
)
from store.repos import secrets as secret_records
from store.repos.base import user_pk
from store.table import Key

log = logging.getLogger("v7.context.cache")

PREFIX = "v7:ctxgen:"
USER_PREFIX = user_pk("-")[:-1]
"""What every climber's partition key begins with (`USER#`)."""
TTL_S = 7 * 24 * 3600
"""A climber's token lives a week after their last write: an expired one is replaced by a new
token on the next turn (a recomputation), so Redis holds one key per active climber only."""

UNCHANGING: tuple[str, ...] = (
    f"{chat.KIND}#",
    f"{usage.KIND}#",
    proposals.PREFIX,
    undo.PREFIX,
    history_view.KEY,
    secret_records.PREFIX,
    api_tokens.PREFIX,
    jobs.PREFIX,
    imports.JOB_PREFIX,
    imports.MARKER_PREFIX,
    media.PREFIX,
    media.USAGE_SK,
    users.PROFILE,
)
"""Sort-key prefixes of a climber's items that no context computation reads."""


def user_generation_key(user_id: str) -> str:
    """The Redis key of the climber's generation (erasure removes it: `server.erasure`)."""
    # Braced, so the key is exactly one user's: erasure matches keys by their beginning.
    return f"{PREFIX}{{{user_id}}}"


def users_changed(keys: Iterable[Key]) -> set[str]:
    """The climbers whose context-relevant records the written `keys` touch."""
    changed = set()
    for pk, sk in keys:
        if pk.startswith(USER_PREFIX) and not sk.startswith(UNCHANGING):
            changed.add(pk[len(USER_PREFIX) :])
    return changed


class Generations(Protocol):
    """Where the climbers' generations are kept."""

    async def read(self, user_id: str) -> str | None:
        """The climber's current token; None when it cannot be known (do not use a cache)."""
        ...

    async def bump(self, keys: Sequence[Key]) -> None:
        """Give every climber whose records `keys` wrote a new token. Never raises."""
        ...


class RedisGenerations:
    """The generations in Redis, shared by every process. `forget` is called with a climber's
    id when a bump could not reach Redis (the process drops its own cached entry)."""

    def __init__(self, redis: Redis, forget: Callable[[str], None] | None = None) -> None:
        self._redis = redis
        self._forget = forget

    async def read(self, user_id: str) -> str | None:
        key = user_generation_key(user_id)
        try:
            value = await self._redis.get(key)
            if value is None:
                fresh = secrets.token_hex(8)
                # Another process may set one at the same moment: whichever won is the token.
                if await self._redis.set(key, fresh, nx=True, ex=TTL_S):
                    return fresh
                value = await self._redis.get(key)
        except (RedisError, OSError) as error:
            log.warning("redis unavailable: context computed without its cache (%s)", error)
            return None
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    async def bump(self, keys: Sequence[Key]) -> None:
        changed = users_changed(keys)
        if not changed:
            return
        for user_id in changed:
            if self._forget is not None:
                self._forget(user_id)
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for user_id in changed:
                    pipe.set(user_generation_key(user_id), secrets.token_hex(8), ex=TTL_S)
                await pipe.execute()
        except (RedisError, OSError) as error:
            log.warning(
                "redis unavailable: %d climber(s)' cached context not invalidated on other "
                "processes; they expire within the cache's maximum age (%s)",
                len(changed),
                error,
            )
