"""The climber's tier limits for the turn logic and the REST routes, over `quotas/`.

`handlers/` only knows the `Allowances` protocol; this adapter feeds it the Redis-backed quota
and rate-limit services created once in the app's lifespan.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import datetime

from core.caller import Caller
from core.quota import Quota
from handlers.session import AiTicket
from quotas import QuotaExceeded, Quotas, RateLimiter, Reservation


@contextmanager
def _told_in_their_zone(caller: Caller) -> Iterator[None]:
    """A quota refusal raised inside names the caller's time zone, so the climber is told when
    their allowance comes back in their own time (`server/errors.py` words it)."""
    try:
        yield
    except QuotaExceeded as refusal:
        refusal.timezone = caller.timezone
        raise


@dataclass(frozen=True)
class RedisAllowances:
    quotas: Quotas
    limiter: RateLimiter

    async def usage(self, caller: Caller) -> Quota:
        return await self.quotas.usage(caller.user_id, caller.tier)

    async def check_write(self, caller: Caller) -> None:
        await self.limiter.hit(caller.user_id, caller.tier, "journal_writes")

    @asynccontextmanager
    async def journal_entry(self, caller: Caller) -> AsyncIterator[None]:
        with _told_in_their_zone(caller):
            async with self.quotas.journal_slot(caller.user_id, caller.tier):
                yield

    async def release_journal(self, caller: Caller, logged_at: datetime) -> None:
        await self.quotas.release_journal(caller.user_id, logged_at)

    async def reserve_ai(self, caller: Caller) -> Reservation:
        await self.limiter.hit(caller.user_id, caller.tier, "ai_messages")
        with _told_in_their_zone(caller):
            return await self.quotas.reserve(caller.user_id, caller.tier)

    async def settle_ai(
        self,
        ticket: AiTicket,
        *,
        delivered: bool,
        model: str,
        input_tokens: int,
        output_tokens: int,
    ) -> None:
        if not isinstance(ticket, Reservation):
            raise TypeError("not a reservation of this service")
        if delivered:
            await self.quotas.commit(ticket, model, input_tokens, output_tokens)
        else:
            await self.quotas.refund(ticket)

    async def check_rest_call(self, caller: Caller) -> None:
        await self.limiter.hit(caller.user_id, caller.tier, "rest_calls")

    async def check_api_call(self, caller: Caller) -> None:
        """One REST call made with a personal API token: the `api_calls` bucket, per user
        (every token of theirs shares it), instead of `rest_calls`."""
        await self.limiter.hit(caller.user_id, caller.tier, "api_calls")
