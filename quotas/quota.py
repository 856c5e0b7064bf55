"""Monthly AI messages and weekly journal entries: reserve, then commit or refund exactly once.

Redis is the enforcement point (one atomic Lua script per operation, see `quotas.scripts`); the
store is the durable record (`quotas.ledger`). Counters are per user, not per tier: a tier change
only moves the limit, so what was used this window stays used.

Redis slow or down (every call is bounded by the 100 ms timeout):

* AI messages fail CLOSED beyond a small degraded allowance. A reservation is granted only if
  the ledger in the store shows the monthly quota not used up AND the user has not spent this
  process's `degraded_ai_messages_per_hour` (tiers.toml); otherwise `QuotaExceeded` or
  `QuotaUnavailable` (code `model_unavailable`). Such degraded grants are counted in the ledger
  on commit and, if Redis is back by then, in Redis too.
* Journal entries fail OPEN with a log line, enforced by the store-count fallback: the week's
  cap is checked against the entries the store holds for that week (not race-free: concurrent
  writes of one user may pass it together while Redis is down); if the store cannot be read
  either, the write is allowed.
* Rate limits fail open (see `quotas.limiter`).

Service returns to normal by itself: every call tries Redis first.

Known imprecisions, all bounded and all on the user's side of the line:

* A reserve whose answer timed out may still have been applied by a slow Redis. The degraded
  reservation granted instead carries the same id, so settling it settles that one too; if it
  is refused instead, the phantom counts as in flight until it expires (`RESERVATION_TTL_S`).
* An AI message committed while Redis was unreachable is in the ledger but not in a Redis
  counter that survived the outage (an embedded server restarted from its AOF, a recovered
  node), so Redis under-counts it until the counter is next rebuilt (a new month, a flush).
* A journal counter rebuilt while another write of that user was between its store write and
  its commit counts that entry twice (once from the store, once at its commit).
* A journal counter rebuilt between an entry's removal from the store and its
  `release_journal` gives that entry back twice (once by the rebuild, once by the release).

Journal counters count the entries logged (`createdAt`) in the ISO week and still in the
journal: every commit adds one, `release_journal` takes one away when an entry logged this
week is undone or deleted, and a rebuild counts exactly that in the store
(`quotas.ledger.StoreCounts.journal_entries`). So the counter, its rebuild and the store
fallback while Redis is down all say the same, and `usage` (the badge) always shows what
`reserve_journal` will enforce. An entry logged in an earlier week gives nothing back: that
week is over.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from core.clock import Clock
from core.quota import Allowance, Quota
from quotas.degraded import HourlyAllowance, ThrottledLog
from quotas.errors import QuotaExceeded, QuotaKind, QuotaUnavailable
from quotas.ledger import StoreCounts
from quotas.scripts import (
    COMMIT,
    GRANTED,
    LOOK,
    NEED_SEED,
    NOOP,
    REFUND,
    RELEASE,
    RELEASED,
    RESERVE,
    quota_keys,
)
from quotas.unavailable import CHECK_DEADLINE_S, REDIS_DOWN, RedisGate, deadline
from quotas.windows import Window, iso_week_window, month_window

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.commands.core import AsyncScript

    from quotas.policy import Policy, TierPolicy
    from store.table import Table

log = logging.getLogger(__name__)

RESERVATION_TTL_S = 600.0
"""An unsettled reservation stops counting after this long (longer than any turn)."""

KEY_GRACE = timedelta(days=35)
"""A window's keys outlive it this long, so a late settle of its reservations still lands."""


@dataclass(eq=False)
class Reservation:
    """One reserved AI message or journal entry. Settle it exactly once with `commit` /
    `commit_journal` or `refund`; later settles are no-ops."""

    id: str
    user_id: str
    kind: QuotaKind
    window: Window
    degraded: bool = False
    """Granted while Redis was unreachable (see the module doc)."""
    settled: bool = field(default=False, init=False)


