"""The quota badge agrees with what the server does, in headless Chromium against a live server
(free tier: 10 AI messages a month, 3 sessions a week): Undo gives a session's slot back and a
reload shows the same; plain words that only log something cost no AI message; a refused confirm
keeps its card and buttons and works once a slot is free; the badge never shows one climber's
quota to another; `resets_at` is shown in the climber's time zone."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, WebSocketRoute, expect

from tests.ui.browsing import (
    PASSWORD,
    eventually,
    fresh_email,
    open_page,
    say,
    sign_up,
    wait_online,
)
from tests.ui.conftest import DESKTOP, PHONE, UiServer

LOGGED = "did 2 hours at the gym, sent two V5s"


async def log_sessions(page: Page, count: int) -> None:
    cards = page.locator("article.card.saved")
    before = await cards.count()
    for n in range(count):
        await say(page, f"/log gym {30 + n}min")
        await expect(cards).to_have_count(before + n + 1)


async def test_undo_gives_the_slot_back_and_a_reload_agrees(
    server: UiServer, browser: Browser, shots: Path
) -> None:
    page, recorded = await open_page(browser, server.url, DESKTOP)
    await sign_up(page)
    badge = page.locator("#quota")
    await expect(badge).to_have_text("10 AI msgs · 3 entries left")
    await log_sessions(page, 3)
    await expect(badge).to_have_text("10 AI msgs · 0 entries left")
    await expect(badge).to_have_attribute("data-empty", "true")

    card = page.locator("article.card.saved").last
    await card.get_by_role("button", name="Undo").click()
    await expect(card).to_have_attribute("data-state", "undone")
    await expect(badge).to_have_text("10 AI msgs · 1 entry left")
    await page.screenshot(path=shots / "quota-after-undo.png")

    await page.reload()
    await wait_online(page)
    saved = page.locator("article.card.saved")
    await expect(saved).to_have_count(3)  # the conversation comes back with the reload
    await expect(saved.last).to_have_attribute("data-state", "undone")
    await expect(badge).to_have_text("10 AI msgs · 1 entry left")
    await say(page, "/log board 40min")  # the server agrees with the badge: one more
    await expect(saved).to_have_count(4)
    await expect(badge).to_have_text("10 AI msgs · 0 entries left")
    await say(page, "/log board 41min")  # and no more
    await expect(page.locator(".msg.error").last).to_contain_text("used all 3 journal entries")
    await expect(badge).to_have_text("10 AI msgs · 0 entries left")
    assert recorded.console_errors == []
    assert recorded.page_errors == []
    await page.context.close()


async def test_a_plain_words_log_is_free_and_a_refused_confirm_keeps_its_card(
    server: UiServer, browser: Browser, shots: Path
) -> None:
    page, recorded = await open_page(browser, server.url, PHONE)
    await sign_up(page)
    badge = page.locator("#quota")
    await log_sessions(page, 3)
    await expect(badge).to_have_text("10 AI msgs · 0 entries left")

    await say(page, LOGGED)
    proposal = page.locator("article.card.proposal")
    await expect(proposal).to_have_count(1)
    await expect(proposal).to_contain_text("Gym · 2 h")
    await expect(proposal.locator(".chip.sent")).to_have_text(["V5 ×2"])
    await expect(page.locator(".msg.coach").last).to_contain_text("Confirm to save it")
    await expect(page.locator(".msg.coach.streaming")).to_have_count(0)  # no model was asked
    await expect(badge).to_have_text("10 AI msgs · 0 entries left")

    await proposal.get_by_role("button", name="Confirm").click()
    feedback = proposal.locator(".card-feedback")
    await expect(feedback).to_be_visible()
    await expect(feedback).to_contain_text("used all 3 journal entries")
    await expect(proposal).to_have_attribute("data-state", "proposed")
    await expect(proposal.get_by_role("button", name="Confirm")).to_be_enabled()
    await expect(proposal.get_by_role("button", name="Dismiss")).to_be_enabled()
    await expect(page.locator(".msg.error")).to_have_count(0)  # the error is on the card
    await page.screenshot(path=shots / "phone-refused-confirm.png")

    await page.locator("article.card.saved").first.get_by_role("button", name="Undo").click()
    await expect(badge).to_have_text("10 AI msgs · 1 entry left")
    await proposal.get_by_role("button", name="Confirm").click()
    # Confirmed: the proposal becomes its saved entry's card, in its place.
    await expect(proposal).to_have_count(0)
    await expect(page.get_by_role("button", name="Confirm")).to_have_count(0)
    await expect(page.locator("article.card.saved", has_text="Gym · 2 h")).to_have_count(1)
    await expect(badge).to_have_text("10 AI msgs · 0 entries left")
    await page.screenshot(path=shots / "phone-confirmed-after-undo.png")
    assert recorded.console_errors == []
    await page.context.close()


class HeldReady:
    """The page's sockets pass through, except that `ready` frames are held while `holding`."""

    def __init__(self) -> None:
        self.holding = False
        self.held: list[tuple[WebSocketRoute, str | bytes]] = []
        self.opened = 0

    def handle(self, route: WebSocketRoute) -> None:
        upstream = route.connect_to_server()
        self.opened += 1

        def from_server(message: str | bytes) -> None:
            if self.holding and json.loads(message).get("type") == "ready":
                self.held.append((route, message))
                return
            route.send(message)

        route.on_message(upstream.send)
        upstream.on_message(from_server)

    def release(self) -> None:
        self.holding = False
        for route, message in self.held:
            route.send(message)
        self.held.clear()


