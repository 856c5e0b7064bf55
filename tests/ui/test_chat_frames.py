"""The frames the server will send in later issues (streams, proposals, quota), rendered as
DESIGN.md specifies. The page talks to the real server; a Playwright WebSocket route sits on
the socket, forwarding both ways, and adds the protocol frames the server cannot send yet. The
client's confirm / dismiss / stop frames are captured there (the server answers them with
"not available yet" until then)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, WebSocketRoute, expect

from tests.ui.browsing import eventually, open_page, say, sign_up
from tests.ui.conftest import DESKTOP, PHONE, UiServer

QUOTA = {
    "ai_messages": {"limit": 10, "used": 3, "remaining": 7, "resets_at": "2026-12-01T00:00:00Z"},
    "journal_entries": {
        "limit": None,
        "used": 2,
        "remaining": None,
        "resets_at": "2026-11-23T00:00:00Z",
    },
}
HELD_BACK = {"confirm", "dismiss", "stop"}


class Tap:
    """The socket between page and server: what the page sent, and a way to add frames."""

    def __init__(self) -> None:
        self.routes: list[WebSocketRoute] = []
        self.from_page: list[dict[str, Any]] = []
        self.hold_says = False  # swallow says, as if the connection died before they arrived

    def handle(self, route: WebSocketRoute) -> None:
        upstream = route.connect_to_server()
        self.routes.append(route)

        def page_sent(message: str | bytes) -> None:
            frame = json.loads(message)
            self.from_page.append(frame)
            held = frame.get("type") in HELD_BACK or (self.hold_says and frame["type"] == "say")
            if not held:
                upstream.send(message)

        route.on_message(page_sent)
        upstream.on_message(route.send)

    def push(self, frame: dict[str, Any]) -> None:
        self.routes[-1].send(json.dumps(frame))

    def sent(self, kind: str) -> list[dict[str, Any]]:
        return [frame for frame in self.from_page if frame.get("type") == kind]


async def test_stream_deltas_join_in_seq_order_and_stop_is_offered(
    server: UiServer, browser: Browser, shots: Path
) -> None:
    page, recorded = await open_page(browser, server.url, DESKTOP)
    tap = Tap()
    await page.route_web_socket(re.compile(r"/ws$"), tap.handle)
    await sign_up(page)
    # The ready frame carries the free tier's allowances.
    await expect(page.locator("#quota")).to_have_text("10 AI msgs · 3 entries left")

    tap.push({"type": "stream.start", "stream": "s1", "reply_to": None, "model": "analyst"})
    bubble = page.locator(".msg.coach.streaming")
    await expect(bubble).to_have_count(1)
    for seq, text in ((2, "pulls <b>hard</b>"), (1, "Your max grade "), (3, " this month.")):
        tap.push({"type": "stream.delta", "stream": "s1", "seq": seq, "text": text})
    await expect(bubble.locator(".msg-text")).to_have_text(
        "Your max grade pulls <b>hard</b> this month."
    )
    await expect(bubble.locator("b")).to_have_count(0)
    await bubble.get_by_role("button", name="Stop").click()
    await eventually(lambda: tap.sent("stop") == [{"type": "stop", "stream": "s1"}])

    tap.push(
        {
            "type": "stream.end",
            "stream": "s1",
            "seq": 4,
            "reason": "stopped",
            "usage": {"input_tokens": 900, "output_tokens": 12},
            "quota": QUOTA,
        }
    )
    done = page.locator(".msg.coach").last
    await expect(done).not_to_have_class(re.compile("streaming"))
    await expect(done).to_contain_text("Stopped.")
    await expect(done.get_by_role("button", name="Stop")).to_have_count(0)
    await expect(page.locator("#quota")).to_have_text("7 AI msgs left")
    await page.screenshot(path=shots / "desktop-stream.png")
    assert recorded.console_errors == []
    await page.context.close()


async def test_proposals_confirm_or_dismiss_with_one_frame_each(
    server: UiServer, browser: Browser, shots: Path
) -> None:
    page, _ = await open_page(browser, server.url, PHONE)
    tap = Tap()
    await page.route_web_socket(re.compile(r"/ws$"), tap.handle)
    await sign_up(page)
    await say(page, "/log gym 75min sent V3 V4 tried V5 rpe 6 fingers 4 notes: tendons ok")
    await expect(page.locator("article.card.saved")).to_have_count(1)

    proposal = {
        "type": "proposal",
        "reply_to": None,
        "kind": "session",
        "item": {
            "date": "2026-11-20",
            "sessionType": "board",
            "duration": 60,
            "gradesCompleted": [{"grade": "V5", "count": 2}],
        },
    }
    tap.push({**proposal, "id": "p1"})
    tap.push({**proposal, "id": "p2", "kind": "meal", "item": {"meals": [{"calories": 400}]}})
    cards = page.locator("article.card.proposal")
    await expect(cards).to_have_count(2)
    await expect(cards.first).to_contain_text("60 min")
    await expect(cards.first.locator(".chip.sent")).to_have_text(["V5 ×2"])
    await page.screenshot(path=shots / "phone-proposals.png")

    await cards.first.get_by_role("button", name="Confirm").click()
    await cards.last.get_by_role("button", name="Dismiss").click()
    await eventually(lambda: tap.sent("confirm") == [{"type": "confirm", "proposal": "p1"}])
    await eventually(lambda: tap.sent("dismiss") == [{"type": "dismiss", "proposal": "p2"}])
    # Each card waits for the server's answer (a refused confirm keeps its buttons).
    await expect(cards.first).to_have_attribute("data-state", "confirming")
    await expect(cards.last).to_have_attribute("data-state", "dismissing")
    await expect(cards.first.get_by_role("button", name="Confirm")).to_be_disabled()
    tap.push(
        {
            "type": "saved",
            "reply_to": "p1",
            "kind": "session",
            "item": {
                "id": "e1",
                "date": "2026-11-20",
                "sessionType": "board",
                "duration": 60,
            },
            "undo": "0000000000000000undo-token-0001",
        }
    )
    tap.push({"type": "reply", "reply_to": "p2", "text": "Dismissed; nothing was written."})
    # The confirmed proposal became its saved entry's card, in its place: one card per entry.
    await expect(cards).to_have_count(1)
    await expect(cards.first).to_have_attribute("data-state", "dismissed")
    await expect(page.get_by_role("button", name="Confirm")).to_have_count(0)
    await expect(page.locator("article.card.saved")).to_have_count(2)
    saved_board = page.locator("article.card.saved", has_text="60 min")
    await expect(saved_board).to_have_count(1)
    await page.context.close()


async def test_an_unanswered_say_is_resent_with_its_id_after_a_drop(
    server: UiServer, browser: Browser
) -> None:
    page, _ = await open_page(browser, server.url, DESKTOP)
    tap = Tap()
    await page.route_web_socket(re.compile(r"/ws$"), tap.handle)
    await sign_up(page)
    tap.hold_says = True
    await say(page, "/log gym 50min sent V2")
    await eventually(lambda: len(tap.sent("say")) == 1)
    await expect(page.locator(".msg.user").last).to_have_attribute("data-state", "sending")

    tap.hold_says = False
    await tap.routes[-1].close(code=1012, reason="restart")
    await eventually(lambda: len(tap.routes) == 2)
    await expect(page.locator("article.card.saved")).to_have_count(1)
    await expect(page.locator("article.card.saved")).to_contain_text("50 min")
    first, again = tap.sent("say")
    assert again == first  # the same id and text: the server runs it at most once
