"""Cognito accounts: the user pool owns passwords and tokens; the store keeps the climber.

On sign-up and on every sign-in the climber's `User` record is made to exist under the pool's
`sub`, so a user created in the console or by another client still gets a record.
"""

from __future__ import annotations

import contextlib

from server.accounts import SignUpOutcome, TokenSet
from server.auth.cognito import CognitoAuth, CognitoTokens
from server.auth.verifier import TokenVerifier
from server.erasures import refuse_if_erasing
from store.errors import NotFound
from store.records.user import Preferences, UserIn
from store.repos.errors import UserExists
from store.repos.users import UserRepo
from store.table import Table


def _token_set(tokens: CognitoTokens) -> TokenSet:
    return TokenSet(
        access_token=tokens.access_token,
        id_token=tokens.id_token,
        refresh_token=tokens.refresh_token,
        expires_in=tokens.expires_in,
    )


class CognitoAccounts:
    def __init__(self, table: Table, cognito: CognitoAuth, verifier: TokenVerifier) -> None:
        self._users = UserRepo(table)
        self._cognito = cognito
        self._verifier = verifier

    async def sign_up(
        self, email: str, password: str, name: str, timezone: str | None = None
    ) -> SignUpOutcome:
        result = await self._cognito.sign_up(email, password)
        await self._ensure_user(result.user_id, email, name, timezone)
        return SignUpOutcome(user_id=result.user_id, confirmation_required=not result.confirmed)

    async def sign_in(self, email: str, password: str) -> TokenSet:
        tokens = await self._cognito.sign_in(email, password)
        identity = await self._verifier.verify(tokens.id_token, token_use="id")  # noqa: S106
        await self._ensure_user(identity.user_id, identity.email or email, "")
        return _token_set(tokens)

    async def adopt(self, tokens: CognitoTokens) -> TokenSet:
        """Tokens the pool issued to this app client by another flow (Google/Apple sign-in
        through the hosted UI): the id token verified and the climber's `User` made to exist,
        as on sign-in. Raises `AuthError` for a refused id token."""
        identity = await self._verifier.verify(tokens.id_token, token_use="id")  # noqa: S106
        await self._ensure_user(identity.user_id, identity.email or "", "")
        return _token_set(tokens)

    async def refresh(self, refresh_token: str) -> TokenSet:
        return _token_set(await self._cognito.refresh(refresh_token))

    async def sign_out(self, refresh_token: str) -> None:
        await self._cognito.revoke(refresh_token)

    async def forgot_password(self, email: str) -> None:
        await self._cognito.forgot_password(email)

    async def confirm_password(self, email: str, code: str, new_password: str) -> None:
        await self._cognito.confirm_forgot_password(email, code, new_password)

    async def _ensure_user(
        self, user_id: str, email: str, name: str, timezone: str | None = None
    ) -> None:
        await refuse_if_erasing(self._users.table, user_id)  # never recreate an erased account
        try:
            await self._users.get(user_id)
        except NotFound:
            data = UserIn(email=email, name=name, preferences=Preferences(timezone=timezone))
            # A concurrent sign-in may create it first; either way it exists afterwards.
            with contextlib.suppress(UserExists):
                await self._users.create(user_id, data)
