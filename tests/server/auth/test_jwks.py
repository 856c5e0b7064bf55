"""The HTTP key source against a real loopback JWKS server: caching, the 10 s refetch rule,
shared in-flight fetches, key rotation and an unavailable JWKS."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from server.auth.errors import AuthError
from server.auth.jwks import HttpKeySource, StaticKeySource, jwks_url, parse_jwks
from server.auth.local_issuer import LocalIssuer
from server.auth.verifier import TokenVerifier
from tests.server.auth.conftest import (
    CLIENT_ID,
    ISSUER,
    Clock,
    JwksServer,
    access_claims,
    new_rsa_key,
    sign_rs256,
)


def setup(
    client: httpx.AsyncClient, server: JwksServer, clock: Clock
) -> tuple[HttpKeySource, TokenVerifier]:
    source = HttpKeySource(client, server.url, clock=clock)
    return source, TokenVerifier(source, issuer=ISSUER, client_id=CLIENT_ID)


def random_kid_token(key: rsa.RSAPrivateKey, index: int) -> str:
    return sign_rs256(key, access_claims(), {"kid": f"random-{index}"})


async def code_of(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(AuthError) as caught:
        await verifier.verify(token)
    return caught.value.code


async def test_known_keys_are_served_from_the_cache(
    http_client: httpx.AsyncClient, jwks_server: JwksServer, issuer: LocalIssuer
) -> None:
    jwks_server.reset(issuer.jwks())
    _, verifier = setup(http_client, jwks_server, Clock(0.0))
    token = issuer.issue("user-1", None, "access")
    for _ in range(20):
        assert (await verifier.verify(token)).user_id == "user-1"
    assert jwks_server.fetches == 1


async def test_a_flood_of_unknown_kids_costs_one_fetch_per_ten_seconds(
    http_client: httpx.AsyncClient,
    jwks_server: JwksServer,
    issuer: LocalIssuer,
    other_key: rsa.RSAPrivateKey,
) -> None:
    jwks_server.reset(issuer.jwks())
    clock = Clock(1000.0)
    _, verifier = setup(http_client, jwks_server, clock)

    for index in range(100):
        clock.now = 1000.0 + index * 0.099  # 100 tokens within 9.9 s
        assert await code_of(verifier, random_kid_token(other_key, index)) == "unknown_key"
    assert jwks_server.fetches == 1

    clock.now = 1010.0
    assert await code_of(verifier, random_kid_token(other_key, 100)) == "unknown_key"
    assert jwks_server.fetches == 2
    # the issuer's real key was cached by those fetches: no fetch for it
    assert (await verifier.verify(issuer.issue("user-1", None, "access"))).user_id == "user-1"
    assert jwks_server.fetches == 2


async def test_concurrent_misses_share_one_fetch(
    http_client: httpx.AsyncClient,
    jwks_server: JwksServer,
    issuer: LocalIssuer,
    other_key: rsa.RSAPrivateKey,
) -> None:
    jwks_server.reset(issuer.jwks())
    jwks_server.delay = 0.2  # keep the fetch in flight while the others arrive
    _, verifier = setup(http_client, jwks_server, Clock(0.0))
    good = issuer.issue("user-1", None, "access")
    tokens = [good] * 25 + [random_kid_token(other_key, i) for i in range(25)]
    results = await asyncio.gather(*(verifier.verify(t) for t in tokens), return_exceptions=True)
    assert jwks_server.fetches == 1
    assert all(not isinstance(r, BaseException) and r.user_id == "user-1" for r in results[:25])
    assert all(isinstance(r, AuthError) and r.code == "unknown_key" for r in results[25:])


async def test_a_cancelled_caller_does_not_cancel_the_shared_fetch(
    http_client: httpx.AsyncClient, jwks_server: JwksServer, issuer: LocalIssuer
) -> None:
    jwks_server.reset(issuer.jwks())
    jwks_server.delay = 0.2
    _, verifier = setup(http_client, jwks_server, Clock(0.0))
    token = issuer.issue("user-1", None, "access")
    impatient = asyncio.create_task(verifier.verify(token))
    patient = asyncio.create_task(verifier.verify(token))
    await asyncio.sleep(0.05)
    impatient.cancel()
    assert (await patient).user_id == "user-1"
    assert impatient.cancelled()
    assert jwks_server.fetches == 1


async def test_rotation_is_picked_up_and_withdrawn_keys_stop_verifying(
    http_client: httpx.AsyncClient, jwks_server: JwksServer, issuer: LocalIssuer
) -> None:
    jwks_server.reset(issuer.jwks())
    clock = Clock(0.0)
    _, verifier = setup(http_client, jwks_server, clock)
    old_token = issuer.issue("user-1", None, "access")
    assert (await verifier.verify(old_token)).user_id == "user-1"

    rotated = LocalIssuer(new_rsa_key(), issuer=ISSUER, client_id=CLIENT_ID)
    jwks_server.document = rotated.jwks()
    new_token = rotated.issue("user-2", None, "access")

    clock.now = 5.0  # too soon after the last fetch: not fetched yet
    assert await code_of(verifier, new_token) == "unknown_key"
    assert jwks_server.fetches == 1

    clock.now = 10.5
    assert (await verifier.verify(new_token)).user_id == "user-2"
    assert jwks_server.fetches == 2
    assert await code_of(verifier, old_token) == "unknown_key"


async def test_an_unavailable_jwks_is_reported_and_still_rate_limited(
    http_client: httpx.AsyncClient, jwks_server: JwksServer, issuer: LocalIssuer
) -> None:
    jwks_server.reset(issuer.jwks())
    jwks_server.status = 503
    clock = Clock(0.0)
    _, verifier = setup(http_client, jwks_server, clock)
    token = issuer.issue("user-1", None, "access")

    with pytest.raises(AuthError) as caught:
        await verifier.verify(token)
    assert caught.value.code == "keys_unavailable"
    assert not caught.value.is_token_error

    clock.now = 3.0
    assert await code_of(verifier, token) == "keys_unavailable"
    assert jwks_server.fetches == 1

    jwks_server.status = 200
    clock.now = 10.0
    assert (await verifier.verify(token)).user_id == "user-1"
    assert jwks_server.fetches == 2


async def test_an_unreachable_jwks_is_keys_unavailable(
    http_client: httpx.AsyncClient, issuer: LocalIssuer
) -> None:
    # port 9 on loopback: nothing listens (connection refused)
    source = HttpKeySource(http_client, "http://127.0.0.1:9/.well-known/jwks.json", timeout=2.0)
    verifier = TokenVerifier(source, issuer=ISSUER, client_id=CLIENT_ID)
    assert await code_of(verifier, issuer.issue("user-1", None, "access")) == "keys_unavailable"


async def test_refresh_warms_the_cache(
    http_client: httpx.AsyncClient, jwks_server: JwksServer, issuer: LocalIssuer
) -> None:
    jwks_server.reset(issuer.jwks())
    source, _ = setup(http_client, jwks_server, Clock(0.0))
    await source.refresh()
    assert source.kids == {issuer.kid}
    assert jwks_server.fetches == 1


def test_unusable_keys_in_a_jwks_are_skipped(
    issuer: LocalIssuer, signing_key: rsa.RSAPrivateKey
) -> None:
    (good,) = issuer.jwks()["keys"]
    short = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 (the point)
    weak = LocalIssuer(short, issuer=ISSUER, client_id=CLIENT_ID).jwks()["keys"][0]
    document = {
        "keys": [
            good,
            {**good, "kid": "for-encryption", "use": "enc"},
            {**good, "kid": "hmac-claimed", "alg": "HS256"},
            {"kty": "oct", "kid": "symmetric", "k": "c2VjcmV0"},
            {**weak, "kid": "short"},
            {**good, "kid": "broken", "n": "!!!"},
            {key: value for key, value in good.items() if key != "kid"},
            "not-a-key",
        ]
    }
    assert set(parse_jwks(document)) == {issuer.kid}
    assert StaticKeySource(document).kids == {issuer.kid}
    assert parse_jwks({"keys": "nope"}) == {}
    assert parse_jwks(["keys"]) == {}


def test_jwks_url_of_an_issuer() -> None:
    assert (
        jwks_url("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/")
        == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/.well-known/jwks.json"
    )
