"""`/users/tokens`: the climber's personal API tokens (`server/api_tokens.py`).

Creating one needs a tier with API access (403 `tier_required` otherwise); listing and revoking
work on every tier, so a climber who downgraded can still see and revoke what they made. These
endpoints take only a signed-in access token, never an API token. The token is in the answer
to its creation and nowhere else, ever.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from quotas.features import api_access_offer, api_access_tier, has_api_access, require_api_access
from server.api import Call, Endpoint
from server.api_tokens import SHOWN_CHARS, digest_of, new_token
from server.errors import ApiError
from server.routes.pages import CamelModel
from store.records.text import visible
from store.repos.api_tokens import ApiTokenRepo, TokenRecord

MAX_TOKENS = 20
"""Tokens one climber may hold at once: enough for every script, few enough to review."""

Scope = Literal["read", "write"]


class NewToken(CamelModel):
    """A token to create: a name to recognise it by, its scopes, and optionally how many days
    it lasts (none: until revoked)."""

    name: Annotated[str, Field(min_length=1, max_length=60)]
    scopes: Annotated[
        list[Scope],
        Field(
            min_length=1,
            max_length=2,
            description='["read"]: GET only; ["read", "write"]: every method',
        ),
    ] = Field(default_factory=lambda: list[Scope](["read"]))
    expires_in_days: Annotated[int | None, Field(ge=1, le=366)] = None

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        shown = visible(value).strip()
        if not shown:
            raise ValueError("give the token a name, e.g. the script that will use it")
        return shown

    @field_validator("scopes")
    @classmethod
    def _scopes(cls, value: list[Scope]) -> list[Scope]:
        # Writing implies reading: a token that may add a session may also read it back.
        return ["read", "write"] if "write" in value else ["read"]


class ApiToken(CamelModel):
    """A token as its owner lists it: never the token itself, only its first characters."""

    id: str
    name: str
    prefix: str = Field(description="the token's first characters, to tell tokens apart")
    scopes: list[Scope]
    created_at: datetime
    last_used_at: datetime | None = Field(default=None, description="updated at most once a minute")
    expires_at: datetime | None = None


class CreatedToken(ApiToken):
    """201 to a creation: the token, shown this once (store it now; only its hash is kept)."""

    token: str = Field(description="send as `Authorization: Bearer …`; shown only once")


class TokenList(CamelModel):
    """The climber's tokens, and whether their tier lets them create and use tokens now."""

    tokens: list[ApiToken]
    api_access: bool = Field(description="the climber's tier includes API access now")
    api_access_tier: str | None = Field(description="the first tier with API access")
    offer: str = Field(description="what API access adds, to show a climber without it")


def _shown(record: TokenRecord) -> dict[str, Any]:
    return {
        "id": record.token_id,
        "name": record.name,
        "prefix": record.prefix,
        "scopes": list(record.scopes),
        "created_at": record.created_at,
        "last_used_at": record.last_used_at,
        "expires_at": record.expires_at,
    }


async def create_token(call: Call[NewToken]) -> CreatedToken:
    body: NewToken = call.body
    services = call.services
    require_api_access(services.policy, call.user.tier)
    repo = ApiTokenRepo(services.table)
    if len(await repo.list(call.user.user_id)) >= MAX_TOKENS:
        raise ApiError(
            409, "conflict", f"You have {MAX_TOKENS} API tokens already; revoke one first"
        )
    now = services.clock()
    token = new_token()
    days = body.expires_in_days
    record = await repo.create(
        call.user.user_id,
        token_id=uuid.uuid4().hex,
        digest=digest_of(token),
        name=body.name,
        prefix=token[:SHOWN_CHARS],
        scopes=tuple(body.scopes),
        now=now,
        expires_at=now + timedelta(days=days) if days else None,
    )
    return CreatedToken.model_validate({**_shown(record), "token": token})


async def list_tokens(call: Call[Any]) -> TokenList:
    policy = call.services.policy
    records = await ApiTokenRepo(call.services.table).list(call.user.user_id)
    return TokenList(
        tokens=[ApiToken.model_validate(_shown(record)) for record in records],
        api_access=has_api_access(policy, call.user.tier),
        api_access_tier=api_access_tier(policy),
        offer=api_access_offer(policy),
    )


async def revoke_token(call: Call[Any]) -> None:
    await ApiTokenRepo(call.services.table).revoke(call.user.user_id, call.path("token_id"))


endpoints = [
    Endpoint("GET", "/users/tokens", list_tokens,
             "Your personal API tokens (name, first characters, scopes, last use; never the "
             "token), and whether your tier includes API access. Any tier; sign-in only",
             response=TokenList, tags=("tokens",)),
    Endpoint("POST", "/users/tokens", create_token,
             "Create a personal API token (Premium); the answer shows it once. Sign-in only: "
             "an API token cannot create another (403)",
             body=NewToken, response=CreatedToken, status=201, tags=("tokens",),
             errors=(403, 409)),
    Endpoint("DELETE", "/users/tokens/{token_id}", revoke_token,
             "Revoke a token: refused at once on every server. Any tier; sign-in only",
             tags=("tokens",)),
]  # fmt: skip