class Quotas:
    """The quota service. One per app, sharing the app's Redis client and table."""

    def __init__(
        self,
        redis: Redis,
        policy: Policy,
        table: Table,
        *,
        clock: Clock,
        reservation_ttl_s: float = RESERVATION_TTL_S,
        timeout_s: float = CHECK_DEADLINE_S,
        degraded: HourlyAllowance | None = None,
        gate: RedisGate | None = None,
    ) -> None:
        self.policy = policy
        self._gate = gate or RedisGate()
        self.store = StoreCounts(table)
        self._clock = clock
        self._ttl_ms = int(reservation_ttl_s * 1000)
        self._timeout = timeout_s
        self._reserve = redis.register_script(RESERVE)
        self._commit = redis.register_script(COMMIT)
        self._refund = redis.register_script(REFUND)
        self._release = redis.register_script(RELEASE)
        self._look_script = redis.register_script(LOOK)
        self._degraded = degraded or HourlyAllowance()
        self._warn = ThrottledLog(log)
        self._redis = redis
        # Counters that missed a write while Redis was unreachable (or that a degraded
        # reservation never reached): dropped on the next successful contact, so they are
        # rebuilt from the store, which holds every committed entry and message. Per process,
        # bounded; a counter left stale by a restart favours the user until its window ends.
        # Values: reservations whose settling never reached Redis, dropped from the pending set
        # at the same time (they are in the store already, or were refunded).
        self._stale: dict[tuple[str, str, str], set[str]] = {}

    # --- reserve -----------------------------------------------------------------------------

    async def reserve(self, user_id: str, tier: str) -> Reservation:
        """Reserve one AI message before any model is called.

        Raises `QuotaExceeded("ai_messages", resets_at)` when the month's messages (committed
        plus in flight) reach the tier's limit, `QuotaUnavailable` when Redis is down and the
        degraded allowance is spent, `UnknownTier`. Store errors propagate (fail closed) when
        the store must be read and fails: a counter to rebuild, or the ledger while Redis is
        down. A cancelled call may leave a reservation behind; it expires.
        """
        return await self._reserve_kind("ai_messages", user_id, tier)

    async def reserve_journal(self, user_id: str, tier: str) -> Reservation:
        """Reserve one journal entry before it is written; then `commit_journal` once it is
        stored or `refund` if the write failed. Raises `QuotaExceeded("journal_entries",
        resets_at)`, `UnknownTier`. Never refuses for Redis trouble (fails open)."""
        return await self._reserve_kind("journal_entries", user_id, tier)

    @asynccontextmanager
    async def journal_slot(self, user_id: str, tier: str) -> AsyncIterator[Reservation]:
        """`reserve_journal`, then commit if the body finishes, refund if it raises (or is
        cancelled)."""
        reservation = await self.reserve_journal(user_id, tier)
        try:
            yield reservation
        except BaseException:
            await self.refund(reservation)
            raise
        await self.commit_journal(reservation)

    async def _reserve_kind(self, kind: QuotaKind, user_id: str, tier_name: str) -> Reservation:
        tier = self.policy.tier(tier_name)
        now = self._clock()
        window = _window(kind, now)
        limit = _limit(kind, tier)
        rid = uuid.uuid4().hex
        keys = quota_keys(user_id, kind, window.key)

        def attempt(seed: int) -> Awaitable[list[int]]:
            args = [-1 if limit is None else limit, seed, self._ttl_ms, rid, _keep_ms(window, now)]
            return self._eval(self._reserve, keys, args)

        try:
            await self._refresh_if_stale(user_id, kind, window)
            status, used, pending, expired = await self._seeded(
                attempt, lambda: self._durable_count(kind, user_id, window)
            )
        except REDIS_DOWN as exc:
            # Same id: if the timed-out script did run, settling this reservation settles it.
            return await self._reserve_degraded(rid, kind, user_id, tier, window, now, exc)
        if expired:
            log.warning("reconciled expired reservations", extra={"kind": kind, "count": expired})
        if status != GRANTED:
            raise _exceeded(kind, window, limit or 0, used + pending, now)
        return Reservation(rid, user_id, kind, window)

    async def _reserve_degraded(
        self,
        rid: str,
        kind: QuotaKind,
        user_id: str,
        tier: TierPolicy,
        window: Window,
        now: datetime,
        error: BaseException,
    ) -> Reservation:
        limit = _limit(kind, tier)
        if kind == "journal_entries":
            self._warn.warning("journal quota enforced from the store count only", error)
            if limit is not None:
                try:
                    used = await self.store.journal_entries(user_id, window)
                except Exception:
                    log.warning("journal quota not enforced: store count failed too")
                    used = 0
                if used >= limit:
                    raise _exceeded(kind, window, limit, used, now)
            return Reservation(rid, user_id, kind, window, degraded=True)
        self._warn.warning("AI messages limited to the degraded allowance", error)
        if limit is not None:
            used = await self.store.ai_messages(user_id, window.key)
            if used >= limit:
                raise _exceeded(kind, window, limit, used, now)
        wait_ms = self._degraded.take(user_id, tier.degraded_ai_messages_per_hour)
        if wait_ms is not None:
            raise QuotaUnavailable(wait_ms)
        return Reservation(rid, user_id, kind, window, degraded=True)

    # --- settle ------------------------------------------------------------------------------

    async def commit(
        self, reservation: Reservation, model: str, input_tokens: int, output_tokens: int
    ) -> bool:
        """Count a finished (or stopped-after-output) AI message and record its model and
        tokens in the usage ledger. Returns False, doing nothing, if the reservation was already
        settled (by this or any other process). Shielded: once called it completes even if the
        caller is cancelled. A Redis or store failure is logged, never raised. Raises
        `ValueError` for a journal reservation or negative token counts."""
        if reservation.kind != "ai_messages":
            raise ValueError("commit() settles AI reservations; use commit_journal()")
        if min(input_tokens, output_tokens) < 0:
            raise ValueError("token counts must not be negative")
        if reservation.settled:
            return False
        reservation.settled = True
        return await asyncio.shield(
            self._commit_ai(reservation, model or "unknown", input_tokens, output_tokens)
        )

    async def commit_journal(self, reservation: Reservation) -> bool:
        """Count a journal entry that was stored. Same contract as `commit`."""
        if reservation.kind != "journal_entries":
            raise ValueError("commit_journal() settles journal reservations; use commit()")
        if reservation.settled:
            return False
        reservation.settled = True
        return await asyncio.shield(self._commit_redis(reservation))

    async def refund(self, reservation: Reservation) -> bool:
        """Give the reserved message or entry back (failed before any output; write failed).
        Returns False, doing nothing, if already settled. Shielded; never raises for Redis."""
        if reservation.settled:
            return False
        reservation.settled = True
        if reservation.degraded and reservation.kind == "ai_messages":
            self._degraded.give_back(reservation.user_id)
        return await asyncio.shield(self._refund_redis(reservation))

    async def _commit_ai(
        self, reservation: Reservation, model: str, input_tokens: int, output_tokens: int
    ) -> bool:
        if not await self._commit_redis(reservation):
            return False
        await self.store.record(
            reservation.user_id, reservation.window.key, model, input_tokens, output_tokens
        )
        return True

    async def _commit_redis(self, reservation: Reservation) -> bool:
        """Count the reservation in Redis; False if Redis says it was already settled."""
        r = reservation
        keys = quota_keys(r.user_id, r.kind, r.window.key)
        # A rebuilt AI counter comes from the ledger, which does not hold this message yet; a
        # rebuilt journal counter comes from the store, which already holds this entry.
        includes_this = 1 if r.kind == "journal_entries" else 0
        keep_ms = _keep_ms(r.window, self._clock())

        def attempt(seed: int) -> Awaitable[list[int]]:
            return self._eval(self._commit, keys, [r.id, seed, includes_this, keep_ms])

        if r.degraded:
            # Redis never held this reservation (or may have, if the timed-out script ran):
            # the store is the only exact count, so rebuild from it on the next contact.
            self._mark_stale(r.user_id, r.kind, r.window, r.id)
        try:
            status, _ = await self._seeded(
                attempt, lambda: self._durable_count(r.kind, r.user_id, r.window)
            )
        except REDIS_DOWN as exc:
            self._warn.warning(f"{r.kind} commit counted in the store only", exc)
            self._mark_stale(r.user_id, r.kind, r.window, r.id)
            return True
        return status != NOOP

    async def _refund_redis(self, reservation: Reservation) -> bool:
        r = reservation
        _, pending, settled = quota_keys(r.user_id, r.kind, r.window.key)
        try:
            (status,) = await self._eval(
                self._refund, (pending, settled), [r.id, _keep_ms(r.window, self._clock())]
            )
        except REDIS_DOWN as exc:
            self._warn.warning(f"{r.kind} refund not recorded (the reservation expires)", exc)
            self._mark_stale(r.user_id, r.kind, r.window, r.id)
            return True
        return status != NOOP

    # --- give back ---------------------------------------------------------------------------

    async def release_journal(self, user_id: str, logged_at: datetime) -> bool:
        """Give back the journal entry of a session that has left the journal (undone or
        deleted) if it was logged (`logged_at`, its `createdAt`) in the current ISO week; one
        logged in an earlier week gives nothing back. Call it once per entry, after the entry
        is gone from the store. Returns whether a count was given back (True also when Redis
        could not be reached: the counter is then marked stale and rebuilt from the store,
        which no longer holds the entry, on the next contact). Shielded; never raises for
        Redis."""
        now = self._clock()
        window = iso_week_window(now)
        if iso_week_window(logged_at).key != window.key:
            return False
        return await asyncio.shield(self._release_redis(user_id, window))

    async def _release_redis(self, user_id: str, window: Window) -> bool:
        kind: QuotaKind = "journal_entries"
        used_key, _, _ = quota_keys(user_id, kind, window.key)
        try:
            await self._refresh_if_stale(user_id, kind, window)
            status, _ = await self._eval(self._release, (used_key,), [])
        except REDIS_DOWN as exc:
            self._warn.warning("journal release not recorded; the counter will be rebuilt", exc)
            self._mark_stale(user_id, kind, window, None)
            return True
        return status == RELEASED

    # --- where the user stands -----------------------------------------------------------------

    async def usage(self, user_id: str, tier: str) -> Quota:
        """The DESIGN.md quota object: committed plus in-flight use of the current month and
        ISO week against `tier`'s limits (`limit`/`remaining` None when unlimited). One round
        trip to Redis for both (two on a counter's first use, which is seeded from the store).
        Falls back to the store's counts while Redis is down. Raises `UnknownTier`."""
        policy = self.policy.tier(tier)
        now = self._clock()
        month, week = month_window(now), iso_week_window(now)
        try:
            ai, journal = await self._look(user_id, month, week, now)
        except REDIS_DOWN as exc:
            self._warn.warning("usage read from the store", exc)
            ai, journal = await asyncio.gather(
                self._durable_count("ai_messages", user_id, month),
                self._durable_count("journal_entries", user_id, week),
            )
        return Quota(
            ai_messages=_allowance(policy.ai_limit, ai, month),
            journal_entries=_allowance(policy.journal_limit, journal, week),
        )

    async def _look(
        self, user_id: str, month: Window, week: Window, now: datetime
    ) -> tuple[int, int]:
        """Committed plus in-flight AI messages this month and journal entries this week, in
        one script (`quotas.scripts.LOOK`); a counter that is absent is seeded from the store
        and looked at again."""
        await self._refresh_if_stale(user_id, "ai_messages", month)
        await self._refresh_if_stale(user_id, "journal_entries", week)
        keys = [
            *quota_keys(user_id, "ai_messages", month.key),
            *quota_keys(user_id, "journal_entries", week.key),
        ]
        keep = (_keep_ms(month, now), _keep_ms(week, now))
        seeds = [-1, -1]
        found = await self._eval(self._look_script, keys, [seeds[0], keep[0], seeds[1], keep[1]])
        if NEED_SEED in (found[0], found[4]):
            if found[0] == NEED_SEED:
                seeds[0] = await self._durable_count("ai_messages", user_id, month)
            if found[4] == NEED_SEED:
                seeds[1] = await self._durable_count("journal_entries", user_id, week)
            args = [seeds[0], keep[0], seeds[1], keep[1]]
            found = await self._eval(self._look_script, keys, args)
        return found[1] + found[2], found[5] + found[6]

    async def reconcile(self, user_id: str) -> int:
        """Expire this user's overdue reservations in the current windows now (every script
        also does it lazily); returns how many stopped counting."""
        now = self._clock()
        total = 0
        for kind in ("ai_messages", "journal_entries"):
            _, _, expired = await self._peek(kind, user_id, _window(kind, now))
            total += expired
        return total

    async def _peek(self, kind: QuotaKind, user_id: str, window: Window) -> tuple[int, int, int]:
        keys = quota_keys(user_id, kind, window.key)
        keep_ms = _keep_ms(window, self._clock())
        await self._refresh_if_stale(user_id, kind, window)

        def attempt(seed: int) -> Awaitable[list[int]]:
            return self._eval(self._reserve, keys, [-1, seed, 0, "", keep_ms])

        _, used, pending, expired = await self._seeded(
            attempt, lambda: self._durable_count(kind, user_id, window)
        )
        return used, pending, expired

    # --- plumbing ----------------------------------------------------------------------------

    def _mark_stale(
        self, user_id: str, kind: str, window: Window, reservation_id: str | None
    ) -> None:
        """Remember that a counter missed a write (and, if given, which reservation's settle
        never arrived)."""
        key = (user_id, kind, window.key)
        if key in self._stale or len(self._stale) < MAX_STALE:
            unsettled = self._stale.setdefault(key, set())
            if reservation_id is not None:
                unsettled.add(reservation_id)

    async def _refresh_if_stale(self, user_id: str, kind: str, window: Window) -> None:
        """Drop a counter that missed writes (so the next script rebuilds it from the store)
        and the reservations whose settling never arrived. Raises what Redis raises (callers
        treat it as Redis being down)."""
        key = (user_id, kind, window.key)
        unsettled = self._stale.get(key)
        if unsettled is None:
            return
        used_key, pending_key, _ = quota_keys(user_id, kind, window.key)
        async with (
            self._gate.turn(),
            deadline(self._timeout),
            self._redis.pipeline(transaction=True) as pipe,
        ):
            pipe.delete(used_key)
            if unsettled:
                pipe.zrem(pending_key, *unsettled)
            await pipe.execute()
        self._stale.pop(key, None)

    async def _eval(self, script: AsyncScript, keys: Any, args: list[Any]) -> list[int]:
        async with self._gate.turn(), deadline(self._timeout):
            result = await script(keys=list(keys), args=args)
        return [int(value) for value in result]

    @staticmethod
    async def _seeded(
        attempt: Callable[[int], Awaitable[list[int]]], count: Callable[[], Awaitable[int]]
    ) -> list[int]:
        """Run `attempt` without a seed; if the counter is absent, read the durable count and
        run it again with that seed (the script only uses it if the key is still absent)."""
        result = await attempt(-1)
        if result[0] == NEED_SEED:
            result = await attempt(await count())
        return result

    async def _durable_count(self, kind: QuotaKind, user_id: str, window: Window) -> int:
        if kind == "ai_messages":
            return await self.store.ai_messages(user_id, window.key)
        return await self.store.journal_entries(user_id, window)


MAX_STALE = 100_000
"""Bound on counters remembered as stale after an outage (one small tuple each)."""


def _window(kind: QuotaKind, now: datetime) -> Window:
    return month_window(now) if kind == "ai_messages" else iso_week_window(now)


def _limit(kind: QuotaKind, tier: TierPolicy) -> int | None:
    return tier.ai_limit if kind == "ai_messages" else tier.journal_limit


def _allowance(limit: int | None, used: int, window: Window) -> Allowance:
    remaining = None if limit is None else max(0, limit - used)
    return Allowance(limit=limit, used=used, remaining=remaining, resets_at=window.resets_at)


def _keep_ms(window: Window, now: datetime) -> int:
    """How long a window's keys should live from `now`: to its end plus `KEY_GRACE` (at least
    the grace, for a late settle of a window that has already ended)."""
    left = max(window.resets_at - now, timedelta(0)) + KEY_GRACE
    return int(left.total_seconds() * 1000)


def _exceeded(
    kind: QuotaKind, window: Window, limit: int, used: int, now: datetime
) -> QuotaExceeded:
    return QuotaExceeded(kind, window.resets_at, limit, used, now=now)
