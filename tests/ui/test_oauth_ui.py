"""Google and Apple sign-in in the browser: the buttons the server offers, the round trip
through the hosted UI (the loopback stand-in, `tests/server/hosted_ui.py`, with real tokens of
moto's pool) back to the chat, signed in, with the code gone from the address bar."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import aioboto3
import pytest
from playwright.async_api import Browser, expect

from server.auth.oauth import CALLBACK_PATH
from tests.server.hosted_ui import HostedUi, hosted_ui
from tests.ui.browsing import open_page, wait_online
from tests.ui.conftest import (
    DESKTOP,
    PHONE,
    UiServer,
    bind_loopback,
    start_ui_server,
    stop_ui_server,
)

REGION = "us-east-1"


async def _pool(moto_endpoint: str, callback: str) -> tuple[str, str]:
    async with aioboto3.Session().client(
        "cognito-idp", region_name=REGION, endpoint_url=moto_endpoint
    ) as cognito:
        created = await cognito.create_user_pool(PoolName=f"v7-ui-{uuid.uuid4().hex[:6]}")
        pool_id = created["UserPool"]["Id"]
        client = await cognito.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="web",
            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["code"],
            AllowedOAuthScopes=["openid", "email", "profile"],
            CallbackURLs=[callback],
            ReadAttributes=["email", "email_verified", "name"],  # as the stack's client
        )
        return pool_id, client["UserPoolClient"]["ClientId"]


@pytest.fixture(scope="module")
def social(
    tmp_path_factory: pytest.TempPathFactory, moto_endpoint: str
) -> Iterator[tuple[UiServer, HostedUi]]:
    """A Cognito-mode server offering Google and Apple, and the hosted UI it sends browsers to."""
    listener = bind_loopback()
    callback = f"http://127.0.0.1:{listener.getsockname()[1]}{CALLBACK_PATH}"
    pool_id, client_id = asyncio.run(_pool(moto_endpoint, callback))
    with hosted_ui(moto_endpoint, pool_id, client_id, [callback]) as ui:
        live = start_ui_server(
            Path(tmp_path_factory.mktemp("ui-oauth")),
            listener,
            auth="cognito",
            cognito_region=REGION,
            cognito_user_pool_id=pool_id,
            cognito_client_id=client_id,
            cognito_endpoint_url=moto_endpoint,
            cognito_domain=ui.url,
            oauth_providers=["Google", "SignInWithApple"],
        )
        try:
            yield live, ui
        finally:
            stop_ui_server(live)


async def test_continue_with_google_opens_the_chat_signed_in(
    social: tuple[UiServer, HostedUi], browser: Browser, shots: Path
) -> None:
    server, ui = social
    ui.deny = False
    ui.email = f"ui-{uuid.uuid4().hex[:8]}@example.com"
    page, recorded = await open_page(browser, server.url, DESKTOP)
    google = page.get_by_role("link", name="Continue with Google")
    await expect(google).to_be_visible()
    await expect(page.get_by_role("link", name="Continue with Apple")).to_be_visible()
    await page.screenshot(path=str(shots / "signin-desktop.png"))

    await google.click()
    await wait_online(page)
    await expect(page.get_by_label("Email")).to_be_hidden()
    assert page.url == server.url + "/"  # the code and state are gone from the address bar
    assert ui.authorizations[-1]["identity_provider"] == "Google"
    await page.screenshot(path=str(shots / "chat-after-google.png"))
    assert not recorded.console_errors, recorded.console_errors  # the CSP let everything run
    assert not recorded.page_errors, recorded.page_errors
    assert not [url for url in recorded.urls if "eyJ" in url]  # no token in any URL

    await page.reload()  # stays signed in like a password sign-in (refresh token)
    await wait_online(page)
    await page.context.close()


async def test_a_cancelled_sign_in_is_said_on_the_sign_in_screen(
    social: tuple[UiServer, HostedUi], browser: Browser, shots: Path
) -> None:
    server, ui = social
    ui.deny = True
    try:
        page, _ = await open_page(browser, server.url, PHONE)
        await page.get_by_role("link", name="Continue with Apple").click()
        await expect(page.get_by_role("alert")).to_have_text("Sign-in was cancelled.")
        assert page.url == server.url + "/"
        await page.screenshot(path=str(shots / "cancelled-phone.png"))
        await page.context.close()
    finally:
        ui.deny = False


async def test_a_password_server_shows_no_provider_buttons(
    server: UiServer, browser: Browser
) -> None:
    page, _ = await open_page(browser, server.url, DESKTOP)
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    await expect(page.locator("#oauth")).to_be_hidden()
    await page.context.close()
