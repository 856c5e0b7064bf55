"""Local accounts: the store holds them, the local issuer signs their tokens.

Secrets live beside the user's other items (`store.repos.secrets`; excluded from exports and
erased with the account): the argon2id hash, one refresh token per signed-in device (revoked by
deleting it), a hashed password-reset code. Refresh tokens are `{user_id}.{random}`, so a
refresh finds its item in one read without an index. There is no mail server on a laptop:
password-reset codes are written to `V7_DATA_DIR/outbox/`, the way a development mail backend
would deliver them.

A reset code is six digits, valid 15 minutes, and the account gets `code_tries` tries at codes
per `tries_window`, counted in the store on the code's item (`SecretRepo.take_reset_try`: spent
before the code is compared, atomically) and kept when a new code replaces it: the durable
bound behind the Redis limits of `server.auth.throttle`, which a Redis flush does not reset.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import uuid
from datetime import timedelta
from pathlib import Path

from pydantic import ValidationError

from core.clock import Clock
from quotas.errors import RateLimited
from server.accounts import ChallengeName, SignUpOutcome, TokenSet, TotpSecret, TotpStatus
from server.auth.errors import AuthError
from server.auth.local_issuer import LocalIssuer
from server.auth.passwords import PasswordHashing, check_password_policy
from store.errors import NotFound, TransactionCancelled
from store.records.common import stamps
from store.records.user import Preferences, User, UserIn
from store.repos.secrets import SecretRepo
from store.repos.users import UserRepo, email_item, profile_item
from store.table import Absent, Put, Table

RESET_CODE_TTL = timedelta(minutes=15)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class LocalAccounts:
    def __init__(
        self,
        table: Table,
        issuer: LocalIssuer,
        passwords: PasswordHashing,
        *,
        data_dir: Path,
        access_ttl_s: int,
        refresh_ttl: timedelta,
        clock: Clock,
        code_tries: int = 5,
        tries_window: timedelta = timedelta(hours=1),
    ) -> None:
        self._table = table
        self._users = UserRepo(table)
        self._secrets = SecretRepo(table)
        self._issuer = issuer
        self._passwords = passwords
        self._outbox = data_dir / "outbox"
        self._access_ttl = access_ttl_s
        self._refresh_ttl = refresh_ttl
        self._clock = clock
        self._code_tries = code_tries
        self._tries_window = tries_window

    async def sign_up(
        self, email: str, password: str, name: str, timezone: str | None = None
    ) -> SignUpOutcome:
        try:
            data = UserIn(email=email, name=name, preferences=Preferences(timezone=timezone))
        except ValidationError:
            raise AuthError("invalid_request", "Enter a valid email address.") from None
        check_password_policy(password, email=data.email)
        user = User.model_validate(
            {
                **data.model_dump(by_alias=True),
                **stamps(User, self._clock()),
                "id": uuid.uuid4().hex,
            }
        )
        password_hash = await self._passwords.hash(password)
        try:
            await self._table.transact(
                [
                    Put(profile_item(user), Absent()),
                    Put(email_item(user.email, user.id), Absent()),
                    self._secrets.new_credentials(user.id, password_hash),
                ]
            )
        except TransactionCancelled:
            raise AuthError("email_taken") from None
        tokens = await self._issue(user)
        return SignUpOutcome(user_id=user.id, confirmation_required=False, tokens=tokens)

    async def ensure_user(self, email: str) -> User:
        """The user with `email`, created without a password if missing (`v7 token`)."""
        existing = await self._users.find_by_email(email)
        if existing is not None:
            return existing
        return await self._users.create(uuid.uuid4().hex, UserIn(email=email))

    async def sign_in(self, email: str, password: str) -> TokenSet:
        user = await self._users.find_by_email(email)
        stored = None
        if user is not None:
            stored = await self._secrets.password_hash(user.id)
        # verify() checks a dummy hash when there is no user, so both failures cost the same.
        if not await self._passwords.verify(stored, password) or user is None:
            raise AuthError("invalid_credentials")
        if stored is not None and self._passwords.needs_rehash(stored):
            await self._secrets.update_password_hash(user.id, await self._passwords.hash(password))
        return await self._issue(user)

    async def refresh(self, refresh_token: str) -> TokenSet:
        user_id, expires = await self._refresh_expiry(refresh_token)
        if expires <= self._clock().timestamp():
            raise AuthError("invalid_refresh_token")
        try:
            user = await self._users.get(user_id)
        except NotFound:
            raise AuthError("invalid_refresh_token") from None
        tokens = self._issuer.issue_tokens(user.id, user.email, self._access_ttl)
        return TokenSet(
            access_token=tokens.access_token, id_token=tokens.id_token, expires_in=tokens.expires_in
        )

    async def sign_out(self, refresh_token: str) -> None:
        """Revoke the refresh token. Signing out twice, or with an unknown token, is a no-op."""
        try:
            user_id, _ = await self._refresh_expiry(refresh_token)
        except AuthError:
            return
        await self._secrets.remove_refresh(user_id, refresh_token)

    async def forgot_password(self, email: str) -> None:
        """Deliver a reset code to the outbox. Says nothing about whether the email exists."""
        user = await self._users.find_by_email(email)
        if user is None:
            return
        code = f"{secrets.randbelow(1_000_000):06d}"
        now = self._clock()
        await self._secrets.put_reset(
            user.id, _sha256(code), now + RESET_CODE_TTL, now=now, tries_window=self._tries_window
        )
        await asyncio.to_thread(
            self._deliver, user.email, f"Your V7 Coach password reset code is {code}.\n"
        )

    async def confirm_password(self, email: str, code: str, new_password: str) -> None:
        """Set `new_password` if `code` is the account's pending reset code, and sign every
        device out. A try is spent before the code is compared, and the code is redeemed once:
        of concurrent confirms with the right code exactly one succeeds. The password policy
        is checked first, against the address given, so a weak password costs no try and says
        nothing about whether the account exists."""
        check_password_policy(new_password, email=email.strip())
        user = await self._users.find_by_email(email)
        if user is None:
            raise AuthError("code_mismatch")
        now = self._clock()
        tried = await self._secrets.take_reset_try(
            user.id, now, max_tries=self._code_tries, tries_window=self._tries_window
        )
        match tried.status:
            case "none":
                raise AuthError("code_mismatch")
            case "expired":
                raise AuthError("code_expired")
            case "spent":
                wait_ms = max(1, (tried.tries_until - int(now.timestamp())) * 1000)
                raise RateLimited("auth.code", wait_ms)
            case "busy":
                raise RateLimited("auth.code", 1000)
        if not hmac.compare_digest(tried.code_hash, _sha256(code.strip())):
            raise AuthError("code_mismatch")
        new_hash = await self._passwords.hash(new_password)
        if not await self._secrets.redeem_reset(user.id, tried.code_hash):
            raise AuthError("code_mismatch")  # a concurrent confirm redeemed it first
        await self._secrets.put_password_hash(user.id, new_hash)
        await self._secrets.remove_all_refresh(user.id)

    # Local sign-up needs no confirmation and local sign-in has no second step: the Cognito-only
    # steps answer 404 `needs_cognito`, so a client can tell "not here" from "wrong code". The
    # status alone answers (off, not available), so a page can ask without meeting an error.

    async def confirm_sign_up(self, email: str, code: str) -> None:
        raise AuthError("needs_cognito")

    async def resend_code(self, email: str) -> None:
        raise AuthError("needs_cognito")

    async def answer_challenge(
        self, challenge: ChallengeName, email: str, session: str, code: str
    ) -> TokenSet:
        raise AuthError("needs_cognito")

    async def mfa_setup_key(self, session: str, email: str | None) -> TotpSecret:
        raise AuthError("needs_cognito")

    async def totp_status(self, access_token: str) -> TotpStatus:
        return TotpStatus(enabled=False, available=False)

    async def totp_begin(self, access_token: str, email: str | None) -> TotpSecret:
        raise AuthError("needs_cognito")

    async def totp_verify(self, access_token: str, code: str) -> None:
        raise AuthError("needs_cognito")

    async def totp_disable(self, access_token: str) -> None:
        raise AuthError("needs_cognito")

    async def _issue(self, user: User) -> TokenSet:
        tokens = self._issuer.issue_tokens(user.id, user.email, self._access_ttl)
        refresh_token = f"{user.id}.{secrets.token_urlsafe(32)}"
        await self._secrets.add_refresh(user.id, refresh_token, self._clock() + self._refresh_ttl)
        return TokenSet(
            access_token=tokens.access_token,
            id_token=tokens.id_token,
            refresh_token=refresh_token,
            expires_in=tokens.expires_in,
        )

    async def _refresh_expiry(self, refresh_token: str) -> tuple[str, int]:
        """The user of a stored `refresh_token` and when it expires (epoch seconds)."""
        user_id, dot, _ = refresh_token.partition(".")
        if not dot or not user_id or "#" in user_id or len(refresh_token) > 512:
            raise AuthError("invalid_refresh_token")
        expires = await self._secrets.refresh_expiry(user_id, refresh_token)
        if expires is None:
            raise AuthError("invalid_refresh_token")
        return user_id, expires

    def _deliver(self, email: str, body: str) -> None:
        self._outbox.mkdir(parents=True, exist_ok=True)
        name = f"{self._clock():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.txt"
        path = self._outbox / name
        path.write_text(f"To: {email}\nSubject: Reset your password\n\n{body}")
        path.chmod(0o600)
