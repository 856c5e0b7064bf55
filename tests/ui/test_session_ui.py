"""Accounts in the browser: the server's own error messages, staying signed in across a
reload (refresh token in sessionStorage), signing out, and refreshing the access token on the
open socket before it expires."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.ui.browsing import PASSWORD, fresh_email, open_page, say, sign_up, wait_online
from tests.ui.conftest import DESKTOP, UiServer, ui_server

SHORT_TTL_S = 4


@pytest.fixture(scope="module")
def short_lived(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    """A server whose access tokens live only a few seconds."""
    data_dir = Path(tmp_path_factory.mktemp("ui-short"))
    with ui_server(data_dir, token_ttl_seconds=SHORT_TTL_S) as live:
        yield live


async def test_the_form_shows_what_the_server_said(server: UiServer, browser: Browser) -> None:
    page, _ = await open_page(browser, server.url, DESKTOP)
    await page.get_by_label("Email").fill(fresh_email())
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_have_text("Incorrect email or password.")

    await page.get_by_role("tab", name="Create account").click()
    await page.get_by_label("Email").fill(fresh_email())
    await page.get_by_label("Password").fill("short")
    await page.get_by_role("button", name="Create account").click()
    # The server's words, next to the password field or above the button.
    await expect(page.get_by_text("Use at least 10 characters")).to_be_visible()

    await page.get_by_label("Email").fill("x")
    await page.get_by_role("button", name="Create account").click()
    await expect(page.locator("#err-email")).to_contain_text("at least 3 characters")
    await expect(page.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    await page.context.close()


async def test_a_reload_stays_signed_in_until_sign_out(server: UiServer, browser: Browser) -> None:
    page, _ = await open_page(browser, server.url, DESKTOP)
    email = await sign_up(page)
    await page.reload()
    await wait_online(page)
    await expect(page.get_by_label("Email")).to_be_hidden()

    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    await expect(page.locator("#conn-text")).to_have_text("Signed out")
    await page.reload()
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()

    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await wait_online(page)
    await page.context.close()


async def test_the_token_is_refreshed_on_the_open_socket(
    short_lived: UiServer, browser: Browser
) -> None:
    page, recorded = await open_page(browser, short_lived.url, DESKTOP)
    await sign_up(page)
    await asyncio.sleep(SHORT_TTL_S + 2)  # past the first token's expiry

    assert any(url.endswith("/auth/refresh") for url in recorded.urls)
    await say(page, "/history")
    await expect(page.locator(".msg.coach").last).to_contain_text("Nothing logged yet")
    # Still the first socket: the server never closed it for an expired token.
    assert sum(url.startswith("ws://") for url in recorded.urls) == 1
    await expect(page.locator("#conn-text")).to_have_text("Online")
    await page.context.close()
