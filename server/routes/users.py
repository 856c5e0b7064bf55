"""`/users/profile` and `/users/export`: the account itself, its export and its erasure.

Erasure (`DELETE /users/profile`, `server.erasures`) writes a tombstone, then removes every
Redis key of the user (`server.erasure`), every item of the user, the email reservation and the
stored secrets, and in Cognito mode the pool's user (signed out everywhere, then deleted). Every
token of the user is refused from the tombstone on (401), and the user's open sockets are closed
with 4001 "account deleted" on every server process. 204 when every step finished; 202 when
Redis or Cognito could not be reached: the tombstone makes the server finish it later.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field
from starlette.responses import JSONResponse, Response

from core.quota import Quota
from quotas.features import email_reports_tier, has_email_reports
from server.api import Call, Endpoint
from server.erasures import Eraser
from server.errors import ApiError
from server.export_csv import csv_zip
from server.freshness import ACCOUNT_DELETED
from server.routes.media import MediaItem, media_item
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
from store.repos.media import PREFIX as MEDIA_PREFIX
from store.repos.media import USAGE_SK as MEDIA_USAGE
from store.repos.secrets import PREFIX as SECRET_PREFIX
from store.repos.undo import PREFIX as UNDO_PREFIX

# Sort-key prefixes of items that must never leave the server, even to their owner: secrets
# (store/repos/secrets.py) and undo snapshots (store/repos/undo.py, internal bookkeeping).
PRIVATE_PREFIXES = (SECRET_PREFIX, UNDO_PREFIX)


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
    media: list[MediaItem] = Field(
        default_factory=list,
        description="photos and videos, each with its entry and a fresh short-lived link",
    )
    other: list[dict[str, Any]] = Field(
        default_factory=list, description="items of kinds this version does not name, as stored"
    )


class Features(CamelModel):
    """What the climber's tier includes right now beyond its quotas, as `quotas/features.py`
    decides, so a client shows or greys out a setting without knowing the tiers itself."""

    email_reports: bool = Field(
        description="the weekly email report is sent when `preferences.emailReports` is on"
    )
    email_reports_tier: str | None = Field(
        description="the first tier that includes the weekly report (null: none does)"
    )


class UserWithUsage(User):
    """The account, where the user stands against their tier's limits right now (the same
    object as the chat's `quota`; `limit` null when unlimited), and what their tier includes."""

    usage: Quota
    features: Features


async def with_usage(call: Call[Any], user: User) -> UserWithUsage:
    usage = await call.services.allowances.usage(call.user)
    policy = call.services.policy
    features = Features(
        email_reports=has_email_reports(policy, call.user.tier),
        email_reports_tier=email_reports_tier(policy),
    )
    return UserWithUsage.model_validate({**user.model_dump(), "usage": usage, "features": features})


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


class ErasurePending(CamelModel):
    """202 to `DELETE /users/profile`: the erasure has begun and will finish on its own."""

    status: str = "pending"
    message: str = (
        "Your account is being erased; it can no longer be used, and the rest finishes "
        "within a few minutes. Nothing more to do."
    )


async def delete_profile(call: Call[Any]) -> Response | None:
    """Erase the account (`server.erasures`): the tombstone first, then every step. 204 when
    all finished; 202 when a step could not (Redis or Cognito unreachable): the account is
    already refused everywhere and the retry job finishes the rest."""
    services = call.services
    user_id = call.user.user_id
    eraser = Eraser(
        services.table, services.redis, services.auth.admin, services.clock, services.media.store
    )
    tombstone = await eraser.begin(user_id, call.user.email or "")
    # Open sockets of the user, on every process, would otherwise keep writing into the erased
    # account until their token expires (a process that misses this message refuses the
    # socket's next frame anyway: the account reads as gone from the tombstone on).
    services.hub.control(user_id, ACCOUNT_DELETED, {})
    if await eraser.run(tombstone):
        return None
    return JSONResponse(ErasurePending().model_dump(by_alias=True), status_code=202)


class ExportQuery(CamelModel):
    format: Literal["json", "csv"] = Field(
        default="json",
        description="`json` (everything; what `POST /users/import` reads back) or `csv` (a zip "
        "of sessions, sends, goals, injuries, meals and plans as CSV files)",
    )


async def export(call: Call[ExportQuery]) -> Export | Response:
    data = await AccountRepo(call.services.table).export(call.user.user_id)
    if call.query is not None and call.query.format == "csv":
        day = call.services.clock().date().isoformat()
        return Response(
            csv_zip(data),
            media_type="application/zip",
            headers={"Content-Disposition": f'attachment; filename="v7-export-{day}.zip"'},
        )
    # AccountRepo.export leaves secrets and undo records out; they are filtered again here
    # because an export is handed over as it is, so a regression there must not leak one.
    other = [
        item
        for item in data.pop("other", [])
        if not str(item.get("sk", "")).startswith(PRIVATE_PREFIXES)
        # Media items are exported below, each with a fresh link; the counters are bookkeeping.
        and not str(item.get("sk", "")).startswith((MEDIA_PREFIX, MEDIA_USAGE))
    ]
    media = [media_item(shown) for shown in await call.services.media.everything(call.user.user_id)]
    return Export.model_validate(
        {**data, "other": other, "media": media, "exportedAt": call.services.clock()}
    )


endpoints = [
    Endpoint("GET", "/users/profile", get_profile,
             "The account: email, name, subscription, preferences, and usage against limits",
             response=UserWithUsage, tags=("users",)),
    Endpoint("PUT", "/users/profile", put_profile,
             "Replace email, name and preferences; the body carries them plus `version` as last "
             "read (stale → 409, nothing changes; missing → 428; a taken email → 409)",
             body=UserProfileUpdate, response=UserWithUsage, tags=("users",), errors=(409, 428)),
    Endpoint("DELETE", "/users/profile", delete_profile,
             "Erase the account and everything in it, the Cognito user included; its tokens "
             "stop working at once (401). 204: all erased; 202 (`status`: `pending`): a part "
             "could not be reached, the server finishes it on its own",
             tags=("users",)),
    Endpoint("GET", "/users/export", export,
             "Everything the account holds, as JSON (`?format=csv`: a zip of CSV files)",
             query=ExportQuery, response=Export, tags=("users",)),
]  # fmt: skip
