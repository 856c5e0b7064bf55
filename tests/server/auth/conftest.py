"""Shared pieces of the auth tests: keys, a movable clock, a local issuer and verifier, token
crafting for attack tokens, and a real loopback JWKS server (Starlette under uvicorn)."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwk, jwt
from jose.backends.base import Key
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from server.auth.local_issuer import LocalIssuer
from server.auth.verifier import TokenVerifier

ISSUER = "http://127.0.0.1:8000/local"
CLIENT_ID = "v7-web"


class Clock:
    """A clock the test moves by hand; callable like `time.time`."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_json(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value).encode())


# holding the key itself keeps its id from being reused by another object
_jose_keys: dict[int, tuple[rsa.RSAPrivateKey, Key]] = {}


def sign_rs256(key: rsa.RSAPrivateKey, claims: dict[str, Any], headers: dict[str, Any]) -> str:
    """An RS256 JWT over arbitrary claims and headers, signed with `key`."""
    # loading a PEM private key is slow (~40 ms); tests sign hundreds of tokens
    if id(key) not in _jose_keys:
        _jose_keys[id(key)] = (key, jwk.construct(private_pem(key), "RS256"))
    return jwt.encode(claims, _jose_keys[id(key)][1], algorithm="RS256", headers=headers)


def access_claims(**overrides: Any) -> dict[str, Any]:
    """Claims of a valid local access token issued now; `overrides` replace or add claims."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "sub": "user-1",
        "token_use": "access",
        "client_id": CLIENT_ID,
        "iat": now,
        "auth_time": now,
        "exp": now + 600,
        "jti": "j-1",
    }
    claims.update(overrides)
    return claims


@pytest.fixture(scope="session")
def signing_key() -> rsa.RSAPrivateKey:
    return new_rsa_key()


@pytest.fixture(scope="session")
def other_key() -> rsa.RSAPrivateKey:
    return new_rsa_key()


@pytest.fixture
def clock() -> Clock:
    return Clock(time.time())


@pytest.fixture
def issuer(signing_key: rsa.RSAPrivateKey) -> LocalIssuer:
    return LocalIssuer(signing_key, issuer=ISSUER, client_id=CLIENT_ID)


@pytest.fixture
def verifier(issuer: LocalIssuer, clock: Clock) -> TokenVerifier:
    return TokenVerifier(issuer.key_source(), issuer=ISSUER, client_id=CLIENT_ID, clock=clock)


class JwksServer:
    """A real HTTP server on loopback serving `document` at /.well-known/jwks.json.

    Counts requests in `fetches`; `status` and `delay` (seconds) shape the next answers.
    """

    def __init__(self) -> None:
        self.document: dict[str, Any] = {"keys": []}
        self.fetches = 0
        self.status = 200
        self.delay = 0.0
        app = Starlette(routes=[Route("/.well-known/jwks.json", self._serve)])
        config = uvicorn.Config(
            app, host="127.0.0.1", port=0, log_level="warning", lifespan="off", access_log=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="jwks-server", daemon=True)
        self.url = ""

    async def _serve(self, request: Request) -> JSONResponse:
        self.fetches += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.status != 200:
            return JSONResponse({"message": "unavailable"}, status_code=self.status)
        return JSONResponse(self.document)

    def reset(self, document: dict[str, Any]) -> None:
        self.document = document
        self.fetches = 0
        self.status = 200
        self.delay = 0.0

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the JWKS test server did not start")
            time.sleep(0.01)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/.well-known/jwks.json"

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


@pytest.fixture(scope="session")
def jwks_server_session() -> Iterator[JwksServer]:
    server = JwksServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def jwks_server(jwks_server_session: JwksServer) -> JwksServer:
    jwks_server_session.reset({"keys": []})
    return jwks_server_session


@pytest.fixture
async def http_client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client
