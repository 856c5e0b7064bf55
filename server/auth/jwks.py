"""Public signing keys by `kid`: a static source (the local issuer) and an HTTP JWKS source.

The verifier asks a `KeySource` for the key named by a token's `kid` header. Only RSA keys of at
least 2048 bits meant for signatures with RS256 are ever returned, so a key can never be used
with another algorithm (an HMAC secret made of the public key, for instance).

`HttpKeySource` caches the keys of the last good fetch. An unknown `kid` triggers a refetch at
most once per `min_interval` seconds (10 s by default): a flood of tokens with random kids costs
at most one request per interval, and concurrent misses share the one fetch in flight.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import time
from collections.abc import Callable, Mapping
from typing import Final, Protocol

import httpx
from jose import jwk
from jose.backends.base import Key
from jose.exceptions import JWKError

from server.auth.errors import AuthError

log = logging.getLogger(__name__)

ALGORITHM: Final = "RS256"
MIN_RSA_BITS: Final = 2048
DEFAULT_REFETCH_INTERVAL: Final = 10.0
_MAX_JWKS_BYTES: Final = 256 * 1024


class KeySource(Protocol):
    """Where the verifier finds public keys."""

    async def get(self, kid: str) -> Key | None:
        """The RS256 public key named `kid`, or None when the source does not know it.

        May raise `AuthError("keys_unavailable")` when the keys cannot be fetched.
        """
        ...


def _rsa_bits(n: object) -> int:
    if not isinstance(n, str):
        return 0
    try:
        raw = base64.urlsafe_b64decode(n + "=" * (-len(n) % 4))
    except (binascii.Error, ValueError):
        return 0
    return int.from_bytes(raw, "big").bit_length()


def parse_jwks(document: object) -> dict[str, Key]:
    """The usable keys of a JWKS document, by `kid`.

    Keys that are not RSA, are meant for encryption, name another algorithm, have no `kid`, are
    shorter than 2048 bits or do not parse are skipped (never an error: one odd key must not hide
    the others). Never raises.
    """
    if not isinstance(document, Mapping):
        return {}
    entries = document.get("keys")
    if not isinstance(entries, list):
        return {}
    keys: dict[str, Key] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        kid = entry.get("kid")
        if not isinstance(kid, str) or not kid:
            continue
        if entry.get("kty") != "RSA" or entry.get("use", "sig") != "sig":
            continue
        if entry.get("alg", ALGORITHM) != ALGORITHM or _rsa_bits(entry.get("n")) < MIN_RSA_BITS:
            continue
        public = {name: entry[name] for name in ("kty", "n", "e") if name in entry}
        try:
            keys[kid] = jwk.construct(public, ALGORITHM)
        except (JWKError, ValueError, TypeError):
            continue
    return keys


class StaticKeySource:
    """Keys known up front (the local issuer's own key); no I/O."""

    def __init__(self, jwks: Mapping[str, object]) -> None:
        self._keys = parse_jwks(jwks)

    async def get(self, kid: str) -> Key | None:
        return self._keys.get(kid)

    @property
    def kids(self) -> frozenset[str]:
        return frozenset(self._keys)


class HttpKeySource:
    """Keys fetched from a JWKS URL through an injected `httpx.AsyncClient`.

    For Cognito the URL is `{issuer}/.well-known/jwks.json` (see `jwks_url`). The client is owned
    by the caller (created once by the app's lifespan). `clock` is a monotonic clock in seconds,
    injectable so tests can move time.

    Rules:
    - a known `kid` is answered from the cache, no I/O;
    - an unknown `kid` starts a fetch unless one is in flight (then it waits for that one) or the
      last fetch started less than `min_interval` seconds ago (then it answers None without I/O);
    - a good fetch replaces the whole cache, so keys the issuer withdrew stop verifying;
    - a failed fetch keeps the old cache; callers that waited for it, and misses within the
      interval after it, get `AuthError("keys_unavailable")`.

    Cancel-safety: a cancelled caller does not cancel the shared fetch.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        url: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        min_interval: float = DEFAULT_REFETCH_INTERVAL,
        timeout: float = 5.0,
    ) -> None:
        self._client = client
        self._url = url
        self._clock = clock
        self._min_interval = min_interval
        self._timeout = timeout
        self._keys: dict[str, Key] = {}
        self._last_attempt: float | None = None
        self._last_ok = False
        self._inflight: asyncio.Task[bool] | None = None

    @property
    def url(self) -> str:
        return self._url

    @property
    def kids(self) -> frozenset[str]:
        return frozenset(self._keys)

    async def get(self, kid: str) -> Key | None:
        key = self._keys.get(kid)
        if key is not None:
            return key
        task = self._inflight
        if task is None:
            now = self._clock()
            if self._last_attempt is not None and now - self._last_attempt < self._min_interval:
                if not self._last_ok:
                    raise AuthError("keys_unavailable")
                return None
            task = self._start_fetch(now)
        if not await asyncio.shield(task):
            raise AuthError("keys_unavailable")
        return self._keys.get(kid)

    async def refresh(self) -> None:
        """Fetch now, ignoring the interval (e.g. to warm the cache at start-up).

        Raises `AuthError("keys_unavailable")` if the fetch fails.
        """
        task = self._inflight or self._start_fetch(self._clock())
        if not await asyncio.shield(task):
            raise AuthError("keys_unavailable")

    def _start_fetch(self, now: float) -> asyncio.Task[bool]:
        self._last_attempt = now
        task = asyncio.create_task(self._fetch(), name="jwks-fetch")
        self._inflight = task
        task.add_done_callback(self._fetch_done)
        return task

    def _fetch_done(self, task: asyncio.Task[bool]) -> None:
        self._inflight = None
        self._last_ok = not task.cancelled() and task.exception() is None and task.result()

    async def _fetch(self) -> bool:
        try:
            response = await self._client.get(
                self._url, timeout=self._timeout, headers={"Accept": "application/json"}
            )
        except httpx.HTTPError as exc:
            log.warning("jwks fetch failed", extra={"url": self._url, "error": type(exc).__name__})
            return False
        if response.status_code != httpx.codes.OK or len(response.content) > _MAX_JWKS_BYTES:
            log.warning(
                "jwks fetch refused",
                extra={"url": self._url, "status": response.status_code},
            )
            return False
        try:
            keys = parse_jwks(response.json())
        except ValueError:
            keys = {}
        if not keys:
            log.warning("jwks document has no usable key", extra={"url": self._url})
            return False
        self._keys = keys
        return True


def jwks_url(issuer: str) -> str:
    """The JWKS address of an OpenID issuer (Cognito: `{issuer}/.well-known/jwks.json`)."""
    return issuer.rstrip("/") + "/.well-known/jwks.json"
