"""Tier policy, per-user rate limits and monthly/weekly quotas in Redis; the usage ledger.

Public API (everything the server needs; no socket code lives here, and no Redis is opened
here: the services work over the client they are given)::

    from quotas import (Quotas, RateLimiter, Reservation, load_policy,
                        QuotaExceeded, RateLimited, QuotaUnavailable, Refused)

    # Lifespan: one Redis client and one of each service for the app's life. The server opens
    # the client by URL (`server.redis_url.open_redis`: the embedded redis-server or a remote).
    policy = load_policy()                       # quotas/tiers.toml; PolicyError names the field
    async with open_redis(settings.redis_url, settings.data_dir) as redis:
        quotas = Quotas(redis, policy, table)    # table: the app's store.table.Table
        limiter = RateLimiter(redis, policy)

    # Coaching turn (handlers/):
    await limiter.hit(user_id, tier, "ai_messages")  # RateLimited(retry_after_ms)
    reservation = await quotas.reserve(user_id, tier)  # QuotaExceeded / QuotaUnavailable
    ...stream...
    await quotas.commit(reservation, model, input_tokens, output_tokens)  # finished, or
    #   stopped/disconnected after output; writes the usage ledger
    await quotas.refund(reservation)             # failed before any output
    # (exactly one of them; a second settle is a no-op returning False; both are shielded
    #  from cancellation, never raise for Redis or store trouble; a reservation never settled
    #  expires after 10 minutes and stops counting.)

    # Journal write (a slash command or POST /journal/entries):
    await limiter.hit(user_id, tier, "journal_writes")
    async with quotas.journal_slot(user_id, tier):   # QuotaExceeded("journal_entries", …)
        await journal_repo.create(user_id, entry)    # commit on success, refund if it raises
    # or explicitly: slot = await quotas.reserve_journal(...); commit_journal(slot) / refund(slot)
    # An entry undone or deleted, once it is gone from the store (gives its count back only if
    # it was logged this ISO week; never raises for Redis):
    await quotas.release_journal(user_id, entry.created_at)

    # REST middleware: await limiter.hit(user_id, tier, "rest_calls")

    # ready / saved / stream.end frames and GET /users/profile:
    quota = await quotas.usage(user_id, tier)    # handlers.frames.Quota (the DESIGN.md object)

    # Tier features: ask quotas.features (plans, media, email reports, analytics), which raise
    # core.errors.TierRequired; the raw values are policy.tier(tier).plan_generation,
    # .media_storage_gb, .email_reports, .api_access, .analytics ("basic"|"advanced"), .model
    # and .quick_model ("default" or a model URL).

Mapping refusals to answers: every `Refused` has `.code` (a DESIGN.md error code),
`.retry_after_ms` and `.retry_after_s` (the 429's `Retry-After`):

    QuotaExceeded     code "quota_exceeded"    + .kind, .resets_at (UTC), .limit, .used
    RateLimited       code "rate_limited"      + .limit (the limit's name)
    QuotaUnavailable  code "model_unavailable" (Redis down and the degraded allowance spent)

`UnknownTier` (a KeyError) for a tier the policy lacks; `PolicyError` for a bad tiers.toml.

Behaviour while Redis is slow or down (the app's client times each Redis command out after
100 ms; a check is bounded by 250 ms in all, `quotas.unavailable.CHECK_DEADLINE_S`; both count
Redis's time only, not a late event loop or a busy pool: `quotas.unavailable.deadline`): rate
limits fail open; journal entries fail open but are still capped by the week's entry count in
the store; AI messages get `degraded_ai_messages_per_hour` (per user, per process; tiers.toml)
as long as the ledger shows the monthly quota not used up, then `QuotaUnavailable`. Everything
returns to normal by itself when Redis answers again. If Redis loses its data, counters are
rebuilt lazily from the store (see `quotas.scripts`).

Tier changes need nothing here: counters are per user, the tier passed in picks the limit.

Erasing an account: `user_key_prefixes(user_id)` is what every Redis key of the user's rate
limits and quotas begins with (`quotas.scripts` has the layout).
"""

from __future__ import annotations

from quotas.errors import (
    PolicyError,
    QuotaError,
    QuotaExceeded,
    QuotaUnavailable,
    RateLimited,
    Refused,
    UnknownTier,
)
from quotas.limiter import Decision, RateLimiter
from quotas.policy import Policy, TierPolicy, load_policy
from quotas.quota import Quotas, Reservation
from quotas.scripts import user_key_prefixes

__all__ = [
    "Decision",
    "Policy",
    "PolicyError",
    "QuotaError",
    "QuotaExceeded",
    "QuotaUnavailable",
    "Quotas",
    "RateLimited",
    "RateLimiter",
    "Refused",
    "Reservation",
    "TierPolicy",
    "UnknownTier",
    "load_policy",
    "user_key_prefixes",
]