async def test_signing_in_as_another_climber_never_shows_the_first_ones_quota(
    server: UiServer, browser: Browser
) -> None:
    page, recorded = await open_page(browser, server.url, DESKTOP)
    sockets = HeldReady()
    await page.route_web_socket(re.compile(r"/ws$"), sockets.handle)
    await sign_up(page, "First Climber")
    badge = page.locator("#quota")
    await log_sessions(page, 1)
    await expect(badge).to_have_text("10 AI msgs · 2 entries left")

    await page.get_by_role("button", name="Sign out").click()
    await expect(badge).to_be_hidden()
    await expect(badge).to_have_text("")
    assert await badge.get_attribute("title") is None

    # The second climber's socket opens, but their `ready` has not arrived yet.
    sockets.holding = True
    await page.get_by_role("tab", name="Create account").click()
    await page.get_by_label("Name").fill("Second Climber")
    await page.get_by_label("Email").fill(fresh_email())
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    await eventually(lambda: len(sockets.held) == 1, timeout=10)
    await expect(page.locator("#conn")).to_have_attribute("data-state", "connecting")
    await expect(badge).to_be_hidden()
    await expect(badge).to_have_text("")

    sockets.release()
    await wait_online(page)
    await expect(badge).to_have_text("10 AI msgs · 3 entries left")
    assert recorded.console_errors == []
    await page.context.close()


def with_zone(zone: str) -> Any:
    """A socket route that adds `timezone` to the server's `ready` (as the climber's profile
    will send it) and passes everything else through."""

    def handle(route: WebSocketRoute) -> None:
        upstream = route.connect_to_server()

        def from_server(message: str | bytes) -> None:
            frame = json.loads(message)
            if frame.get("type") == "ready":
                frame["user"]["timezone"] = zone
                message = json.dumps(frame)
            route.send(message)

        route.on_message(upstream.send)
        upstream.on_message(from_server)

    return handle


async def test_resets_at_is_shown_in_the_climbers_time_zone(
    server: UiServer, browser: Browser
) -> None:
    page, recorded = await open_page(browser, server.url, DESKTOP)
    await page.route_web_socket(re.compile(r"/ws$"), with_zone("Asia/Tokyo"))
    await sign_up(page)
    badge = page.locator("#quota")
    # Windows reset at 00:00 UTC: 09:00 in Tokyo, whatever zone the browser is in.
    await expect(badge).to_have_attribute(
        "title", re.compile(r"entries: 3 of 3 left, resets .*09:00")
    )
    assert "GMT+9" in (await badge.get_attribute("title") or "")
    await page.context.close()

    page, recorded = await open_page(browser, server.url, DESKTOP)
    await page.route_web_socket(re.compile(r"/ws$"), with_zone("Not/A_Zone"))
    await sign_up(page)
    # An unknown zone falls back to the browser's own; the badge still works.
    await expect(page.locator("#quota")).to_have_attribute("title", re.compile(r"resets \w+"))
    assert recorded.page_errors == []
    await page.context.close()
