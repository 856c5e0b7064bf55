"""`/users/profile` and `/users/export`: the account itself, its export and its erasure.

Erasure (`DELETE /users/profile`) removes every item of the user, the email reservation and the
stored secrets (password hash, refresh tokens), and every Redis key of the user (quota and
rate-limit counters, buffered replies, socket leases: `server.erasure`); every token of the
user is refused from then on because authentication requires the user record (401), and the
user's open sockets are closed with 4001 "account deleted" on every server process.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field

from core.quota import Quota
from quotas.unavailable import REDIS_DOWN
from server.api import Call, Endpoint
from server.erasure import erase_keys
from server.errors import ApiError
from server.freshness import ACCOUNT_DELETED
from server.routes.pages import CamelModel, Update, expected_version, input_of
from store.records.athlete import AthleteProfile, Goal, Injury
from store.records.chat import ChatMessage
from store.records.journal import JournalEntry
from store.records.nutrition import NutritionLog, NutritionProfile
from store.records.sends import BenchmarkSend
from store.records.training import TrainingPlan
from store.records.usage import UsageLedger
from store.records.user import User, UserIn
from store.repos.account import AccountRepo
from store.repos.errors import EmailTaken
from store.repos.secrets import PREFIX as SECRET_PREFIX
from store.repos.undo import PREFIX as UNDO_PREFIX

# Sort-key prefixes of items that must never leave the server, even to their owner: secrets
# (store/repos/secrets.py) and undo snapshots (store/repos/undo.py, internal bookkeeping).
PRIVATE_PREFIXES = (SECRET_PREFIX, UNDO_PREFIX)
ERASE_RETRY_S = 5
"""`Retry-After` of an erasure refused because Redis cannot be reached."""

log = logging.getLogger("v7.erasure")


class UserProfileUpdate(UserIn, Update):
    """Email, name and preferences, plus the `version` they replace. The subscription is not
    here: only billing or an operator changes it."""


class Export(CamelModel):
    """Everything the user has, grouped by kind; dated kinds in date order."""

    model_config = ConfigDict(extra="allow")  # a kind added later is exported, not refused

    exported_at: datetime
    user: User | None = None
    athlete_profile: AthleteProfile | None = None
    goals: list[Goal] = Field(default_factory=list)
    injuries: list[Injury] = Field(default_factory=list)
    journal_entries: list[JournalEntry] = Field(default_factory=list)
    sends: list[BenchmarkSend] = Field(default_factory=list)
    training_plans: list[TrainingPlan] = Field(default_factory=list)
    nutrition_profile: NutritionProfile | None = None
    nutrition_logs: list[NutritionLog] = Field(default_factory=list)
    chat: list[ChatMessage] = Field(default_factory=list)
    usage: list[UsageLedger] = Field(default_factory=list)
    other: list[dict[str, Any]] = Field(
        default_factory=list, description="items of kinds this version does not name, as stored"
    )


class UserWithUsage(User):
    """The account, and where the user stands against their tier's limits right now (the same
    object as the chat's `quota`; `limit` null when unlimited)."""

    usage: Quota


async def with_usage(call: Call[Any], user: User) -> UserWithUsage:
    usage = await call.services.allowances.usage(call.user)
    return UserWithUsage.model_validate({**user.model_dump(), "usage": usage})


async def get_profile(call: Call[Any]) -> UserWithUsage:
    return await with_usage(call, await call.services.users.get(call.user.user_id))


async def put_profile(call: Call[UserProfileUpdate]) -> UserWithUsage:
    body: UserProfileUpdate = call.body
    version = expected_version(body)
    try:
        user = await call.services.users.update(
            call.user.user_id, input_of(body, UserIn), expected_version=version
        )
        return await with_usage(call, user)
    except EmailTaken:
        raise ApiError(409, "conflict", "That email address is already in use") from None


async def delete_profile(call: Call[Any]) -> None:
    """Erase the account. Redis first: if it cannot be reached nothing is erased and the
    climber is asked to try again (503), while their token still works for that retry."""
    services = call.services
    user_id = call.user.user_id
    # Open sockets of the user, on every process, would otherwise keep writing into the erased
    # account until their token expires.
    services.hub.control(user_id, ACCOUNT_DELETED, {})
    try:
        await erase_keys(services.redis, user_id)
    except REDIS_DOWN:
        raise ApiError(
            503,
            "internal",
            "The account could not be erased just now; nothing was removed. Try again shortly",
            headers={"Retry-After": str(ERASE_RETRY_S)},
        ) from None
    await AccountRepo(services.table).delete_all(user_id)
    # Again, for what a turn of the user wrote while its socket was closing (a settled quota).
    try:
        await erase_keys(services.redis, user_id)
    except REDIS_DOWN:
        log.warning("erasure: second sweep of the user's redis keys failed", exc_info=True)


async def export(call: Call[Any]) -> Export:
    data = await AccountRepo(call.services.table).export(call.user.user_id)
    # AccountRepo.export leaves secrets and undo records out; they are filtered again here
    # because an export is handed over as it is, so a regression there must not leak one.
    other = [
        item
        for item in data.pop("other", [])
        if not str(item.get("sk", "")).startswith(PRIVATE_PREFIXES)
    ]
    return Export.model_validate({**data, "other": other, "exportedAt": call.services.clock()})


endpoints = [
    Endpoint("GET", "/users/profile", get_profile,
             "The account: email, name, subscription, preferences, and usage against limits",
             response=UserWithUsage, tags=("users",)),
    Endpoint("PUT", "/users/profile", put_profile,
             "Replace email, name and preferences; the body carries them plus `version` as last "
             "read (stale → 409, nothing changes; missing → 428; a taken email → 409)",
             body=UserProfileUpdate, response=UserWithUsage, tags=("users",), errors=(409, 428)),
    Endpoint("DELETE", "/users/profile", delete_profile,
             "Erase the account and everything in it; its tokens stop working (401)",
             tags=("users",)),
    Endpoint("GET", "/users/export", export, "Everything the account holds, as JSON",
             response=Export, tags=("users",)),
]  # fmt: skip
