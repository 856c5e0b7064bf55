"""The climber's time zone in the browser: a page in Sydney signs up, and the account lives in
Sydney's days; signing in (or coming back to a tab) gives an account without a zone the
browser's, and never replaces one the climber chose.

The server's clock and the page's stand at the same fixed instant, Friday 4 December 2026,
09:02 in Sydney (still Thursday in UTC), so the test does not depend on the day it runs.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from store import open_table
from store.records.user import User
from store.repos.users import UserRepo
from tests.clock import FrozenClock, at
from tests.ui.browsing import PASSWORD, open_page, say, sign_up, wait_online
from tests.ui.conftest import DESKTOP, UiServer, ui_server

FRIDAY_MORNING_IN_SYDNEY = at("2026-12-03T22:02:00")
SYDNEY = "Australia/Sydney"


@pytest.fixture(scope="module")
def sydney_morning(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    """A server whose clock stands at Friday 09:02 in Sydney."""
    data_dir = Path(tmp_path_factory.mktemp("ui-zones"))
    with ui_server(data_dir, clock=FrozenClock(FRIDAY_MORNING_IN_SYDNEY)) as live:
        yield live


async def in_sydney(browser: Browser, server: UiServer) -> Page:
    page, _ = await open_page(
        browser, server.url, DESKTOP, timezone_id=SYDNEY, now=FRIDAY_MORNING_IN_SYDNEY
    )
    return page


async def account(server: UiServer, email: str) -> User:
    """The account as the server stored it."""
    async with open_table(
        f"sqlite:///{server.data_dir / 'v7.db'}", data_dir=server.data_dir, clock=server.clock
    ) as table:
        found = await UserRepo(table).find_by_email(email)
    assert found is not None
    return found


async def set_zone(server: UiServer, email: str, zone: str | None) -> None:
    async with open_table(
        f"sqlite:///{server.data_dir / 'v7.db'}", data_dir=server.data_dir, clock=server.clock
    ) as table:
        users = UserRepo(table)
        user = await users.find_by_email(email)
        assert user is not None
        preferences = user.preferences.model_copy(update={"timezone": zone})
        await users.update(user.id, {"preferences": preferences.to_wire()})


async def sign_in(page: Page, email: str) -> None:
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await wait_online(page)


async def test_a_climber_in_sydney_logs_yesterday_and_sees_thursday(
    sydney_morning: UiServer, browser: Browser, shots: Path
) -> None:
    page = await in_sydney(browser, sydney_morning)
    email = await sign_up(page)
    assert (await account(sydney_morning, email)).preferences.timezone == SYDNEY

    await say(page, "/profile timezone")
    await expect(page.locator(".msg.coach").last).to_contain_text(f"Time zone: {SYDNEY}")

    await say(page, "/log gym 60min yesterday")
    card = page.locator("article.card.saved").last
    date = card.locator("time.card-date")
    await expect(date).to_have_attribute("datetime", "2026-12-03")  # Thursday
    await expect(date).to_have_text("Yesterday")
    await page.screenshot(path=shots / "sydney-yesterday.png")

    # Moving to Berlin in the chat: a card with Undo, and Berlin's Thursday from then on.
    await say(page, "/profile timezone Europe/Berlin")
    moved = page.locator("article.card.saved[data-kind='timezone']")
    await expect(moved).to_contain_text("Europe/Berlin")
    await say(page, "/log gym 60min yesterday")
    await expect(page.locator("article.card.saved time.card-date").last).to_have_attribute(
        "datetime", "2026-12-02"
    )
    await page.screenshot(path=shots / "berlin-card.png")
    await moved.get_by_role("button", name="Undo").click()
    await expect(moved).to_have_attribute("data-state", "undone")
    assert (await account(sydney_morning, email)).preferences.timezone == SYDNEY
    await page.context.close()


async def test_signing_in_gives_an_account_without_a_zone_the_browsers_only(
    sydney_morning: UiServer, browser: Browser
) -> None:
    unset = f"unset-{uuid.uuid4().hex[:8]}@example.com"
    chosen = f"berlin-{uuid.uuid4().hex[:8]}@example.com"
    async with httpx.AsyncClient(base_url=sydney_morning.url, timeout=10) as http:
        for email, body in ((unset, {}), (chosen, {"timezone": "Europe/Berlin"})):
            created = await http.post(
                "/auth/signup", json={"email": email, "password": PASSWORD, **body}
            )
            assert created.status_code == 201, created.text
    assert (await account(sydney_morning, unset)).preferences.timezone is None

    page = await in_sydney(browser, sydney_morning)
    await sign_in(page, unset)
    assert (await account(sydney_morning, unset)).preferences.timezone == SYDNEY
    await say(page, "/log gym 60min")
    await expect(page.locator("article.card.saved time.card-date").last).to_have_attribute(
        "datetime", "2026-12-04"
    )

    # Coming back to the tab (a restored session) does the same for an account that has none.
    await set_zone(sydney_morning, unset, None)
    await page.reload()
    await wait_online(page)
    assert (await account(sydney_morning, unset)).preferences.timezone == SYDNEY
    await page.context.close()

    page = await in_sydney(browser, sydney_morning)
    await sign_in(page, chosen)
    assert (await account(sydney_morning, chosen)).preferences.timezone == "Europe/Berlin"
    await say(page, "/log gym 60min")  # Thursday evening in Berlin
    await expect(page.locator("article.card.saved time.card-date").last).to_have_attribute(
        "datetime", "2026-12-03"
    )
    await page.context.close()
