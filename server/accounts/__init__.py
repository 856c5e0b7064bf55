"""Account operations behind `/auth/*`, one interface for both modes.

`LocalAccounts` keeps accounts in the store (argon2id hashes, revocable refresh tokens) and mints
tokens with the local issuer; `CognitoAccounts` delegates to a Cognito user pool. Either way the
climber's `User` record in the store is created on sign-up (or on first sign-in) with the id of
the token's `sub`, so the rest of the app never cares which mode it runs in.
"""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class TokenSet(BaseModel):
    """What a successful sign-in or refresh returns (camelCase on the wire)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)

    access_token: str
    id_token: str
    refresh_token: str | None = None
    expires_in: int
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret


class SignUpOutcome(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)

    user_id: str
    confirmation_required: bool
    tokens: TokenSet | None = None


class Accounts(Protocol):
    """Every method raises `AuthError` with a message safe to show; none reveals whether an
    email is registered except sign-up (which must say the address is taken)."""

    async def sign_up(
        self, email: str, password: str, name: str, timezone: str | None = None
    ) -> SignUpOutcome:
        """Create the account and the climber's `User`, in `timezone` (an IANA name already
        validated; None leaves it unset)."""

    async def sign_in(self, email: str, password: str) -> TokenSet: ...

    async def refresh(self, refresh_token: str) -> TokenSet: ...

    async def sign_out(self, refresh_token: str) -> None: ...

    async def forgot_password(self, email: str) -> None: ...

    async def confirm_password(self, email: str, code: str, new_password: str) -> None: ...
