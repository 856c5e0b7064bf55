"""The limits of `/auth/*` (numbers in `server.auth.limits`), checked before any work is done.

Each flow is an async context manager around the account operation::

    async with throttle.sign_in(email, client):
        tokens = await accounts.sign_in(email, password)

Entering it first sheds the flows that hash a password while the argon2 queue is full (`room`,
the hasher's `check_room`; nothing is counted then), then counts the request against the client
address and the account, and raises `RateLimited` (429, `Retry-After`) when either is over its
limit; no password is hashed and no store read happens for a refused request.

Leaving it settles a lockout: an attempt that raised one of the flow's failure codes (a wrong
password, a wrong or expired code) stays counted and may lock the account; any other outcome
(success, a weak new password, a busy server) is given back. A successful sign-in does not
forgive earlier failures: they age out with their window, so an owner signing in does not hand
a guesser a fresh budget. A successful password reset (`forgive`) does: it proves the mailbox
and replaces the password the guesses were aimed at.

While Redis is slow or unreachable (`quotas.unavailable.REDIS_DOWN`, or the whole check over
`CHECK_DEADLINE_S`): sign-in, sign-up, resending a code, forgot-password and refresh fail OPEN
to the same limits counted in this process alone (`LocalCounters`); a try at a code (reset,
sign-up confirmation, authenticator) fails CLOSED (503, reason `unavailable`), because a guessed
code takes the account (or the address) over while a guessed password is still slowed by
argon2 and the per-process limits.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from quotas.degraded import ThrottledLog
from quotas.errors import RateLimited
from quotas.unavailable import CHECK_DEADLINE_S, REDIS_DOWN, RedisGate, deadline
from server.auth.counters import LocalCounters, LockoutOp, RedisCounters
from server.auth.errors import AuthError
from store.records.user import normalise_email

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from server.auth.limits import AuthLimits, Lockout, Rate

log = logging.getLogger(__name__)

SIGN_IN_FAILURES = frozenset({"invalid_credentials"})
CODE_FAILURES = frozenset({"code_mismatch", "code_expired"})


def client_subject(host: str | None) -> str:
    """The subject a client address is counted under: an IPv4 address, or an IPv6 address's
    /64 (one subscriber's usual allocation, so rotating through it gains nothing)."""
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:
        return f"ip:{host or 'unknown'}"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return f"ip:{address.ipv4_mapped}"
        return f"ip:{ipaddress.IPv6Network((address, 64), strict=False)}"
    return f"ip:{address}"


def email_subject(email: str) -> str:
    """The subject an account is counted under, whether or not an account has the address."""
    try:
        address = normalise_email(email)
    except ValueError:
        address = email.strip().lower()
    return "em:" + hashlib.sha256(address.encode()).hexdigest()[:32]


def token_subject(refresh_token: str) -> str:
    return "rt:" + hashlib.sha256(refresh_token.encode()).hexdigest()[:32]


class AuthThrottle:
    """Every `/auth/*` limit over the app's Redis client (its 100 ms command timeout holds)."""

    def __init__(
        self,
        redis: Redis,
        limits: AuthLimits,
        *,
        local: LocalCounters | None = None,
        room: Callable[[], None] | None = None,
        timeout_s: float = CHECK_DEADLINE_S,
        gate: RedisGate | None = None,
    ) -> None:
        """`room` raises `RateLimited` when a password hash asked for now would be shed (local
        accounts: `PasswordHashing.check_room`; None when passwords are hashed elsewhere)."""
        self.limits = limits
        self._room = room or (lambda: None)
        self._redis = RedisCounters(redis)
        self._local = local or LocalCounters()
        self._timeout = timeout_s
        self._gate = gate or RedisGate()
        self._warn = ThrottledLog(log)

    @asynccontextmanager
    async def sign_in(self, email: str, client: str | None) -> AsyncIterator[None]:
        self._room()
        await self._rate("sign_in", client_subject(client), self.limits.sign_in_per_ip)
        subject = email_subject(email)
        async with self._lockout(
            "sign_in", subject, self.limits.sign_in_failures, SIGN_IN_FAILURES
        ):
            yield

    @asynccontextmanager
    async def sign_up(self, email: str, client: str | None) -> AsyncIterator[None]:
        self._room()
        await self._rate("sign_up", client_subject(client), self.limits.sign_up_per_ip)
        await self._rate("sign_up", email_subject(email), self.limits.sign_up_per_email)
        yield

    @asynccontextmanager
    async def forgot_password(self, email: str, client: str | None) -> AsyncIterator[None]:
        await self._rate("reset_code", client_subject(client), self.limits.reset_codes_per_ip)
        await self._rate("reset_code", email_subject(email), self.limits.reset_codes_per_email)
        yield

    @asynccontextmanager
    async def confirm_password(self, email: str, client: str | None) -> AsyncIterator[None]:
        self._room()
        limits = self.limits
        closed = "Password reset"
        await self._rate("code", client_subject(client), limits.code_tries_per_ip, closed)
        subject = email_subject(email)
        async with self._lockout("code", subject, limits.code_tries, CODE_FAILURES, closed):
            yield

    @asynccontextmanager
    async def confirm_sign_up(self, email: str, client: str | None) -> AsyncIterator[None]:
        limits, closed = self.limits, "Confirming an account"
        await self._rate("confirm", client_subject(client), limits.confirm_tries_per_ip, closed)
        subject = email_subject(email)
        async with self._lockout("confirm", subject, limits.confirm_tries, CODE_FAILURES, closed):
            yield

    @asynccontextmanager
    async def resend_code(self, email: str, client: str | None) -> AsyncIterator[None]:
        await self._rate("confirm_code", client_subject(client), self.limits.confirm_codes_per_ip)
        await self._rate("confirm_code", email_subject(email), self.limits.confirm_codes_per_email)
        yield

    @asynccontextmanager
    async def mfa(self, email: str, client: str | None) -> AsyncIterator[None]:
        limits, closed = self.limits, "Two-step sign-in"
        await self._rate("mfa", client_subject(client), limits.mfa_tries_per_ip, closed)
        subject = email_subject(email)
        async with self._lockout("mfa", subject, limits.mfa_tries, CODE_FAILURES, closed):
            yield

    @asynccontextmanager
    async def mfa_setup(self, client: str | None) -> AsyncIterator[None]:
        """Asking for an MFA_SETUP key: counted with the address's tries at codes."""
        await self._rate(
            "mfa", client_subject(client), self.limits.mfa_tries_per_ip, "Two-step sign-in"
        )
        yield

    @asynccontextmanager
    async def refresh(self, refresh_token: str, client: str | None) -> AsyncIterator[None]:
        await self._rate("refresh", client_subject(client), self.limits.refresh_per_ip)
        await self._rate("refresh", token_subject(refresh_token), self.limits.refresh_per_token)
        yield

    @asynccontextmanager
    async def oauth(self, client: str | None) -> AsyncIterator[None]:
        """A step of Google/Apple sign-in (its start and its code exchange), counted against the
        address's sign-in rate: no password is involved, the provider locks its own accounts."""
        await self._rate("oauth", client_subject(client), self.limits.sign_in_per_ip)
        yield

    async def forgive(self, email: str) -> None:
        """Forget the account's failed sign-ins and code tries, and its locks (after a
        successful password reset). Never raises for Redis trouble."""
        subject = email_subject(email)
        for rule, limit in (
            ("sign_in", self.limits.sign_in_failures),
            ("code", self.limits.code_tries),
        ):
            await self._settle("clear", subject, rule, limit)
            self._local.lockout("clear", subject, rule, limit)  # what an outage counted here

    async def _rate(self, rule: str, subject: str, limit: Rate, closed: str | None = None) -> None:
        retry_ms = await self._count(
            lambda: self._redis.rate(subject, rule, limit),
            lambda: self._local.rate(subject, rule, limit),
            closed=closed,
        )
        if retry_ms:
            raise RateLimited(f"auth.{rule}", retry_ms)

    @asynccontextmanager
    async def _lockout(
        self,
        rule: str,
        subject: str,
        limit: Lockout,
        failures: frozenset[str],
        closed: str | None = None,
    ) -> AsyncIterator[None]:
        retry_ms = await self._count(
            lambda: self._redis.lockout("take", subject, rule, limit),
            lambda: self._local.lockout("take", subject, rule, limit),
            closed=closed,
        )
        if retry_ms:
            raise RateLimited(f"auth.{rule}", retry_ms)
        try:
            yield
        except AuthError as error:
            op: LockoutOp = "fail" if error.code in failures else "back"
            await asyncio.shield(self._settle(op, subject, rule, limit))
            raise
        except BaseException:
            await asyncio.shield(self._settle("back", subject, rule, limit))
            raise
        await asyncio.shield(self._settle("back", subject, rule, limit))

    async def _settle(self, op: LockoutOp, subject: str, rule: str, limit: Lockout) -> None:
        """Record the outcome of a counted attempt; best effort: the counts are a bound, and a
        lost `back` only costs the owner one attempt until the window ends."""
        await self._count(
            lambda: self._redis.lockout(op, subject, rule, limit),
            lambda: self._local.lockout(op, subject, rule, limit),
            closed=None,
        )

    async def _count(
        self,
        remote: Callable[[], Awaitable[int]],
        local: Callable[[], int],
        *,
        closed: str | None,
    ) -> int:
        """Count with Redis, or in this process while Redis is down; `closed` names the step
        that is refused instead ("Password reset" is briefly unavailable)."""
        try:
            async with self._gate.turn(), deadline(self._timeout):
                return await remote()
        except REDIS_DOWN as exc:
            if closed:
                self._warn.warning("code tries refused (fail closed)", exc)
                raise AuthError(
                    "unavailable", f"{closed} is briefly unavailable; try again shortly."
                ) from None
            self._warn.warning("auth limits counted per process (fail open)", exc)
            return local()
