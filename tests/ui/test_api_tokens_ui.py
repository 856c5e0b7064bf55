"""The "API tokens" dialog end to end, in headless Chromium against a live server: a Premium
climber creates a write token, sees it once with a copy button, uses it from a script (httpx),
finds it listed by name and first characters only after reopening, and revokes it after
confirming, after which the script is refused; a Free climber on a phone is told what Premium
adds and is offered no form."""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.async_api import Browser, Page, expect

from store.records.user import Tier
from tests.ui.browsing import open_page, sign_up
from tests.ui.conftest import DESKTOP, PHONE, UiServer

SIDEWAYS_JS = (
    "() => [document.documentElement, document.body, ...document.querySelectorAll("
    "'#api-tokens, #api-tokens li, .topbar')]"
    ".filter(el => el.scrollWidth > el.clientWidth + 1).map(el => el.id || el.className)"
)


async def open_dialog(page: Page) -> None:
    await page.get_by_role("button", name="API tokens").click()
    dialog = page.get_by_role("dialog", name="API tokens")
    await expect(dialog).to_be_visible()
    await expect(dialog).not_to_have_attribute("aria-busy", "true")


async def test_a_premium_climber_creates_copies_uses_and_revokes_a_token(
    server: UiServer, browser: Browser, shots: Path
) -> None:
    page, recorded = await open_page(browser, server.url, DESKTOP)
    await page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    email = await sign_up(page, name="Adam Ondra")
    await server.set_tier(email, Tier.PREMIUM)

    await open_dialog(page)
    await expect(page.get_by_text("No tokens yet.")).to_be_visible()
    await page.get_by_label("Token label").fill("training spreadsheet")
    await page.get_by_label("Also allow writing").check()
    await page.get_by_role("button", name="Create token").click()
    await expect(page.locator("#api-tokens-status")).to_contain_text("shown only this once")
    token = (await page.locator("#api-token-value").text_content()) or ""
    assert token.startswith("v7_pat_")
    await expect(page.get_by_role("button", name="Copy token")).to_be_focused()
    await page.get_by_role("button", name="Copy token").click()
    await expect(page.locator("#api-tokens-status")).to_have_text("Copied.")
    assert await page.evaluate("() => navigator.clipboard.readText()") == token
    await page.screenshot(path=shots / "api-tokens-created-desktop.png")

    async with httpx.AsyncClient(base_url=server.url, timeout=10) as script:
        api = {"Authorization": f"Bearer {token}"}
        assert (await script.get("/journal/entries", headers=api)).status_code == 200

        # Closed and opened again: the token is gone from the page; the list names it.
        await page.get_by_role("button", name="Close").click()
        await open_dialog(page)
        await expect(page.locator("#api-token-new")).to_be_hidden()
        assert token not in (await page.content())
        row = page.get_by_role("listitem").filter(has_text="training spreadsheet")
        await expect(row).to_contain_text(token[:13])
        await expect(row).to_contain_text("read and write")

        await page.get_by_role("button", name="Revoke training spreadsheet", exact=True).click()
        await expect(page.get_by_text("stops working at once")).to_be_visible()
        assert (await script.get("/journal/entries", headers=api)).status_code == 200
        await page.get_by_role("button", name="Revoke training spreadsheet now").click()
        status = page.locator("#api-tokens-status")
        await expect(status).to_have_text("Revoked training spreadsheet.")
        await expect(page.get_by_text("No tokens yet.")).to_be_visible()
        assert (await script.get("/journal/entries", headers=api)).status_code == 401
    assert recorded.page_errors == []
    assert recorded.console_errors == []
    await page.context.close()


async def test_a_free_climber_on_a_phone_is_told_what_premium_adds(
    server: UiServer, browser: Browser, shots: Path
) -> None:
    page, recorded = await open_page(browser, server.url, PHONE)
    await sign_up(page, name="Janja")
    assert await page.evaluate(SIDEWAYS_JS) == []
    await open_dialog(page)
    await expect(page.get_by_text("API access comes with Premium")).to_be_visible()
    await expect(page.get_by_role("button", name="Create token")).to_be_hidden()
    await page.screenshot(path=shots / "api-tokens-free-phone.png")
    assert await page.evaluate(SIDEWAYS_JS) == []
    await page.keyboard.press("Escape")
    await expect(page.get_by_role("dialog")).to_have_count(0)
    assert recorded.page_errors == []
    assert recorded.console_errors == []
    await page.context.close()
