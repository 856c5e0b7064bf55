"""Driving the chat page: a page that records what it fetches and every console error, and
the sign-up steps a new climber takes."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Dialog, Page, expect

PASSWORD = "Correct-horse-42"
_counter = itertools.count(1)


@dataclass
class Recorded:
    """What the page did: every URL it requested (HTTP and WebSocket), console errors (a CSP
    violation is reported there), uncaught exceptions and dialogs (an executed `alert`)."""

    urls: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def foreign_hosts(self) -> set[str]:
        return {
            urlsplit(url).hostname or url
            for url in self.urls
            if urlsplit(url).hostname != "127.0.0.1"
        }


async def open_page(
    browser: Browser,
    url: str,
    viewport: dict[str, int],
    *,
    timezone_id: str | None = None,
    now: datetime | None = None,
) -> tuple[Page, Recorded]:
    """A fresh browser context on the page at `url`; in the time zone `timezone_id` (else the
    machine's) and, with `now`, with the page's clock standing at that instant (its timers still
    run), to match a server given a fixed clock."""
    phone = viewport["width"] < 600
    context: BrowserContext = await browser.new_context(
        viewport=viewport,  # type: ignore[arg-type]
        is_mobile=phone,
        has_touch=phone,
        device_scale_factor=2 if phone else 1,
        color_scheme="light",
        timezone_id=timezone_id,
    )
    page = await context.new_page()
    if now is not None:
        await page.clock.set_fixed_time(now)
    recorded = Recorded()
    page.on("request", lambda request: recorded.urls.append(request.url))
    page.on("websocket", lambda socket: recorded.urls.append(socket.url))
    page.on("pageerror", lambda error: recorded.page_errors.append(str(error)))

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            recorded.console_errors.append(message.text)

    async def on_dialog(dialog: Dialog) -> None:
        recorded.dialogs.append(dialog.message)
        await dialog.dismiss()

    page.on("console", on_console)
    page.on("dialog", on_dialog)
    await page.goto(url + "/")
    return page, recorded


def fresh_email() -> str:
    return f"climber{next(_counter)}-{uuid.uuid4().hex[:8]}@example.com"


async def sign_up(page: Page, name: str = "Alex Honnold") -> str:
    """Create an account through the form and wait until the chat is online."""
    email = fresh_email()
    await page.get_by_role("tab", name="Create account").click()
    await page.get_by_label("Name").fill(name)
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    await wait_online(page)
    return email


async def wait_online(page: Page) -> None:
    await expect(page.locator("#conn")).to_have_attribute("data-state", "online", timeout=10_000)
    await expect(page.locator("#conn-text")).to_have_text("Online")


async def say(page: Page, text: str) -> None:
    """Type into the composer like a person (so the hint popup reacts) and press Enter. The
    composer is emptied first, as a person would: a refused command stays there to be fixed."""
    composer = page.get_by_label("Message or /command")
    await composer.click()
    await composer.fill("")
    await composer.press_sequentially(text)
    await composer.press("Enter")


async def has_horizontal_scroll(page: Page) -> bool:
    return bool(
        await page.evaluate(
            "() => [document.documentElement, document.body,"
            " ...document.querySelectorAll('#messages, .card, .msg')]"
            ".some(el => el.scrollWidth > el.clientWidth + 1)"
        )
    )


async def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait until `check()` holds; raises AssertionError after `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the condition did not hold in time")
        await asyncio.sleep(0.02)
