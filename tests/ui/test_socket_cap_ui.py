"""The socket cap in the browser: a tab whose socket the server closed because the climber has
too many open (the oldest goes) says so and waits for "Retry now" instead of reconnecting on
its own, which would close the climber's other tab in turn."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tests.ui.browsing import PASSWORD, Recorded, open_page, sign_up, wait_online
from tests.ui.conftest import DESKTOP, UiServer, ui_server


@pytest.fixture(scope="module")
def one_socket(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    """A server that lets each climber hold one socket."""
    with ui_server(Path(tmp_path_factory.mktemp("ui-cap")), max_sockets_per_user=1) as live:
        yield live


async def sign_in(page: Page, email: str) -> None:
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await wait_online(page)


def sockets_opened(recorded: Recorded) -> int:
    return sum(url.startswith("ws://") for url in recorded.urls)


async def test_the_oldest_tab_pauses_until_retry_now(
    one_socket: UiServer, browser: Browser
) -> None:
    first, first_did = await open_page(browser, one_socket.url, DESKTOP)
    email = await sign_up(first)
    second, second_did = await open_page(browser, one_socket.url, DESKTOP)
    await sign_in(second, email)

    await expect(first.locator("#conn")).to_have_attribute("data-state", "paused")
    await expect(first.locator("#conn-text")).to_have_text("Paused: too many tabs")
    await asyncio.sleep(2)  # longer than any reconnect backoff's first step
    assert sockets_opened(first_did) == 1
    await expect(second.locator("#conn-text")).to_have_text("Online")

    # The climber picks the first tab again: it reconnects and the other one pauses.
    await first.get_by_role("button", name="Retry now").click()
    await wait_online(first)
    await expect(second.locator("#conn-text")).to_have_text("Paused: too many tabs")
    assert sockets_opened(second_did) == 1
    for page in (first, second):
        await page.context.close()
