"""Google and Apple sign-in through the hosted UI (a loopback stand-in, `tests/server/hosted_ui.py`,
handing out real tokens of moto's pool): through the real routes of a live server in Cognito
mode, and across two servers sharing one Redis."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.typing import Origin, Subprotocol

from server.auth.errors import AuthError
from server.auth.oauth import CALLBACK_PATH, authorize_url, challenge, parse_token_response
from server.settings import Settings
from tests.server.hosted_ui import HostedUi, hosted_ui
from tests.server.live import ORIGIN, LiveServer, live_server
from tests.server.pair import server_pair
from tests.server.pools import new_pool

REGION = "us-east-1"
REDIRECT = ORIGIN + CALLBACK_PATH  # the test servers' first allowed origin


def test_the_challenge_is_rfc_7636s_s256() -> None:
    # RFC 7636, appendix B
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_the_authorize_url_is_cognitos_documented_one() -> None:
    url = authorize_url(
        "https://login.example.com/",
        client_id="abc",
        redirect="https://coach.example.com/auth/oauth/callback",
        provider="SignInWithApple",
        state="st",
        verifier="dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
    )
    assert url == (
        "https://login.example.com/oauth2/authorize?response_type=code&client_id=abc"
        "&redirect_uri=https%3A%2F%2Fcoach.example.com%2Fauth%2Foauth%2Fcallback"
        "&identity_provider=SignInWithApple&scope=openid+email+profile&state=st"
        "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
    )


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, {"error": "invalid_grant"}),
        (200, {"access_token": "a"}),  # no id token
        (200, {"access_token": "a", "id_token": "i", "token_type": "mac"}),
        (200, ["not", "an", "object"]),
        (502, None),
    ],
)
def test_a_token_answer_without_tokens_is_oauth_failed(status: int, body: object) -> None:
    with pytest.raises(AuthError) as raised:
        parse_token_response(status, body)
    assert raised.value.code == "oauth_failed"


@pytest.mark.parametrize(
    "domain", ["login.example.com", "https://x.example.com/path", "https://x.example.com?a=1"]
)
def test_the_hosted_ui_setting_is_a_bare_base_url(domain: str) -> None:
    with pytest.raises(ValueError, match="base URL"):
        Settings(cognito_domain=domain)


@pytest.fixture(scope="module")
def pool(moto_endpoint: str) -> dict[str, str]:
    # Federated users keep their email as an attribute, not as the username (see hosted_ui.py)
    return new_pool(
        moto_endpoint,
        "oauth",
        email_usernames=False,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email", "profile"],
        CallbackURLs=[REDIRECT],
        ReadAttributes=["email", "email_verified", "name"],  # as the stack's client
    )


@pytest.fixture(scope="module")
def ui(moto_endpoint: str, pool: dict[str, str]) -> Iterator[HostedUi]:
    with hosted_ui(moto_endpoint, pool["pool_id"], pool["client_id"], [REDIRECT]) as stand_in:
        yield stand_in


def cognito_settings(moto_endpoint: str, pool: dict[str, str], ui: HostedUi) -> dict[str, Any]:
    return {
        "auth": "cognito",
        "cognito_region": REGION,
        "cognito_user_pool_id": pool["pool_id"],
        "cognito_client_id": pool["client_id"],
        "cognito_endpoint_url": moto_endpoint,
        "cognito_domain": ui.url,
        "oauth_providers": ["Google", "SignInWithApple"],
    }


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory,
    moto_endpoint: str,
    pool: dict[str, str],
    ui: HostedUi,
) -> Iterator[LiveServer]:
    settings = cognito_settings(moto_endpoint, pool, ui)
    with live_server(Path(tmp_path_factory.mktemp("oauth")), **settings) as live:
        yield live


@pytest.fixture
async def browser() -> AsyncIterator[httpx.AsyncClient]:
    """One browser: one cookie jar, redirects followed by hand."""
    async with httpx.AsyncClient(timeout=10) as http:
        yield http


async def begin(http: httpx.AsyncClient, server: LiveServer, provider: str = "Google") -> str:
    """Press the provider's button: the hosted UI's authorize URL the server redirects to."""
    started = await http.get(f"{server.url}/auth/oauth/{provider}")
    assert started.status_code == 302, started.text
    return started.headers["location"]


async def at_provider(http: httpx.AsyncClient, authorize: str) -> dict[str, str]:
    """Sign in at the provider: the query the browser is sent back to the app with."""
    back = await http.get(authorize)
    assert back.status_code == 302, back.text
    location = back.headers["location"]
    assert location.startswith(REDIRECT + "?")
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


async def finish(
    http: httpx.AsyncClient, server: LiveServer, code: str, state: str
) -> httpx.Response:
    return await http.post(f"{server.url}/auth/oauth/token", json={"code": code, "state": state})


def refused(response: httpx.Response) -> None:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["code"], error["reason"]) == ("bad_request", "oauth_failed")
    assert "accessToken" not in response.text
    assert 'v7_oauth=""' in response.headers["set-cookie"]  # the flow is over in this browser


async def test_google_sign_in_gives_tokens_for_rest_and_socket_and_creates_the_climber(
    server: LiveServer, ui: HostedUi, browser: httpx.AsyncClient
) -> None:
    ui.email = f"g-{uuid.uuid4().hex[:8]}@example.com"
    listed = await browser.get(f"{server.url}/auth/oauth")
    assert listed.json() == {"providers": ["Google", "SignInWithApple"]}

    started = await browser.get(f"{server.url}/auth/oauth/Google")
    assert started.status_code == 302
    cookie = started.headers["set-cookie"].lower()
    for attribute in ("httponly", "samesite=lax", "path=/auth/oauth", "max-age=600"):
        assert attribute in cookie
    assert "secure" not in cookie  # the origin is http on loopback
    authorize = started.headers["location"]
    assert authorize.startswith(f"{ui.url}/oauth2/authorize?")
    back = await at_provider(browser, authorize)
    asked = ui.authorizations[-1]
    assert asked["response_type"] == "code"
    assert asked["client_id"] == server.settings.cognito_client_id
    assert asked["redirect_uri"] == REDIRECT
    assert asked["identity_provider"] == "Google"
    assert asked["scope"] == "openid email profile"
    assert asked["code_challenge_method"] == "S256"
    assert asked["state"] == back["state"] == browser.cookies["v7_oauth"]
    assert "code_verifier" not in authorize
    assert "eyJ" not in authorize

    signed_in = await finish(browser, server, back["code"], back["state"])
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.headers["cache-control"] == "no-store"
    assert "v7_oauth" not in browser.cookies
    exchange = ui.exchanges[-1]
    assert challenge(exchange["code_verifier"]) == asked["code_challenge"]  # the stand-in agreed
    tokens = signed_in.json()
    assert tokens["tokenType"] == "Bearer"
    assert tokens["refreshToken"]

    bearer = {"Authorization": f"Bearer {tokens['accessToken']}"}
    profile = await browser.get(f"{server.url}/users/profile", headers=bearer)
    assert profile.status_code == 200, profile.text
    assert profile.json()["email"] == ui.email
    async with connect(
        server.ws_url,
        subprotocols=[Subprotocol("v7.chat.v1"), Subprotocol(f"bearer.{tokens['accessToken']}")],
        origin=Origin(ORIGIN),
    ) as socket:
        ready = json.loads(await socket.recv())
        assert ready["type"] == "ready"
        assert ready["user"]["id"] == profile.json()["id"]

    # Apple is offered the same way, under its Cognito name.
    assert "identity_provider=SignInWithApple" in await begin(browser, server, "SignInWithApple")


async def test_a_state_that_is_not_this_browsers_is_refused_before_the_code_is_spent(
    server: LiveServer, ui: HostedUi, browser: httpx.AsyncClient
) -> None:
    back = await at_provider(browser, await begin(browser, server))
    exchanges = len(ui.exchanges)
    refused(await finish(browser, server, back["code"], "another-state"))
    assert len(ui.exchanges) == exchanges  # the code never reached the token endpoint
    # The browser's own flow ended with it: the right state is now refused too.
    refused(await finish(browser, server, back["code"], back["state"]))


async def test_without_the_cookie_the_code_and_state_are_refused(
    server: LiveServer, browser: httpx.AsyncClient
) -> None:
    back = await at_provider(browser, await begin(browser, server))
    async with httpx.AsyncClient(timeout=10) as elsewhere:  # another browser, no cookie
        refused(await finish(elsewhere, server, back["code"], back["state"]))


async def test_a_replayed_code_or_state_is_refused(
    server: LiveServer, browser: httpx.AsyncClient
) -> None:
    first = await at_provider(browser, await begin(browser, server))
    assert (await finish(browser, server, first["code"], first["state"])).status_code == 200

    # The same code and state again, with the cookie put back: the flow was taken.
    browser.cookies.set("v7_oauth", first["state"], domain="127.0.0.1", path="/auth/oauth")
    refused(await finish(browser, server, first["code"], first["state"]))

    # The spent code in a fresh flow of this browser: Cognito refuses it.
    second = await at_provider(browser, await begin(browser, server))
    refused(await finish(browser, server, first["code"], second["state"]))


async def test_a_code_issued_for_another_flow_fails_pkce(
    server: LiveServer, browser: httpx.AsyncClient
) -> None:
    """A code injected into this browser's flow (issued against another verifier's challenge)
    is refused by the token endpoint: the verifier the server holds does not match it."""
    async with httpx.AsyncClient(timeout=10) as attacker:
        stolen = await at_provider(attacker, await begin(attacker, server))
    mine = await at_provider(browser, await begin(browser, server))
    refused(await finish(browser, server, stolen["code"], mine["state"]))


async def test_a_provider_email_of_a_password_account_is_told_to_use_the_password(
    server: LiveServer, ui: HostedUi, browser: httpx.AsyncClient
) -> None:
    ui.email = f"pw-{uuid.uuid4().hex[:8]}@example.com"
    password = {"email": ui.email, "password": "Correct-horse-9"}
    assert (await browser.post(f"{server.url}/auth/signup", json=password)).status_code == 201
    back = await at_provider(browser, await begin(browser, server))
    response = await finish(browser, server, back["code"], back["state"])
    refused(response)
    assert "sign in with its password" in response.json()["error"]["message"]


async def test_an_unknown_provider_is_not_found(
    server: LiveServer, browser: httpx.AsyncClient
) -> None:
    for provider in ("Facebook", "google", "COGNITO"):
        response = await browser.get(f"{server.url}/auth/oauth/{provider}")
        assert response.status_code == 404
        assert "set-cookie" not in response.headers


async def test_the_callback_serves_the_app_page_under_its_policy(
    server: LiveServer, browser: httpx.AsyncClient
) -> None:
    page = await browser.get(f"{server.url}{CALLBACK_PATH}?code=c&state=s")
    assert page.status_code == 200
    assert 'id="oauth-buttons"' in page.text  # the page that finishes the flow
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"  # the code goes nowhere else


async def test_with_oauth_unconfigured_nothing_is_offered(
    tmp_path: Path, moto_endpoint: str, pool: dict[str, str], ui: HostedUi
) -> None:
    cognito = cognito_settings(moto_endpoint, pool, ui)
    for settings in ({}, {**cognito, "cognito_domain": ""}, {**cognito, "oauth_providers": []}):
        with live_server(tmp_path / uuid.uuid4().hex, **settings) as live:
            async with httpx.AsyncClient(base_url=live.url, timeout=10) as http:
                assert (await http.get("/auth/oauth")).json() == {"providers": []}
                assert (await http.get("/auth/oauth/Google")).status_code == 404
                assert (await http.get(CALLBACK_PATH)).status_code == 404
                token = await http.post("/auth/oauth/token", json={"code": "c", "state": "s"})
                assert token.status_code == 404


async def test_a_flow_started_on_one_server_finishes_on_the_other(
    tmp_path: Path, moto_endpoint: str, pool: dict[str, str], ui: HostedUi
) -> None:
    ui.email = f"p-{uuid.uuid4().hex[:8]}@example.com"
    with server_pair(tmp_path, **cognito_settings(moto_endpoint, pool, ui)) as pair:
        async with httpx.AsyncClient(timeout=10) as http:
            back = await at_provider(http, await begin(http, pair.a))
            signed_in = await finish(http, pair.b, back["code"], back["state"])
            assert signed_in.status_code == 200, signed_in.text
            bearer = {"Authorization": f"Bearer {signed_in.json()['accessToken']}"}
            for server in (pair.a, pair.b):
                profile = await http.get(f"{server.url}/users/profile", headers=bearer)
                assert profile.json()["email"] == ui.email
