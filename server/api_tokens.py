"""Personal API tokens (Premium's API access): minting one, and turning one presented as
`Authorization: Bearer v7_pat_…` on a REST call into a `Caller`.

The token is `v7_pat_` followed by 32 random bytes (base64url, 43 characters): the prefix lets
secret scanners recognise a leaked one. Only its SHA-256 is stored, and a request is verified
by one read of the pointer keyed by that digest (`store/repos/api_tokens.py`). A fast hash is
right here, unlike for passwords: with 256 bits of entropy no guessing can be sped up by a
fast hash, so argon2 would add ~50 ms of CPU to every call and protect nothing more; and a
salted slow hash could not be looked up by value at all.

Where a token is accepted (`accepts_api_tokens`, the one list): every REST endpoint except
`/auth/*`, `/users/tokens` (a leaked token must not mint more or hide itself), `PUT
/users/profile` (changing the email would let its holder reset the password) and `DELETE
/users/profile` (erasure). Never on the WebSocket: the socket's verifier takes only access
tokens. Scope `read` allows GET (and HEAD); `write` allows every method. Every call re-reads
the account, so a downgrade refuses the token at once (403 `tier_required`), and a revoked
token is refused on every process at once (its pointer is gone from the store).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from core.caller import Caller
from quotas.features import require_api_access
from quotas.policy import Policy
from server.auth.errors import AuthError
from server.errors import ApiError
from server.security import current_caller
from store.repos.api_tokens import ApiTokenRepo
from store.repos.users import UserRepo
from store.table import Table

TOKEN_PREFIX = "v7_pat_"  # noqa: S105 - a public marker, not a secret
"""What every personal API token begins with (and what tells it from an access token)."""
TOKEN_BYTES = 32
SHOWN_CHARS = len(TOKEN_PREFIX) + 6
"""How much of a token its owner's list shows, to tell their tokens apart."""
TOUCH_EVERY = timedelta(minutes=1)
"""A token's last use is written at most this often, so a busy script costs one write a
minute, not one per call."""

READ_METHODS = frozenset({"GET", "HEAD"})

# (method or None for any, path prefix): endpoints that refuse API tokens (see the docstring).
_SIGNED_IN_ONLY: tuple[tuple[str | None, str], ...] = (
    (None, "/auth/"),
    (None, "/users/tokens"),
    ("PUT", "/users/profile"),
    ("DELETE", "/users/profile"),
)


def accepts_api_tokens(method: str, path: str) -> bool:
    """Whether the REST endpoint `method path` may be called with a personal API token."""
    return not any(
        (wanted is None or wanted == method) and path.startswith(prefix)
        for wanted, prefix in _SIGNED_IN_ONLY
    )


def is_api_token(bearer: str | None) -> bool:
    return bearer is not None and bearer.startswith(TOKEN_PREFIX)


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _refused() -> ApiError:
    return ApiError(
        401,
        "unauthorized",
        "This API token is unknown, revoked or expired; create a new one under API tokens",
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


async def api_caller(
    table: Table,
    users: UserRepo,
    policy: Policy,
    token: str,
    *,
    method: str,
    path: str,
    now: datetime,
) -> Caller:
    """The caller a personal API token speaks for on `method path` at `now`.

    Raises `ApiError` 401 for an unknown, revoked or expired token (or an erased account), 403
    `unauthorized` (reason `api_token_not_allowed`) on an endpoint that takes no API tokens,
    `TierRequired` when the owner's tier has no API access now, and 403 `unauthorized`
    (reason `insufficient_scope`) for a read-only token on anything but GET."""
    repo = ApiTokenRepo(table)
    digest = digest_of(token)
    pointer = await repo.pointer(digest)
    # The read was keyed by the digest; comparing again in constant time costs nothing and
    # keeps a store that matched loosely from letting a wrong token through.
    if pointer is None or not hmac.compare_digest(pointer.digest, digest):
        raise _refused()
    if pointer.expires_at is not None and now >= pointer.expires_at:
        raise _refused()
    if not accepts_api_tokens(method, path):
        raise ApiError(
            403,
            "unauthorized",
            "API tokens cannot manage tokens, change the sign-in email or erase the account: "
            "sign in to do that",
            extra={"reason": "api_token_not_allowed"},
        )
    try:
        caller = await current_caller(users, pointer.user_id, now)
    except AuthError:  # the account is erased, or being erased
        raise _refused() from None
    require_api_access(policy, caller.tier)
    if method not in READ_METHODS and "write" not in pointer.scopes:
        raise ApiError(
            403,
            "unauthorized",
            "This API token may only read (GET); create one with the write scope to change data",
            headers={"WWW-Authenticate": 'Bearer error="insufficient_scope", scope="write"'},
            extra={"reason": "insufficient_scope"},
        )
    stale = pointer.last_used_at is None or now - pointer.last_used_at >= TOUCH_EVERY
    if stale and not await repo.touch(pointer, now):
        raise _refused()  # revoked between the read and now
    return caller
