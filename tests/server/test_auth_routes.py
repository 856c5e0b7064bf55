"""`/auth/*` in local mode, through a real server."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import httpx

from server.auth.local_issuer import LocalIssuer
from server.auth.verifier import TokenVerifier
from tests.server.live import LiveServer

PASSWORD = "correct horse 9"


def new_email() -> str:
    return f"c-{uuid.uuid4().hex[:8]}@example.com"


async def test_sign_up_gives_tokens_the_server_verifies(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    response = await http.post(
        "/auth/signup", json={"email": new_email(), "password": PASSWORD, "name": "Ada"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["confirmationRequired"] is False
    tokens = body["tokens"]
    assert tokens["tokenType"] == "Bearer"
    assert tokens["expiresIn"] == server.settings.token_ttl_seconds

    jwks = (await http.get("/.well-known/jwks.json")).json()
    assert [key["alg"] for key in jwks["keys"]] == ["RS256"]
    assert "d" not in jwks["keys"][0]  # public half only
    issuer = LocalIssuer.load_or_create(
        server.settings.data_dir,
        issuer=server.settings.local_issuer,
        client_id=server.settings.local_client_id,
    )
    verifier = TokenVerifier(issuer.key_source(), issuer=issuer.issuer, client_id=issuer.client_id)
    principal = await verifier.verify(tokens["accessToken"])
    assert principal.user_id == body["userId"]


async def test_sign_up_refuses_a_taken_email_a_weak_password_and_a_bad_address(
    http: httpx.AsyncClient,
) -> None:
    email = new_email()
    first = await http.post("/auth/signup", json={"email": email, "password": PASSWORD})
    assert first.status_code == 201
    again = await http.post("/auth/signup", json={"email": email.upper(), "password": PASSWORD})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"

    weak = await http.post("/auth/signup", json={"email": new_email(), "password": "short"})
    assert weak.status_code == 422
    assert "at least 10 characters" in weak.json()["error"]["message"]
    assert weak.json()["error"]["fields"][0]["field"] == "password"

    bad = await http.post("/auth/signup", json={"email": "not-an-email", "password": PASSWORD})
    assert bad.status_code == 400

    missing = await http.post("/auth/signup", json={"email": new_email()})
    assert missing.status_code == 422
    assert missing.json()["error"]["fields"][0]["field"] == "password"


async def test_sign_in_failures_do_not_reveal_whether_the_email_exists(
    http: httpx.AsyncClient,
) -> None:
    email = new_email()
    await http.post("/auth/signup", json={"email": email, "password": PASSWORD})
    wrong = await http.post("/auth/signin", json={"email": email, "password": "wrong horse 9"})
    unknown = await http.post("/auth/signin", json={"email": new_email(), "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    good = await http.post("/auth/signin", json={"email": email, "password": PASSWORD})
    assert good.status_code == 200
    assert good.json()["refreshToken"]


async def test_refresh_then_sign_out_revokes_the_refresh_token(http: httpx.AsyncClient) -> None:
    email = new_email()
    await http.post("/auth/signup", json={"email": email, "password": PASSWORD})
    tokens = (await http.post("/auth/signin", json={"email": email, "password": PASSWORD})).json()
    refreshed = await http.post("/auth/refresh", json={"refreshToken": tokens["refreshToken"]})
    assert refreshed.status_code == 200
    assert refreshed.json()["accessToken"]

    out = await http.post("/auth/signout", json={"refreshToken": tokens["refreshToken"]})
    assert out.status_code == 204
    after = await http.post("/auth/refresh", json={"refreshToken": tokens["refreshToken"]})
    assert after.status_code == 401
    forged = await http.post("/auth/refresh", json={"refreshToken": "someone.else"})
    assert forged.status_code == 401


async def test_password_reset_through_the_local_outbox(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    email = new_email()
    await http.post("/auth/signup", json={"email": email, "password": PASSWORD})
    old = (await http.post("/auth/signin", json={"email": email, "password": PASSWORD})).json()

    unknown = await http.post("/auth/forgot-password", json={"email": new_email()})
    asked = await http.post("/auth/forgot-password", json={"email": email})
    assert asked.status_code == unknown.status_code == 202
    assert asked.json() == unknown.json()

    outbox = Path(server.settings.data_dir) / "outbox"
    mails = [path.read_text() for path in outbox.iterdir() if email in path.read_text()]
    assert len(mails) == 1
    code = re.search(r"code is (\d{6})", mails[0])
    assert code is not None

    new_password = "battery staple 7"
    wrong = await http.post(
        "/auth/confirm-password",
        json={"email": email, "code": "000000" if code[1] != "000000" else "111111",
              "newPassword": new_password},
    )  # fmt: skip
    assert wrong.status_code == 400
    done = await http.post(
        "/auth/confirm-password",
        json={"email": email, "code": code[1], "newPassword": new_password},
    )
    assert done.status_code == 204

    assert (
        await http.post("/auth/signin", json={"email": email, "password": PASSWORD})
    ).status_code == 401
    assert (
        await http.post("/auth/signin", json={"email": email, "password": new_password})
    ).status_code == 200
    # A reset signs every device out.
    stale = await http.post("/auth/refresh", json={"refreshToken": old["refreshToken"]})
    assert stale.status_code == 401
    reused = await http.post(
        "/auth/confirm-password", json={"email": email, "code": code[1], "newPassword": PASSWORD}
    )
    assert reused.status_code == 400


async def test_an_invalid_sign_in_or_sign_up_body_says_what_is_wrong_never_the_password(
    http: httpx.AsyncClient,
) -> None:
    secret = "hunter2-" * 40  # 320 characters: over the limit, and never to be echoed
    too_long = await http.post("/auth/signin", json={"email": new_email(), "password": secret})
    assert too_long.status_code == 422
    error = too_long.json()["error"]
    assert error["code"] == "invalid_entry"
    assert error["message"] == "password: String should have at most 256 characters"
    assert "hunter2" not in too_long.text
    missing = await http.post("/auth/signin", json={"password": "hunter2 is short"})
    assert missing.json()["error"]["message"] == "email: Field required"
    assert "hunter2" not in missing.text
    typo = await http.post("/auth/signup", json={"emial": new_email(), "pasword": secret})
    assert typo.status_code == 422
    assert typo.json()["error"]["message"] == "email: Field required (and 3 more)"
    assert "hunter2" not in typo.text
    not_an_object = await http.post("/auth/signin", json=[secret])
    assert not_an_object.json()["error"]["message"] == "body: Input should be an object"
    assert "hunter2" not in not_an_object.text


async def test_malformed_and_oversized_bodies_are_refused(http: httpx.AsyncClient) -> None:
    garbage = await http.post(
        "/auth/signin", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert garbage.status_code == 400
    huge = await http.post(
        "/auth/signin",
        content=b"{" + b" " * 300_000 + b"}",
        headers={"content-type": "application/json"},
    )
    assert huge.status_code == 413


async def test_cognito_only_steps_say_so_in_local_mode(http: httpx.AsyncClient) -> None:
    email = new_email()
    signed_up = await http.post("/auth/signup", json={"email": email, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {signed_up.json()['tokens']['accessToken']}"}
    steps = [
        ("POST", "/auth/confirm-signup", {"email": email, "code": "123456"}, {}),
        ("POST", "/auth/resend-code", {"email": email}, {}),
        ("POST", "/auth/mfa", {"email": email, "session": "s", "code": "123456"}, {}),
        ("POST", "/auth/mfa/setup", {"session": "s"}, {}),
        ("POST", "/auth/totp", None, headers),
        ("POST", "/auth/totp/verify", {"code": "123456"}, headers),
        ("DELETE", "/auth/totp", None, headers),
    ]
    for method, path, body, auth in steps:
        response = await http.request(method, path, json=body, headers=auth)
        assert response.status_code == 404, (path, response.text)
        assert response.json()["error"]["code"] == "not_found"
        assert "needs Cognito sign-in" in response.json()["error"]["message"]
    # The status answers, so a page can ask without meeting an error: off, and not offered.
    status = await http.get("/auth/totp", headers=headers)
    assert status.json() == {"enabled": False, "available": False}
    # Sign-in has no second step here: tokens straight away.
    signed_in = await http.post("/auth/signin", json={"email": email, "password": PASSWORD})
    assert signed_in.json()["accessToken"]


async def test_codes_are_six_digits_before_anything_is_asked(http: httpx.AsyncClient) -> None:
    for code in ("12345", "1234567", "12a456", ""):
        response = await http.post(
            "/auth/confirm-signup", json={"email": new_email(), "code": code}
        )
        assert response.status_code == 422, code
