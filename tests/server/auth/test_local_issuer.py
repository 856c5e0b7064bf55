"""The local issuer's key on disk, its JWKS, the claims it mints, and refresh token helpers."""

from __future__ import annotations

import stat
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from jose import jwt
from joserfc.jwk import RSAKey

from server.auth.errors import AuthError, KeyFileError
from server.auth.local_issuer import LocalIssuer, hash_refresh_token, new_refresh_token
from server.auth.verifier import TokenVerifier
from tests.server.auth.conftest import CLIENT_ID, ISSUER

KEY_PATH = Path("auth") / "signing-key.pem"


def start(data_dir: Path) -> LocalIssuer:
    return LocalIssuer.load_or_create(data_dir, issuer=ISSUER, client_id=CLIENT_ID)


def verifier_for(issuer: LocalIssuer) -> TokenVerifier:
    return TokenVerifier(issuer.key_source(), issuer=ISSUER, client_id=CLIENT_ID)


async def test_first_start_creates_a_private_key_and_later_starts_reuse_it(tmp_path: Path) -> None:
    first = start(tmp_path)
    key_file = tmp_path / KEY_PATH
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    token = first.issue("user-1", "a@example.com", "access")

    second = start(tmp_path)
    assert second.kid == first.kid
    assert second.jwks() == first.jwks()
    # a token minted before the restart still verifies after it
    assert (await verifier_for(second).verify(token)).user_id == "user-1"
    assert [p.name for p in key_file.parent.iterdir()] == [key_file.name]


async def test_another_data_dir_means_another_key(tmp_path: Path) -> None:
    one = start(tmp_path / "one")
    two = start(tmp_path / "two")
    assert one.kid != two.kid
    token = one.issue("user-1", None, "access")
    assert (await verifier_for(one).verify(token)).user_id == "user-1"
    with pytest.raises(AuthError) as caught:
        await verifier_for(two).verify(token)
    assert caught.value.code == "unknown_key"


def test_concurrent_first_starts_agree_on_one_key(tmp_path: Path) -> None:
    racers = 4
    barrier = threading.Barrier(racers)

    def race() -> str:
        barrier.wait()
        return start(tmp_path).kid

    with ThreadPoolExecutor(max_workers=racers) as pool:
        kids = list(pool.map(lambda _: race(), range(racers)))
    assert len(set(kids)) == 1
    assert kids[0] == start(tmp_path).kid
    # no temporary files left behind by the losers
    assert [p.name for p in (tmp_path / KEY_PATH).parent.iterdir()] == ["signing-key.pem"]


def test_an_unusable_key_file_stops_the_start_and_is_kept(tmp_path: Path) -> None:
    key_file = tmp_path / KEY_PATH
    key_file.parent.mkdir(parents=True)
    key_file.write_text("not a key")
    with pytest.raises(KeyFileError):
        start(tmp_path)
    assert key_file.read_text() == "not a key"


def test_kid_is_the_rfc7638_thumbprint_and_jwks_is_public_only(tmp_path: Path) -> None:
    issuer = start(tmp_path)
    (entry,) = issuer.jwks()["keys"]
    assert entry["kid"] == issuer.kid
    assert entry["kty"] == "RSA"
    assert entry["alg"] == "RS256"
    assert entry["use"] == "sig"
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(entry)
    independent = RSAKey.import_key({"kty": "RSA", "n": entry["n"], "e": entry["e"]})
    assert independent.thumbprint() == issuer.kid


def test_minted_claims_follow_cognitos_shape(issuer: LocalIssuer) -> None:
    tokens = issuer.issue_tokens("user-7", "b@example.com", ttl=120, auth_time=1_700_000_000)
    header = jwt.get_unverified_header(tokens.access_token)
    access = jwt.get_unverified_claims(tokens.access_token)
    id_claims = jwt.get_unverified_claims(tokens.id_token)
    assert header["alg"] == "RS256"
    assert header["kid"] == issuer.kid
    assert access["iss"] == id_claims["iss"] == ISSUER
    assert access["sub"] == id_claims["sub"] == "user-7"
    assert access["token_use"] == "access"
    assert access["client_id"] == CLIENT_ID
    assert "aud" not in access
    assert "email" not in access
    assert id_claims["token_use"] == "id"
    assert id_claims["aud"] == CLIENT_ID
    assert id_claims["email"] == "b@example.com"
    assert access["exp"] - access["iat"] == 120
    assert access["auth_time"] == id_claims["auth_time"] == 1_700_000_000
    assert access["jti"] != id_claims["jti"]


@pytest.mark.parametrize("ttl", [0, -5])
def test_non_positive_ttl_is_refused(issuer: LocalIssuer, ttl: float) -> None:
    with pytest.raises(ValueError, match="ttl"):
        issuer.issue("user-1", None, "access", ttl=ttl)


def test_refresh_tokens_are_random_and_only_their_hash_is_kept() -> None:
    tokens = {new_refresh_token() for _ in range(50)}
    assert len({token for token, _ in tokens}) == 50
    for token, digest in tokens:
        assert len(token) >= 43  # 32 random bytes, base64url
        assert digest == hash_refresh_token(token)
        assert token not in digest
        assert len(digest) == 64
    assert hash_refresh_token("a") != hash_refresh_token("b")
