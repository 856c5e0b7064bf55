"""The verifier against tokens of the local issuer, and against attack tokens."""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import UTC

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwe

from server.auth.errors import AuthError
from server.auth.jwks import StaticKeySource
from server.auth.local_issuer import LocalIssuer
from server.auth.verifier import TokenUse, TokenVerifier
from tests.server.auth.conftest import (
    CLIENT_ID,
    ISSUER,
    Clock,
    access_claims,
    b64url,
    b64url_json,
    public_pem,
    sign_rs256,
)


async def refused(verifier: TokenVerifier, token: str, *, use: TokenUse = "access") -> AuthError:
    """The error `verifier` raises for `token`; checks the token is not echoed in it."""
    with pytest.raises(AuthError) as caught:
        await verifier.verify(token, token_use=use)
    if token:
        assert token not in str(caught.value)
    return caught.value


async def test_valid_access_token_gives_its_principal(
    issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    before = int(time.time())
    token = issuer.issue("user-42", "ada@example.com", "access", ttl=900)
    principal = await verifier.verify(token)
    assert principal.user_id == "user-42"
    assert principal.token_use == "access"
    assert principal.client_id == CLIENT_ID
    assert principal.expires_at.tzinfo == UTC
    assert before + 900 <= principal.expires_at.timestamp() <= time.time() + 900
    assert before <= principal.issued_at.timestamp() <= time.time()
    assert principal.token_id


async def test_valid_id_token_carries_the_email(
    issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    tokens = issuer.issue_tokens("user-42", "ada@example.com", ttl=300)
    principal = await verifier.verify(tokens.id_token, token_use="id")
    assert principal.user_id == "user-42"
    assert principal.email == "ada@example.com"
    assert principal.token_use == "id"
    assert tokens.expires_in == 300
    assert (await verifier.verify(tokens.access_token)).user_id == "user-42"


async def test_principal_is_immutable(issuer: LocalIssuer, verifier: TokenVerifier) -> None:
    principal = await verifier.verify(issuer.issue("user-1", None, "access"))
    with pytest.raises(ValueError, match="frozen"):
        principal.user_id = "someone-else"  # type: ignore[misc]


async def test_scopes_and_groups_are_read_when_present(
    signing_key: rsa.RSAPrivateKey, issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    claims = access_claims(scope="openid profile", **{"cognito:groups": ["coaches", "pro"]})
    principal = await verifier.verify(sign_rs256(signing_key, claims, {"kid": issuer.kid}))
    assert principal.scopes == ("openid", "profile")
    assert principal.groups == ("coaches", "pro")


async def test_alg_none_is_refused(issuer: LocalIssuer, verifier: TokenVerifier) -> None:
    token = ".".join(
        [
            b64url_json({"alg": "none", "typ": "JWT", "kid": issuer.kid}),
            b64url_json(access_claims()),
            "",
        ]
    )
    assert (await refused(verifier, token)).code == "bad_algorithm"


async def test_hs256_signed_with_the_public_key_is_refused(
    signing_key: rsa.RSAPrivateKey, issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    # the classic key-confusion attack: the public key PEM used as an HMAC secret
    signing_input = ".".join(
        [
            b64url_json({"alg": "HS256", "typ": "JWT", "kid": issuer.kid}),
            b64url_json(access_claims()),
        ]
    )
    signature = hmac.new(public_pem(signing_key), signing_input.encode(), hashlib.sha256).digest()
    token = f"{signing_input}.{b64url(signature)}"
    assert (await refused(verifier, token)).code == "bad_algorithm"


async def test_hs256_mac_presented_as_rs256_is_a_bad_signature(
    signing_key: rsa.RSAPrivateKey, issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    signing_input = ".".join(
        [
            b64url_json({"alg": "RS256", "typ": "JWT", "kid": issuer.kid}),
            b64url_json(access_claims()),
        ]
    )
    signature = hmac.new(public_pem(signing_key), signing_input.encode(), hashlib.sha256).digest()
    token = f"{signing_input}.{b64url(signature)}"
    assert (await refused(verifier, token)).code == "bad_signature"


async def test_unknown_kid_is_refused(
    other_key: rsa.RSAPrivateKey, verifier: TokenVerifier
) -> None:
    token = sign_rs256(other_key, access_claims(), {"kid": "not-a-known-key"})
    assert (await refused(verifier, token)).code == "unknown_key"


async def test_missing_kid_is_refused(
    signing_key: rsa.RSAPrivateKey, verifier: TokenVerifier
) -> None:
    token = sign_rs256(signing_key, access_claims(), {})
    assert (await refused(verifier, token)).code == "missing_kid"


async def test_payload_altered_after_signing_is_refused(
    issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    header, _, signature = issuer.issue("user-1", None, "access").split(".")
    forged = f"{header}.{b64url_json(access_claims(sub='admin'))}.{signature}"
    assert (await refused(verifier, forged)).code == "bad_signature"


async def test_another_key_under_the_same_kid_is_refused(
    other_key: rsa.RSAPrivateKey, issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    token = sign_rs256(other_key, access_claims(), {"kid": issuer.kid})
    assert (await refused(verifier, token)).code == "bad_signature"


async def test_a_key_embedded_in_the_header_is_ignored(
    other_key: rsa.RSAPrivateKey, issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    attacker_jwk = LocalIssuer(other_key, issuer=ISSUER, client_id=CLIENT_ID).jwks()["keys"][0]
    token = sign_rs256(
        other_key,
        access_claims(),
        {"kid": issuer.kid, "jwk": attacker_jwk, "jku": "http://127.0.0.1:1/jwks.json"},
    )
    assert (await refused(verifier, token)).code == "bad_signature"


async def test_another_issuer_is_refused(
    signing_key: rsa.RSAPrivateKey, verifier: TokenVerifier
) -> None:
    elsewhere = LocalIssuer(signing_key, issuer="https://evil.example/local", client_id=CLIENT_ID)
    token = elsewhere.issue("user-1", None, "access")
    assert (await refused(verifier, token)).code == "wrong_issuer"


async def test_issuer_must_match_exactly(
    signing_key: rsa.RSAPrivateKey, verifier: TokenVerifier
) -> None:
    trailing = LocalIssuer(signing_key, issuer=ISSUER + "/", client_id=CLIENT_ID)
    assert (await refused(verifier, trailing.issue("u", None, "access"))).code == "wrong_issuer"


async def test_another_client_is_refused_for_both_kinds(
    signing_key: rsa.RSAPrivateKey, verifier: TokenVerifier
) -> None:
    other_app = LocalIssuer(signing_key, issuer=ISSUER, client_id="another-app")
    access = other_app.issue("user-1", None, "access")
    id_token = other_app.issue("user-1", "a@example.com", "id")
    assert (await refused(verifier, access)).code == "wrong_client"
    assert (await refused(verifier, id_token, use="id")).code == "wrong_client"


async def test_id_token_where_access_is_required_and_vice_versa(
    issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    tokens = issuer.issue_tokens("user-1", "a@example.com")
    assert (await refused(verifier, tokens.id_token)).code == "wrong_token_use"
    assert (await refused(verifier, tokens.access_token, use="id")).code == "wrong_token_use"


async def test_expiry_honours_the_leeway_and_no_more(
    issuer: LocalIssuer, verifier: TokenVerifier, clock: Clock
) -> None:
    token = issuer.issue("user-1", None, "access", ttl=60)
    principal = await verifier.verify(token)
    expires = principal.expires_at.timestamp()

    clock.now = expires + 29  # default leeway is 30 s
    assert (await verifier.verify(token)).user_id == "user-1"
    clock.now = expires + 31
    assert (await refused(verifier, token)).code == "expired"


async def test_zero_leeway_refuses_at_expiry(issuer: LocalIssuer, clock: Clock) -> None:
    strict = TokenVerifier(
        issuer.key_source(), issuer=ISSUER, client_id=CLIENT_ID, leeway=0, clock=clock
    )
    token = issuer.issue("user-1", None, "access", ttl=60)
    clock.now = time.time() + 61
    assert (await refused(strict, token)).code == "expired"


@pytest.mark.parametrize("leeway", [-1.0, 61.0, 3600.0])
def test_leeway_is_bounded(issuer: LocalIssuer, leeway: float) -> None:
    with pytest.raises(ValueError, match="leeway"):
        TokenVerifier(issuer.key_source(), issuer=ISSUER, client_id=CLIENT_ID, leeway=leeway)


async def test_not_before_in_the_future_is_refused(
    signing_key: rsa.RSAPrivateKey, issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    soon = int(time.time()) + 120
    early = sign_rs256(signing_key, access_claims(nbf=soon), {"kid": issuer.kid})
    assert (await refused(verifier, early)).code == "not_yet_valid"
    within = sign_rs256(signing_key, access_claims(nbf=int(time.time()) + 10), {"kid": issuer.kid})
    assert (await verifier.verify(within)).user_id == "user-1"


async def test_issued_in_the_future_is_refused(
    signing_key: rsa.RSAPrivateKey, issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    later = int(time.time()) + 3600
    token = sign_rs256(signing_key, access_claims(iat=later, exp=later + 600), {"kid": issuer.kid})
    assert (await refused(verifier, token)).code == "not_yet_valid"


@pytest.mark.parametrize(
    "overrides",
    [
        {"exp": "tomorrow"},
        {"exp": True},
        {"exp": None},
        {"iat": None},
        {"sub": None},
        {"sub": 7},
        {"exp": float("inf")},
        {"exp": 10**20},
        {"iat": -1},
    ],
)
async def test_claims_of_the_wrong_type_are_malformed(
    signing_key: rsa.RSAPrivateKey,
    issuer: LocalIssuer,
    verifier: TokenVerifier,
    overrides: dict[str, object],
) -> None:
    claims = {k: v for k, v in access_claims(**overrides).items() if v is not None}
    token = sign_rs256(signing_key, claims, {"kid": issuer.kid})
    assert (await refused(verifier, token)).code == "malformed"


async def test_a_jwe_is_refused(signing_key: rsa.RSAPrivateKey, verifier: TokenVerifier) -> None:
    token = jwe.encrypt(
        b'{"sub":"user-1"}', public_pem(signing_key), encryption="A256GCM", algorithm="RSA-OAEP"
    ).decode()
    assert token.count(".") == 4
    assert (await refused(verifier, token)).code == "malformed"


@pytest.mark.parametrize(
    "garbage",
    ["", "not a token", "a.b.c", "..", "eyJ.e30.", "x" * 20000, "ünïcödé.ünï.cödé", "a.b"],
)
async def test_garbage_is_malformed(verifier: TokenVerifier, garbage: str) -> None:
    assert (await refused(verifier, garbage)).code == "malformed"


async def test_a_key_source_without_the_kid_refuses_everything(issuer: LocalIssuer) -> None:
    empty = TokenVerifier(StaticKeySource({"keys": []}), issuer=ISSUER, client_id=CLIENT_ID)
    token = issuer.issue("user-1", None, "access")
    assert (await refused(empty, token)).code == "unknown_key"


async def test_error_messages_never_echo_the_token(
    other_key: rsa.RSAPrivateKey, issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    token = sign_rs256(other_key, access_claims(sub="secret-subject"), {"kid": issuer.kid})
    error = await refused(verifier, token)
    assert "secret-subject" not in str(error)
    assert error.is_token_error
