"""Photos on the chat's cards, in headless Chromium against a live server with the local media
store: a Pro climber logs a session, attaches a photo from the card, sees its thumbnail, still
sees it after a reload (the card replayed from history reads its media again), and removes it,
which gives the storage back; a file that only claims to be a photo gets the server's refusal
on the card; a Free climber is told photos come with Pro. One server and browser for the module.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import AsyncIterator

import httpx
import pytest
from playwright.async_api import Browser, FilePayload, Locator, Page, expect

from store.records.user import Tier
from tests.ui.browsing import PASSWORD, has_horizontal_scroll, open_page, say, sign_up, wait_online
from tests.ui.conftest import DESKTOP, PHONE, UiServer

ADD = "Add photo or video to this session"


def tiny_png(width: int = 6, height: int = 4) -> bytes:
    """A valid RGB PNG of a few coloured stripes (a browser decodes it: naturalWidth > 0)."""
    colours = [(230, 60, 40), (40, 160, 220), (250, 200, 30)]
    rows = b"".join(
        b"\x00" + b"".join(bytes(colours[x % len(colours)]) for x in range(width))
        for _ in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PHOTO_WIDTH = 6
PHOTO: FilePayload = {
    "name": "crimps.png",
    "mimeType": "image/png",
    "buffer": tiny_png(PHOTO_WIDTH),
}
NOT_A_PHOTO: FilePayload = {
    "name": "beta.png",
    "mimeType": "image/png",
    "buffer": b"left hand on the crimp, then the heel hook\n" * 3,
}


@pytest.fixture
async def http(server: UiServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        yield client


async def storage(http: httpx.AsyncClient, email: str) -> dict[str, object]:
    """The climber's GET /users/media, signed in through the API as another device would."""
    signed = await http.post("/auth/signin", json={"email": email, "password": PASSWORD})
    assert signed.status_code == 200, signed.text
    token = signed.json()["accessToken"]
    answer = await http.get("/users/media", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body


async def log_session(page: Page) -> Locator:
    """/log a session and answer its saved card."""
    await say(page, "/log gym 75min rpe 7 sent V4 V5")
    card = page.locator('article.card.saved[data-kind="session"]').last
    await expect(card.get_by_role("button", name=ADD)).to_be_visible()
    return card


async def attach(page: Page, card: Locator, file: FilePayload) -> None:
    async with page.expect_file_chooser() as chooser:
        await card.get_by_role("button", name=ADD).click()
    await (await chooser.value).set_files(file)


async def expect_thumbnail(card: Locator) -> Locator:
    """The card's first photo, once the browser has decoded it (not a broken image)."""
    image = card.get_by_role("img", name="Photo 1 of this session")
    await expect(image).to_be_visible()
    await expect(image).to_have_js_property("naturalWidth", PHOTO_WIDTH)
    return image


async def test_a_pro_climber_attaches_a_photo_sees_it_after_a_reload_and_removes_it(
    server: UiServer, browser: Browser, http: httpx.AsyncClient
) -> None:
    page, recorded = await open_page(browser, server.url, PHONE)
    email = await sign_up(page)
    await server.set_tier(email, Tier.PRO)
    card = await log_session(page)

    await attach(page, card, PHOTO)
    await expect(card.get_by_role("status")).to_have_text("Photo added.")
    image = await expect_thumbnail(card)
    full_size = card.get_by_role("link", name="Open photo 1 full size")
    assert await full_size.get_attribute("target") == "_blank"
    assert await image.get_attribute("src") == await full_size.get_attribute("href")
    assert (await storage(http, email))["usedBytes"] == len(PHOTO["buffer"])
    assert not await has_horizontal_scroll(page)
    # Only the conversation scrolls: nothing on the cards (the file pickers) stretches the page.
    assert await page.evaluate(
        "() => document.documentElement.scrollHeight <= document.documentElement.clientHeight"
    )

    # The card replayed from history after a reload reads its photo again, with a fresh link.
    await page.reload()
    await wait_online(page)
    card = page.locator('article.card.saved[data-kind="session"]').last
    image = await expect_thumbnail(card)

    # A link that no longer works (expired, as after a long-open page) is read again.
    await image.evaluate("image => { image.src = image.src.replace(/sig=[^&]+/, 'sig=0'); }")
    await expect(image).not_to_have_attribute("src", re.compile("sig=0"))
    await expect_thumbnail(card)

    # Removing asks first; keeping it changes nothing.
    await card.get_by_role("button", name="Remove photo 1").click()
    await card.get_by_role("button", name="Keep").click()
    await expect_thumbnail(card)
    await card.get_by_role("button", name="Remove photo 1").click()
    await card.get_by_role("button", name="Remove", exact=True).click()
    await expect(card.get_by_role("img")).to_have_count(0)
    await expect(card.get_by_role("status")).to_have_text("Photo 1 removed.")
    assert (await storage(http, email))["usedBytes"] == 0

    # Text named .png passes the page's check (the picker says image/png) but not the server's
    # sniff: its refusal is on the card, nothing is attached or counted, the entry stays.
    await attach(page, card, NOT_A_PHOTO)
    refusal = card.get_by_role("alert")
    await expect(refusal).to_contain_text("This file is not a PNG photo")
    await expect(refusal).to_contain_text("nothing was kept")
    await expect(card.get_by_role("img")).to_have_count(0)
    await expect(card.get_by_role("button", name=ADD)).to_be_enabled()
    await expect(card.locator(".card-status")).to_have_text("Saved")
    assert await storage(http, email) == {
        "usedBytes": 0,
        "reservedBytes": 0,
        "limitBytes": 5_000_000_000,
        "tier": "pro",
    }
    assert recorded.page_errors == []
    assert not [error for error in recorded.console_errors if "Content Security" in error]
    await page.context.close()


async def test_a_free_climber_is_told_photos_come_with_pro(
    server: UiServer, browser: Browser
) -> None:
    page, recorded = await open_page(browser, server.url, DESKTOP)
    await sign_up(page)
    card = await log_session(page)

    await attach(page, card, PHOTO)
    refusal = card.get_by_role("alert")
    await expect(refusal).to_contain_text("of your sessions and sends come with Pro")
    await expect(refusal).to_contain_text("5 GB")
    await expect(card.get_by_role("img")).to_have_count(0)
    await expect(card.get_by_role("button", name=ADD)).to_be_enabled()

    # A file the page knows cannot be attached is refused before anything is asked.
    await attach(page, card, {"name": "log.txt", "mimeType": "text/plain", "buffer": b"V5"})
    await expect(refusal).to_contain_text("add a photo (JPEG, PNG, WebP, GIF or HEIC)")
    assert recorded.page_errors == []
    await page.context.close()
