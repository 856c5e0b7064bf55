"""The "Email from your coach" dialog end to end, in headless Chromium against a live server: a
Pro climber turns the weekly report on from the header's Email button and it is in their
account (and still on after a reload), with the rest of their profile untouched; a Free climber
on a phone sees the weekly report greyed out with the line saying Pro includes it, turns the
reminder on, and, when their profile changed elsewhere in between, is told nothing was saved and
shown the account as it is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, expect

from store import open_table
from store.records.user import Subscription, Tier, User
from store.repos.users import UserRepo
from tests.ui.browsing import open_page, sign_up
from tests.ui.conftest import DESKTOP, PHONE, UiServer

WEEKLY = "Weekly report (Mondays)"
REMINDER = "Reminder to log a planned day"
SIDEWAYS_JS = (
    "() => [document.documentElement, document.body, ...document.querySelectorAll("
    "'#email-prefs, #email-prefs .switch-row, .topbar')]"
    ".filter(el => el.scrollWidth > el.clientWidth + 1).map(el => el.id || el.className)"
)


async def account(server: UiServer, email: str, **changes: Any) -> User:
    """The climber's account in the server's store, after `changes` (`tier`, or profile fields
    as their own profile page would change them) when given."""
    async with open_table(
        f"sqlite:///{server.data_dir / 'v7.db'}", data_dir=server.data_dir, clock=server.clock
    ) as table:
        users = UserRepo(table)
        user = await users.find_by_email(email)
        assert user is not None
        tier = changes.pop("tier", None)
        if tier is not None:
            user = await users.set_subscription(user.id, Subscription(tier=tier))
        if changes:
            user = await users.update(user.id, changes)
        return user


async def open_dialog(page: Page) -> None:
    await page.get_by_role("button", name="Email", exact=True).click()
    dialog = page.get_by_role("dialog", name="Email from your coach")
    await expect(dialog).to_be_visible()
    await expect(dialog).not_to_have_attribute("aria-busy", "true")


async def test_a_pro_climber_turns_the_weekly_report_on_and_it_stays_on(
    server: UiServer, browser: Browser, shots: Path
) -> None:
    page, recorded = await open_page(browser, server.url, DESKTOP)
    email = await sign_up(page, name="Ada Ondra")
    await account(
        server,
        email,
        tier=Tier.PRO,
        preferences={"units": "imperial", "timezone": "Europe/Prague"},
    )

    await open_dialog(page)
    weekly = page.get_by_role("switch", name=WEEKLY)
    await expect(weekly).not_to_be_checked()
    await expect(weekly).to_be_enabled()
    await expect(weekly).to_be_focused()  # the keyboard starts on the first switch
    await expect(page.get_by_text("comes with Pro")).to_be_hidden()
    await expect(page.locator("#email-prefs-address")).to_have_text(email)

    await page.keyboard.press("Space")
    await expect(page.get_by_role("status").filter(has_text="Saved")).to_have_text(
        "Saved. Weekly report on."
    )
    await expect(weekly).to_be_checked()
    await page.screenshot(path=shots / "email-prefs-pro-desktop.png")
    saved = await account(server, email)
    assert saved.preferences.email_reports is True
    assert saved.preferences.reminders is False
    # The whole profile went back with the switch: nothing else in it was lost.
    assert (saved.name, saved.preferences.units.value) == ("Ada Ondra", "imperial")
    assert saved.preferences.timezone == "Europe/Prague"

    await page.keyboard.press("Escape")
    await expect(page.get_by_role("dialog")).to_have_count(0)

    await page.reload()
    await expect(page.locator("#conn")).to_have_attribute("data-state", "online")
    await open_dialog(page)
    await expect(page.get_by_role("switch", name=WEEKLY)).to_be_checked()
    await expect(page.get_by_role("switch", name=REMINDER)).not_to_be_checked()
    assert recorded.page_errors == []
    assert recorded.console_errors == []
    await page.context.close()


async def test_a_free_climber_sees_the_report_is_pro_and_turns_reminders_on(
    server: UiServer, browser: Browser, shots: Path
) -> None:
    page, recorded = await open_page(browser, server.url, PHONE)
    email = await sign_up(page, name="Janja")

    await open_dialog(page)
    weekly = page.get_by_role("switch", name=WEEKLY)
    reminder = page.get_by_role("switch", name=REMINDER)
    await expect(weekly).to_be_disabled()
    await expect(page.get_by_text("The weekly report comes with Pro.")).to_be_visible()
    await expect(reminder).to_be_enabled()
    await expect(reminder).to_be_focused()
    await page.screenshot(path=shots / "email-prefs-free-phone.png")
    assert await page.evaluate(SIDEWAYS_JS) == []

    # Their profile changes elsewhere (another tab) while the dialog is open: the save is
    # refused rather than overwriting it, and the dialog shows the account as it is now.
    await account(server, email, name="Janja G.")
    await reminder.click()
    await expect(page.get_by_role("alert")).to_contain_text("changed elsewhere")
    await expect(reminder).not_to_be_checked()
    assert (await account(server, email)).preferences.reminders is False

    await reminder.click()
    await expect(page.get_by_role("status").filter(has_text="Saved")).to_have_text(
        "Saved. Reminders on."
    )
    await expect(page.get_by_role("alert")).to_be_hidden()
    saved = await account(server, email)
    assert (saved.preferences.reminders, saved.preferences.email_reports) == (True, False)
    assert saved.name == "Janja G."  # the change made elsewhere stays

    await page.get_by_role("button", name="Close").click()
    await expect(page.get_by_role("dialog")).to_have_count(0)
    await expect(page.get_by_role("button", name="Email", exact=True)).to_be_visible()
    # The browser logs the refused save itself; nothing else went wrong.
    assert recorded.page_errors == []
    assert [error for error in recorded.console_errors if "409" not in error] == []
    await page.context.close()
