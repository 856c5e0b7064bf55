"""Google and Apple sign-in through Cognito's hosted UI: the OAuth 2.0 authorization-code flow
with PKCE (RFC 7636, `S256`) and a state bound to the browser.

The flow, and who holds what:

1. `GET /auth/oauth/{provider}` makes a random `state` and PKCE `verifier`. The verifier (with
   the provider and the redirect URI) is kept in Redis under a hash of the state for
   `FLOW_TTL_S` (`PendingFlows`), so whichever process the callback reaches finds it; the state
   goes to the browser in an HttpOnly cookie (`COOKIE`) and in the authorize URL. The browser is
   sent to `{domain}/oauth2/authorize` with `identity_provider`, the state and
   `S256(verifier)` only: the verifier never leaves the server.
2. Cognito sends the browser back to the redirect URI, the app page itself
   (`redirect_uri(origin)`), with `code` and `state` in the query (or `error`).
3. The page POSTs `{code, state}` to `/auth/oauth/token`. The body's state must equal the
   cookie's (compared in constant time: the flow was started by this browser), and its pending
   flow is taken from Redis once (GETDEL: a replayed state finds nothing). The code is then
   exchanged at `{domain}/oauth2/token` with the verifier (`token_form`), and the answer is
   parsed by `parse_token_response`; the caller verifies the tokens like any others.

Every refusal is `AuthError("oauth_failed")` with a message safe to show. Nothing here does I/O
but `PendingFlows` (Redis) and `exchange_code` (one HTTP POST with the app's client).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING, Any, Final, Literal, get_args
from urllib.parse import urlencode

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from server.auth.cognito import CognitoTokens
from server.auth.errors import AuthError

if TYPE_CHECKING:
    from redis.asyncio import Redis

Provider = Literal["Google", "SignInWithApple"]
"""The identity providers a stack may offer, by their Cognito names (`identity_provider=`)."""
PROVIDERS: Final[tuple[str, ...]] = get_args(Provider)

CALLBACK_PATH: Final = "/auth/oauth/callback"
"""Where Cognito sends the browser back: the app page, served again at this path. The one home
of the redirect URI's path: the Pulumi program's `oauthCallbackUrls` must be exactly
`{first allowed origin}{CALLBACK_PATH}` (checked by its config validation)."""
COOKIE: Final = "v7_oauth"
COOKIE_PATH: Final = "/auth/oauth"
FLOW_TTL_S: Final = 600
"""How long a started sign-in may take at Google or Apple before it must start again."""
SCOPES: Final = "openid email profile"
KEY_PREFIX: Final = "v7:oauth:"
"""Redis keys of pending flows (`v7:oauth:` + SHA-256 of the state). No user's data."""

_FAILED = "Signing in with that provider did not work; try again."


def redirect_uri(origin: str) -> str:
    """The redirect URI of the app served at `origin` (`https://coach.example.com`)."""
    return origin.rstrip("/") + CALLBACK_PATH


def new_state() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def new_verifier() -> str:
    """A PKCE code verifier: 86 characters of the unreserved set (RFC 7636 allows 43-128)."""
    return secrets.token_urlsafe(64)


def challenge(verifier: str) -> str:
    """The `S256` code challenge: BASE64URL(SHA256(ASCII(verifier))) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def same_state(presented: str, expected: str) -> bool:
    """Whether the state the page presents is the one this browser's cookie holds (constant
    time in the length of `expected`)."""
    return hmac.compare_digest(presented.encode(), expected.encode())


def authorize_url(
    domain: str, *, client_id: str, redirect: str, provider: str, state: str, verifier: str
) -> str:
    """Cognito's documented `/oauth2/authorize` URL for the code flow with PKCE, straight to
    `provider`'s sign-in (no hosted-UI page of its own)."""
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect,
            "identity_provider": provider,
            "scope": SCOPES,
            "state": state,
            "code_challenge": challenge(verifier),
            "code_challenge_method": "S256",
        }
    )
    return f"{domain.rstrip('/')}/oauth2/authorize?{query}"


def token_form(*, client_id: str, redirect: str, code: str, verifier: str) -> dict[str, str]:
    """The body of the code exchange at `/oauth2/token` (a public client: no secret)."""
    return {
        "grant_type": "authorization_code",
        "client_id": client_id,
        "redirect_uri": redirect,
        "code": code,
        "code_verifier": verifier,
    }


class _TokenResponse(BaseModel):
    model_config = ConfigDict(extra="ignore")

    access_token: str
    id_token: str
    refresh_token: str | None = None
    expires_in: int = 3600
    token_type: str = "Bearer"  # noqa: S105 (the OAuth token type, not a secret)


def parse_token_response(status: int, body: Any) -> CognitoTokens:
    """Cognito's token answer as `CognitoTokens`. Raises `AuthError("oauth_failed")` for an
    error answer (`invalid_grant`: an unknown, used or expired code, or a verifier that does not
    match) or one without an access and an id token."""
    if status != 200 or not isinstance(body, dict):
        raise AuthError("oauth_failed", _FAILED)
    try:
        parsed = _TokenResponse.model_validate(body)
    except ValidationError:
        raise AuthError("oauth_failed", _FAILED) from None
    if parsed.token_type.lower() != "bearer":
        raise AuthError("oauth_failed", _FAILED)
    return CognitoTokens(
        access_token=parsed.access_token,
        id_token=parsed.id_token,
        refresh_token=parsed.refresh_token,
        expires_in=parsed.expires_in,
    )


async def exchange_code(
    http: httpx.AsyncClient, domain: str, form: dict[str, str]
) -> CognitoTokens:
    """POST `form` (`token_form`) to `{domain}/oauth2/token`. Raises `AuthError`:
    `oauth_failed` when Cognito refuses the code, `unavailable` when it cannot be reached."""
    try:
        response = await http.post(f"{domain.rstrip('/')}/oauth2/token", data=form)
    except httpx.HTTPError:
        raise AuthError("unavailable") from None
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    return parse_token_response(response.status_code, body)


class PendingFlow(BaseModel):
    """What the server keeps of a started flow until the browser comes back."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    provider: str
    verifier: str
    redirect_uri: str


def _key(state: str) -> str:
    return KEY_PREFIX + hashlib.sha256(state.encode()).hexdigest()


class PendingFlows:
    """Started flows in Redis, shared by every server process, each readable once."""

    def __init__(self, redis: Redis, ttl_s: int = FLOW_TTL_S) -> None:
        self._redis = redis
        self._ttl_s = ttl_s

    async def put(self, state: str, flow: PendingFlow) -> None:
        await self._redis.set(_key(state), flow.model_dump_json(), ex=self._ttl_s)

    async def take(self, state: str) -> PendingFlow:
        """The flow started with `state`, removed as it is read. Raises
        `AuthError("oauth_failed")` if there is none (never started, expired or taken)."""
        raw = await self._redis.getdel(_key(state))
        if raw is None:
            raise AuthError("oauth_failed", "That sign-in has expired or was used; start again.")
        return PendingFlow.model_validate_json(raw)

    async def drop(self, state: str) -> None:
        await self._redis.delete(_key(state))
