"""Local mode's token issuer: an RS256 key pair under `data_dir`, tokens shaped like Cognito's.

The key is created on first start at `data_dir/auth/signing-key.pem` (mode 0600) and loaded on
later starts. Creation is atomic and never clobbers: the key is written to a private temporary
file and hard-linked into place, so when two processes start at once one wins and both load the
winner's key. The `kid` is the key's RFC 7638 thumbprint, so it changes exactly when the key
does.

Refresh tokens are opaque random strings; the store keeps only their SHA-256
(`new_refresh_token`, `hash_refresh_token`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import secrets
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Final

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwk, jwt
from pydantic import BaseModel, ConfigDict

from server.auth.errors import KeyFileError
from server.auth.jwks import ALGORITHM, MIN_RSA_BITS, StaticKeySource
from server.auth.verifier import TokenUse

log = logging.getLogger(__name__)

KEY_FILE: Final = Path("auth") / "signing-key.pem"
DEFAULT_TTL: Final = 3600.0


class IssuedTokens(BaseModel):
    """An access and an id token minted together (the refresh token is the caller's)."""

    model_config = ConfigDict(frozen=True)

    access_token: str
    id_token: str
    expires_in: int
    token_type: str = "Bearer"  # noqa: S105 (the OAuth token type, not a secret)


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def rfc7638_thumbprint(e: str, n: str) -> str:
    """The RFC 7638 SHA-256 thumbprint of an RSA public JWK (base64url, no padding)."""
    canonical = json.dumps({"e": e, "kty": "RSA", "n": n}, separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(canonical.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _create_key_file(path: Path) -> None:
    """Create `path` with a new key unless it exists; never overwrites. Blocks (~0.1 s)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            # link, not rename: rename would replace a key another process just installed
            os.link(tmp, path)
        except FileExistsError:
            log.info("signing key created concurrently by another process; using it")
        else:
            _fsync_dir(path.parent)
            log.info("created local signing key", extra={"path": str(path)})
    finally:
        tmp.unlink(missing_ok=True)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _load_key_file(path: Path) -> rsa.RSAPrivateKey:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("signing key file is readable by others", extra={"path": str(path)})
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise KeyFileError(f"{path}: not a usable PEM private key") from exc
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < MIN_RSA_BITS:
        raise KeyFileError(f"{path}: not an RSA private key of at least {MIN_RSA_BITS} bits")
    return key


def new_refresh_token() -> tuple[str, str]:
    """A fresh opaque refresh token and the hash the store keeps: `(token, sha256_hex)`."""
    token = secrets.token_urlsafe(32)
    return token, hash_refresh_token(token)


def hash_refresh_token(token: str) -> str:
    """The SHA-256 (hex) of a refresh token. The token has 256 random bits, so a plain fast
    hash suffices: there is nothing to brute-force."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class LocalIssuer:
    """Mints RS256 access and id tokens for `issuer` / `client_id` with one private key.

    `clock` returns the current Unix time (injectable so tests can mint expired tokens).
    """

    def __init__(
        self,
        private_key: rsa.RSAPrivateKey,
        *,
        issuer: str,
        client_id: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        numbers = private_key.public_key().public_numbers()
        self._public_jwk = {
            "kty": "RSA",
            "n": _b64url_uint(numbers.n),
            "e": _b64url_uint(numbers.e),
        }
        self._kid = rfc7638_thumbprint(self._public_jwk["e"], self._public_jwk["n"])
        pem = private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        self._signing_key = jwk.construct(pem, ALGORITHM)
        self._issuer = issuer
        self._client_id = client_id
        self._clock = clock

    @classmethod
    def load_or_create(
        cls,
        data_dir: Path,
        *,
        issuer: str,
        client_id: str,
        clock: Callable[[], float] = time.time,
    ) -> LocalIssuer:
        """The issuer whose key lives under `data_dir`, creating the key on first start.

        Blocking file I/O and, on first start, key generation: call it from a thread
        (`asyncio.to_thread`) inside a running loop. Raises `KeyFileError` if the file exists
        but is unusable (it is never replaced: that would sign everyone out).
        """
        path = data_dir / KEY_FILE
        if not path.exists():
            _create_key_file(path)
        return cls(_load_key_file(path), issuer=issuer, client_id=client_id, clock=clock)

    @property
    def kid(self) -> str:
        return self._kid

    @property
    def issuer(self) -> str:
        return self._issuer

    @property
    def client_id(self) -> str:
        return self._client_id

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The public JWKS served at `/.well-known/jwks.json`."""
        return {"keys": [{**self._public_jwk, "kid": self._kid, "use": "sig", "alg": ALGORITHM}]}

    def key_source(self) -> StaticKeySource:
        """A key source for `TokenVerifier` holding this issuer's public key (no I/O)."""
        return StaticKeySource(self.jwks())

    def issue(
        self,
        user_id: str,
        email: str | None,
        token_use: TokenUse,
        ttl: float = DEFAULT_TTL,
        *,
        auth_time: int | None = None,
    ) -> str:
        """A signed token of kind `token_use` for `user_id`, valid for `ttl` seconds.

        Claims follow Cognito: `iss`, `sub`, `token_use`, `iat`, `auth_time`, `exp`, `jti`;
        access tokens carry `client_id` and `username`, id tokens `aud`, `email` and
        `cognito:username`. `auth_time` keeps the original sign-in time across refreshes.
        Raises ValueError for a non-positive ttl or an empty user id.
        """
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        if not user_id:
            raise ValueError("user_id is required")
        now = int(self._clock())
        claims: dict[str, object] = {
            "iss": self._issuer,
            "sub": user_id,
            "token_use": token_use,
            "iat": now,
            "auth_time": now if auth_time is None else auth_time,
            "exp": now + int(ttl),
            "jti": secrets.token_hex(16),
        }
        if token_use == "access":  # noqa: S105 (a token kind, not a secret)
            claims["client_id"] = self._client_id
            claims["username"] = user_id
        else:
            claims["aud"] = self._client_id
            claims["cognito:username"] = user_id
            if email is not None:
                claims["email"] = email
        return jwt.encode(
            claims, self._signing_key, algorithm=ALGORITHM, headers={"kid": self._kid}
        )

    def issue_tokens(
        self,
        user_id: str,
        email: str | None,
        ttl: float = DEFAULT_TTL,
        *,
        auth_time: int | None = None,
    ) -> IssuedTokens:
        """An access and an id token with the same lifetime."""
        return IssuedTokens(
            access_token=self.issue(user_id, email, "access", ttl, auth_time=auth_time),
            id_token=self.issue(user_id, email, "id", ttl, auth_time=auth_time),
            expires_in=int(ttl),
        )
