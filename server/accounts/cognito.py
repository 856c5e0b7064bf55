"""Cognito accounts: the user pool owns passwords and tokens; the store keeps the climber.

On sign-up and on every sign-in the climber's `User` record is made to exist under the pool's
`sub`, so a user created in the console or by another client still gets a record.
"""

from __future__ import annotations

import contextlib

from server.accounts import (
    MFA_MESSAGES,
    Challenge,
    ChallengeName,
    SignUpOutcome,
    TokenSet,
    TotpSecret,
    TotpStatus,
    totp_secret,
)
from server.auth.cognito import CognitoAuth, CognitoChallenge, CognitoTokens
from server.auth.errors import AuthError
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

    async def confirm_sign_up(self, email: str, code: str) -> None:
        await self._cognito.confirm_sign_up(email, code)

    async def resend_code(self, email: str) -> None:
        await self._cognito.resend_confirmation(email)

    async def sign_in(self, email: str, password: str) -> TokenSet | Challenge:
        outcome = await self._cognito.sign_in(email, password)
        if isinstance(outcome, CognitoChallenge):
            return Challenge(
                challenge=outcome.name, session=outcome.session, message=MFA_MESSAGES[outcome.name]
            )
        return await self._signed_in(outcome, email)

    async def answer_challenge(
        self, challenge: ChallengeName, email: str, session: str, code: str
    ) -> TokenSet:
        if challenge == "MFA_SETUP":
            verified = await self._cognito.verify_totp(code, session=session)
            tokens = await self._cognito.complete_mfa_setup(email, verified or session)
        else:
            tokens = await self._cognito.respond_mfa(email, session, code)
        return await self._signed_in(tokens, email)

    async def mfa_setup_key(self, session: str, email: str | None) -> TotpSecret:
        secret, next_session = await self._cognito.associate_totp(session=session)
        return totp_secret(secret, email, session=next_session or session)

    async def totp_status(self, access_token: str) -> TotpStatus:
        return TotpStatus(enabled=await self._cognito.totp_enabled(access_token))

    async def totp_begin(self, access_token: str, email: str | None) -> TotpSecret:
        secret, _ = await self._cognito.associate_totp(access_token=access_token)
        return totp_secret(secret, email)

    async def totp_verify(self, access_token: str, code: str) -> None:
        await self._cognito.verify_totp(code, access_token=access_token)
        await self._cognito.set_totp(access_token, enabled=True)

    async def totp_disable(self, access_token: str) -> None:
        await self._cognito.set_totp(access_token, enabled=False)

    async def _signed_in(self, tokens: CognitoTokens, email: str) -> TokenSet:
        """The climber's `User` exists under the token's `sub` once they are signed in."""
        identity = await self._verifier.verify(tokens.id_token, token_use="id")  # noqa: S106
        await self._ensure_user(identity.user_id, identity.email or email, "")
        return _token_set(tokens)

    async def adopt(self, tokens: CognitoTokens) -> TokenSet:
        """Tokens the pool issued to this app client by another flow (Google/Apple sign-in
        through the hosted UI): the id token verified and the climber's `User` made to exist,
        as on sign-in. Raises `AuthError` for a refused id token."""
        return await self._signed_in(tokens, "")

    async def refresh(self, refresh_token: str) -> TokenSet:
        tokens = await self._cognito.refresh(refresh_token)
        # Until an erasure's AdminUserGlobalSignOut has run (Cognito may have been unreachable),
        # the pool still honours the refresh token: refuse it as after a finished erasure.
        identity = await self._verifier.verify(tokens.access_token)
        try:
            await refuse_if_erasing(self._users.table, identity.user_id)
        except AuthError:
            raise AuthError("invalid_refresh_token") from None
        return _token_set(tokens)

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
