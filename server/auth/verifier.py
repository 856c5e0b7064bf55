"""Bearer token verification: one verifier for the local issuer and for Cognito.

The algorithm list is fixed to RS256 and never read from the token; keys come only from the
injected `KeySource`. Every refusal raises `AuthError` with a reason code; neither the token nor
its claims appear in messages or logs.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Final, Literal

from jose import jws
from jose.exceptions import JOSEError
from pydantic import BaseModel, ConfigDict

from server.auth.errors import AuthError
from server.auth.jwks import ALGORITHM, KeySource

TokenUse = Literal["access", "id"]

DEFAULT_LEEWAY: Final = 30.0
MAX_LEEWAY: Final = 60.0
_MAX_TOKEN_CHARS: Final = 16 * 1024
_LATEST_TIME: Final = 253_402_300_799  # 9999-12-31T23:59:59Z


class Principal(BaseModel):
    """Who a verified token speaks for. `user_id` is the token's `sub`."""

    model_config = ConfigDict(frozen=True)

    user_id: str
    email: str | None = None
    token_use: TokenUse
    client_id: str
    expires_at: datetime
    issued_at: datetime
    scopes: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    token_id: str | None = None


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def _time(claims: Mapping[str, object], name: str) -> float:
    value = claims.get(name)
    # bool is an int subclass; `"exp": true` is not a time
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AuthError("malformed")
    # NaN, Infinity and far-future values would never expire (or overflow datetime)
    if not math.isfinite(value) or not 0 <= value <= _LATEST_TIME:
        raise AuthError("malformed")
    return float(value)


def _optional_time(claims: Mapping[str, object], name: str) -> float | None:
    return None if claims.get(name) is None else _time(claims, name)


def _string(claims: Mapping[str, object], name: str) -> str | None:
    value = claims.get(name)
    return value if isinstance(value, str) else None


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(value.split())
    if isinstance(value, list):
        return tuple(item for item in value if isinstance(item, str))
    return ()


class TokenVerifier:
    """Verifies RS256 JWTs issued by `issuer` for `client_id`.

    `leeway` (seconds, 0..60) absorbs clock skew on `exp`, `nbf` and `iat`. `clock` returns the
    current Unix time; injectable for tests.

    Checks, in order: shape (three segments; a five-segment JWE is refused), header (`alg` must
    be RS256, a `kid` must be present), key lookup by `kid`, signature, `iss` (exact match),
    `exp` / `nbf` / `iat`, `token_use`, then `client_id` (access) or `aud` (id).
    """

    def __init__(
        self,
        keys: KeySource,
        *,
        issuer: str,
        client_id: str,
        leeway: float = DEFAULT_LEEWAY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not 0 <= leeway <= MAX_LEEWAY:
            raise ValueError(f"leeway must be between 0 and {MAX_LEEWAY:g} seconds")
        if not issuer or not client_id:
            raise ValueError("issuer and client_id are required")
        self._keys = keys
        self._issuer = issuer
        self._client_id = client_id
        self._leeway = leeway
        self._clock = clock

    @property
    def issuer(self) -> str:
        return self._issuer

    @property
    def client_id(self) -> str:
        return self._client_id

    async def verify(
        self,
        token: str,
        *,
        token_use: TokenUse = "access",  # noqa: S107 (a token kind, not a secret)
    ) -> Principal:
        """The principal of a valid token of kind `token_use`.

        Raises `AuthError` with a token code (see `errors.TOKEN_ERROR_CODES`), or with
        `keys_unavailable` when the key source cannot fetch keys. Cancel-safe: it holds no state
        of its own across the one await (the key lookup).
        """
        header = self._header(token)
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthError("missing_kid")
        key = await self._keys.get(kid)
        if key is None:
            raise AuthError("unknown_key")
        try:
            payload = jws.verify(token, key, algorithms=[ALGORITHM])
        except JOSEError:
            raise AuthError("bad_signature") from None
        try:
            claims = json.loads(payload)
        except ValueError:
            raise AuthError("malformed") from None
        if not isinstance(claims, dict):
            raise AuthError("malformed")
        return self._check_claims(claims, token_use)

    def _header(self, token: str) -> dict[str, object]:
        if not isinstance(token, str) or not token or len(token) > _MAX_TOKEN_CHARS:
            raise AuthError("malformed")
        if token.count(".") != 2:  # a JWE has five segments; anything but three is not a JWS
            raise AuthError("malformed")
        try:
            header = jws.get_unverified_header(token)
        except (JOSEError, ValueError, TypeError, UnicodeError):
            raise AuthError("malformed") from None
        if not isinstance(header, dict):
            raise AuthError("malformed")
        if header.get("alg") != ALGORITHM:
            raise AuthError("bad_algorithm")
        if "enc" in header or "crit" in header:
            # `enc` marks encryption; `crit` lists extensions we would have to understand
            raise AuthError("malformed")
        return header

    def _check_claims(self, claims: dict[str, object], token_use: TokenUse) -> Principal:
        if claims.get("iss") != self._issuer:
            raise AuthError("wrong_issuer")
        now = self._clock()
        exp = _time(claims, "exp")
        iat = _time(claims, "iat")
        nbf = _optional_time(claims, "nbf")
        if now >= exp + self._leeway:
            raise AuthError("expired")
        if nbf is not None and now + self._leeway < nbf:
            raise AuthError("not_yet_valid")
        if now + self._leeway < iat:
            raise AuthError("not_yet_valid")
        if claims.get("token_use") != token_use:
            raise AuthError("wrong_token_use")
        audience_claim = "client_id" if token_use == "access" else "aud"  # noqa: S105
        audience = claims.get(audience_claim)
        if audience != self._client_id:
            raise AuthError("wrong_client")
        sub = _string(claims, "sub")
        if not sub:
            raise AuthError("malformed")
        return Principal(
            user_id=sub,
            email=_string(claims, "email"),
            token_use=token_use,
            client_id=self._client_id,
            expires_at=_utc(exp),
            issued_at=_utc(iat),
            scopes=_strings(claims.get("scope")),
            groups=_strings(claims.get("cognito:groups")),
            token_id=_string(claims, "jti"),
        )
