"""The chat remembers: in headless Chromium against a live server, a reload, another device, or
signing out and in brings back the climber's own conversation exactly as it was — bubbles,
replies, cards with their state (saved, undone, confirmed, dismissed, expired) — older pages
come in as they scroll up without losing their place, and a frame arriving while the history
loads shows once."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import httpx
from playwright.async_api import Browser, Page, Route, WebSocketRoute, expect
from websockets.asyncio.client import connect
from websockets.typing import Origin, Subprotocol

from store import open_table
from store.records.chat import ChatMessageIn, Role
from store.records.journal import JournalEntryIn
from store.repos.chat import ChatRepo
from store.repos.journal import JournalRepo
from tests.ui.browsing import PASSWORD, Recorded, fresh_email, open_page, say, sign_up, wait_online
from tests.ui.conftest import DESKTOP, PHONE, UiServer, ui_server

# Every child of the conversation as a climber sees it: kind, state, buttons and words.
SNAPSHOT_JS = """root => Array.from(root.children)
  .filter(el => !el.classList.contains('history-edge'))
  .map(el => [el.className, el.dataset.state || '', el.dataset.kind || '',
              Array.from(el.querySelectorAll('button'), b => b.textContent).join('|'),
              el.innerText.replace(/\\s+/g, ' ').trim()])"""
HISTORY = re.compile(r"/chat/history")
Frame = dict[str, Any]


async def snapshot(page: Page) -> list[list[str]]:
    return cast(list[list[str]], await page.locator("#messages").evaluate(SNAPSHOT_JS))


async def sign_in(page: Page, email: str) -> None:
    await page.get_by_role("tab", name="Sign in").click()
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await wait_online(page)


async def sign_out(page: Page) -> None:
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_label("Email")).to_be_visible()


async def coach_says(page: Page, text: str) -> None:
    """A coaching turn: wait for its reply to finish streaming."""
    replies = page.locator(".msg.coach")
    before = await replies.count()
    await say(page, text)
    await expect(replies).to_have_count(before + 1)
    await expect(page.locator(".msg.coach.streaming")).to_have_count(0)


def assert_clean(recorded: Recorded) -> None:
    assert recorded.foreign_hosts() == set()
    assert recorded.console_errors == []
    assert recorded.page_errors == []


async def test_a_reload_and_another_device_bring_back_the_conversation_as_it_was(
    server: UiServer, browser: Browser, shots: Path
) -> None:
    page, recorded = await open_page(browser, server.url, DESKTOP)
    email = await sign_up(page)
    cards = page.locator("article.card")

    await say(page, "/log gym 90min rpe 7 sent V4 V5 notes: crimpy")
    await expect(cards).to_have_count(1)
    await say(page, '/send V6 "Pinch Me" @Brooklyn Boulders')
    await expect(cards).to_have_count(2)
    await cards.nth(1).get_by_role("button", name="Undo").click()
    await expect(cards.nth(1)).to_have_attribute("data-state", "undone")

    await coach_says(page, "did 2 hours at the gym, sent two V5s, fingers a bit sore")
    proposal = page.locator("article.card.proposal")
    await expect(proposal).to_have_count(1)
    await proposal.get_by_role("button", name="Confirm").click()
    # Confirmed: the proposal became the saved entry's card, in its place — one card.
    await expect(proposal).to_have_count(0)
    await expect(cards).to_have_count(3)
    await expect(cards.nth(2)).to_have_attribute("data-state", "saved")
    await expect(cards.nth(2).get_by_role("button", name="Undo")).to_be_visible()

    await coach_says(page, "board session yesterday, 45 minutes")
    await expect(proposal).to_have_count(1)
    await proposal.get_by_role("button", name="Dismiss").click()
    await expect(page.locator(".msg.coach").last).to_have_text("Dismissed; nothing was written.")
    await say(page, "/history")
    listing = page.locator(".msg.coach").last
    await expect(listing).to_contain_text("Your sessions and sends, newest first:")
    live = await snapshot(page)

    await page.reload()
    await wait_online(page)
    await expect(cards).to_have_count(4)
    await expect(page.locator(".welcome")).to_have_count(0)
    assert await snapshot(page) == live
    states = [await card.get_attribute("data-state") for card in await cards.all()]
    assert states == ["saved", "undone", "saved", "dismissed"]
    await page.screenshot(path=shots / "desktop-restored.png")
    await cards.nth(2).scroll_into_view_if_needed()
    await page.screenshot(path=shots / "desktop-restored-confirmed.png")

    # Another device: the same conversation, on a phone.
    phone, phone_recorded = await open_page(browser, server.url, PHONE)
    await sign_in(phone, email)
    await expect(phone.locator("article.card")).to_have_count(4)
    assert await snapshot(phone) == live
    await phone.locator("article.card").first.scroll_into_view_if_needed()
    await phone.screenshot(path=shots / "phone-restored.png")
    await phone.locator("#messages").evaluate("el => el.scrollTop = el.scrollHeight")
    await phone.screenshot(path=shots / "phone-restored-end.png")

    # A restored card's Undo still works (within its 24 hours), and every tab shows it.
    await cards.first.get_by_role("button", name="Undo").click()
    await expect(cards.first).to_have_attribute("data-state", "undone")
    await expect(phone.locator("article.card").first).to_have_attribute("data-state", "undone")
    assert_clean(recorded)
    assert_clean(phone_recorded)
    await phone.context.close()
    await page.context.close()


async def seed_by_socket(server: UiServer, token: str, commands: list[str]) -> list[Frame]:
    """Send `commands` over the real WebSocket (paced under the frame rate limit); the frame
    that answered each."""
    answers: list[Frame] = []
    async with connect(
        server.url.replace("http", "ws") + "/ws",
        subprotocols=[Subprotocol("v7.chat.v1"), Subprotocol(f"bearer.{token}")],
        origin=Origin(server.url),
    ) as socket:
        await socket.recv()  # ready
        for index, text in enumerate(commands):
            say_id = f"seed{index}-{uuid.uuid4().hex[:6]}"
            await socket.send(json.dumps({"type": "say", "id": say_id, "text": text}))
            while True:
                frame = json.loads(await asyncio.wait_for(socket.recv(), 10))
                if frame.get("reply_to") == say_id:
                    assert frame["type"] != "error", frame
                    answers.append(frame)
                    break
            await asyncio.sleep(0.12)
    return answers


async def account(server: UiServer) -> tuple[str, str, str]:
    """A climber signed up over REST: email, user id, access token."""
    email = fresh_email()
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        response = await http.post(
            "/auth/signup", json={"email": email, "password": PASSWORD, "name": "Lynn Hill"}
        )
    assert response.status_code == 201, response.text
    body = response.json()
    return email, body["userId"], body["tokens"]["accessToken"]


async def test_scrolling_up_brings_older_pages_and_keeps_the_climbers_place(
    server: UiServer, browser: Browser, shots: Path
) -> None:
    email, _, token = await account(server)
    sends = [f'/send V{grade} "Problem {grade}"' for grade in range(1, 6)]
    helps = [f"/help {name}" for name in ("log", "send", "goal", "meal", "water", "undo")] * 5
    answers = await seed_by_socket(server, token, [*sends, *helps])
    # The first send undone last of all: its undo is on the newest page, its card on the oldest.
    undo = f"/undo {answers[0]['undo']}"
    await seed_by_socket(server, token, [undo])  # 72 messages in all

    page, recorded = await open_page(browser, server.url, DESKTOP)
    held = asyncio.Event()

    async def hold_older_pages(route: Route) -> None:
        if "cursor=" in route.request.url:
            await held.wait()
        await route.continue_()

    await page.route(HISTORY, hold_older_pages)
    await sign_in(page, email)
    messages = page.locator("#messages")
    users = page.locator(".msg.user")
    await expect(users).to_have_count(15)  # the newest 30 messages
    await expect(page.locator(".note").last).to_have_text("Undid the send.")

    top = await page.locator("#messages > .msg").first.element_handle()
    await messages.evaluate("el => el.scrollTop = 0")
    await expect(page.locator(".history-edge")).to_have_text("Loading earlier messages…")
    before = await top.bounding_box()
    held.set()
    await expect(users).to_have_count(30)
    after = await top.bounding_box()
    assert before is not None
    assert after is not None
    assert abs(after["y"] - before["y"]) <= 1  # the message read last stays where it was

    for _ in range(20):  # scroll up until the start of the conversation
        if await users.count() == 36:
            break
        await messages.evaluate("el => el.scrollTop = 0")
        await asyncio.sleep(0.1)
    await expect(users).to_have_count(36)
    said = [text.strip() for text in await users.all_inner_texts()]
    assert said == [*sends, *helps, undo]
    cards = page.locator("article.card.saved")
    await expect(cards).to_have_count(5)
    await expect(cards.first).to_have_attribute("data-state", "undone")
    await expect(cards.first.get_by_role("button", name="Undo")).to_have_count(0)
    for index in range(1, 5):
        await expect(cards.nth(index)).to_have_attribute("data-state", "saved")
        await expect(cards.nth(index).get_by_role("button", name="Undo")).to_be_visible()
    await messages.evaluate("el => el.scrollTop = 0")
    await page.screenshot(path=shots / "desktop-top-of-history.png")
    assert_clean(recorded)
    await page.context.close()


async def test_signing_in_as_another_climber_shows_only_their_conversation(
    server: UiServer, browser: Browser
) -> None:
    page, recorded = await open_page(browser, server.url, DESKTOP)
    first = await sign_up(page)
    await say(page, "/goal V8 boulder first climber's goal")
    await expect(page.locator("article.card")).to_have_count(1)
    await sign_out(page)

    second = await sign_up(page, name="Second Climber")
    await expect(page.locator(".welcome")).to_be_visible()  # an empty conversation
    await expect(page.locator("#messages")).not_to_contain_text("first climber's goal")
    await say(page, "/goal 7a sport second climber's goal")
    await expect(page.locator("article.card")).to_have_count(1)
    await sign_out(page)

    await sign_in(page, first)
    await expect(page.locator("article.card")).to_have_count(1)
    await expect(page.locator("#messages")).to_contain_text("first climber's goal")
    await expect(page.locator("#messages")).not_to_contain_text("second climber's goal")
    await expect(page.locator(".welcome")).to_have_count(0)
    await sign_out(page)
    await sign_in(page, second)
    await expect(page.locator("#messages")).to_contain_text("second climber's goal")
    await expect(page.locator("#messages")).not_to_contain_text("first climber's goal")
    assert_clean(recorded)
    await page.context.close()


async def test_a_frame_arriving_while_the_history_loads_shows_once(
    server: UiServer, browser: Browser
) -> None:
    email, _, token = await account(server)
    page, recorded = await open_page(browser, server.url, DESKTOP)
    requested = asyncio.Event()
    release = asyncio.Event()
    early = True  # first: the page is read before the frame is written

    async def hold_the_page(route: Route) -> None:
        requested.set()
        if early:
            response = await route.fetch()
            await release.wait()
            await route.fulfill(response=response)
        else:
            await release.wait()
            await route.continue_()

    await page.route(HISTORY, hold_the_page)
    await sign_in(page, email)
    cards = page.locator("article.card")

    # Read before, delivered after: the card comes live only, and is not lost.
    await asyncio.wait_for(requested.wait(), 10)
    await seed_by_socket(server, token, ['/send V3 "Arrived live"'])
    await expect(cards).to_have_count(1)
    release.set()
    await expect(page.locator(".history-edge")).to_be_hidden()
    await expect(cards).to_have_count(1)

    # Read after the frame was written and sent: in the page and live, shown once, in order.
    early = False
    requested.clear()
    release.clear()
    await page.reload()
    await wait_online(page)
    await asyncio.wait_for(requested.wait(), 10)
    await seed_by_socket(server, token, ['/send V4 "Both ways"'])
    await expect(cards).to_have_count(1)  # live, while the page is held
    release.set()
    await expect(cards).to_have_count(2)
    await expect(page.locator(".history-edge")).to_be_hidden()
    await asyncio.sleep(0.3)
    assert await cards.count() == 2
    said = [text.strip() for text in await page.locator(".msg.user").all_inner_texts()]
    assert said == ['/send V3 "Arrived live"', '/send V4 "Both ways"']
    order = [row[0].split()[0] for row in await snapshot(page)]
    assert order == ["day-divider", "msg", "card", "msg", "card"]
    assert_clean(recorded)
    await page.context.close()


async def test_expired_undo_and_proposals_show_no_buttons(
    server: UiServer, browser: Browser, shots: Path
) -> None:
    email, user_id, _ = await account(server)
    long_ago = server.clock() - timedelta(hours=25)
    recently = server.clock() - timedelta(hours=1)
    saved = {"type": "saved", "reply_to": "c1", "kind": "session", "undo": "tok1"}
    proposal = {"type": "proposal", "reply_to": "q1", "kind": "session"}
    async with open_table(f"sqlite:///{server.data_dir / 'v7.db'}", data_dir=server.data_dir) as t:
        # The saved cards' entries exist (a card reads its entry's photos when shown).
        entries = [
            await JournalRepo(t).create(
                user_id,
                JournalEntryIn.model_validate(
                    {"date": "2026-01-05", "sessionType": "gym", "durationMinutes": minutes}
                ),
            )
            for minutes in (60, 75)
        ]
        item: dict[str, Any] = {"id": entries[0].id, "date": "2026-01-05", "sessionType": "gym"}
        await ChatRepo(t).append_all(
            user_id,
            [
                (
                    ChatMessageIn(
                        role=Role.ASSISTANT,
                        content="",
                        frame={**saved, "item": {**item, "duration": 60}},
                    ),
                    long_ago,
                ),
                (
                    ChatMessageIn(
                        role=Role.ASSISTANT,
                        content="",
                        frame={**proposal, "id": "p1", "item": item},
                    ),
                    long_ago + timedelta(seconds=1),
                ),
                (
                    ChatMessageIn(
                        role=Role.ASSISTANT,
                        content="",
                        frame={
                            **saved,
                            "reply_to": "c2",
                            "undo": "tok2",
                            "item": {**item, "id": entries[1].id, "duration": 75},
                        },
                    ),
                    recently,
                ),
                (
                    ChatMessageIn(
                        role=Role.ASSISTANT,
                        content="",
                        frame={**proposal, "id": "p2", "item": item},
                    ),
                    recently + timedelta(seconds=1),
                ),
            ],
        )
    page, recorded = await open_page(browser, server.url, DESKTOP)
    await sign_in(page, email)
    saved_cards = page.locator("article.card.saved")
    proposals = page.locator("article.card.proposal")
    await expect(saved_cards).to_have_count(2)
    await expect(saved_cards.first.get_by_role("button", name="Undo")).to_have_count(0)
    await expect(saved_cards.last.get_by_role("button", name="Undo")).to_be_visible()
    await expect(proposals.first).to_have_attribute("data-state", "expired")
    await expect(proposals.first.locator(".card-status")).to_have_text("Expired")
    await expect(proposals.first.get_by_role("button")).to_have_count(0)
    await expect(proposals.last.get_by_role("button", name="Confirm")).to_be_visible()
    await page.screenshot(path=shots / "desktop-expired.png")
    # An undo that is no longer valid answers with the server's own words.
    await saved_cards.last.get_by_role("button", name="Undo").click()
    await expect(saved_cards.last.locator(".card-feedback")).to_contain_text("no undo token")
    assert_clean(recorded)
    await page.context.close()


async def test_the_demo_climbers_chat_shows_their_turns_after_sign_in(
    tmp_path: Path, browser: Browser, shots: Path
) -> None:
    with ui_server(tmp_path, demo=True) as demo:
        page, recorded = await open_page(browser, demo.url, DESKTOP)
        await page.get_by_label("Email").fill("demo@v7.coach")
        await page.get_by_label("Password").fill("send-it-2026")
        await page.get_by_role("button", name="Sign in").click()
        await wait_online(page)
        await expect(page.locator(".msg.user")).to_have_count(4)
        await expect(page.locator(".msg.coach")).to_have_count(4)
        await expect(page.locator(".msg.user").first).to_contain_text("Sent my first V6")
        await expect(page.locator(".msg.user").last).to_contain_text("Shoulder still a bit sore")
        await expect(page.locator(".welcome")).to_have_count(0)
        await page.screenshot(path=shots / "desktop-demo.png")
        assert_clean(recorded)
        await page.context.close()


async def test_a_reply_in_progress_is_picked_up_from_its_start_even_after_a_reload(
    tmp_path: Path, browser: Browser
) -> None:
    slow = "scripted://?ttft_ms=100&tokens_per_s=15&tokens=45"
    with ui_server(tmp_path, model=slow) as live:
        page, recorded = await open_page(browser, live.url, DESKTOP)
        email = await sign_up(page)
        streaming = page.locator(".msg.coach.streaming")

        # Another device opens the chat while the coach answers: the question from history,
        # then the reply from its first word, following it live to its end.
        await say(page, "how was my week?")
        await expect(streaming).to_have_count(1)
        other, other_recorded = await open_page(browser, live.url, PHONE)
        await sign_in(other, email)
        await expect(other.locator(".msg.user")).to_have_text(["how was my week?"])
        await expect(other.locator(".msg.coach")).to_have_count(1)
        await expect(streaming).to_have_count(0, timeout=15_000)
        await expect(other.locator(".msg.coach.streaming")).to_have_count(0)
        words = (await page.locator(".msg.coach").inner_text()).split()
        assert len(words) == 45
        assert (await other.locator(".msg.coach").inner_text()).split() == words
        await other.reload()
        await wait_online(other)
        await expect(other.locator(".msg.coach")).to_have_count(1)
        assert (await other.locator(".msg.coach").inner_text()).split() == words

        # A reload does not end the reply (it streams on for the grace window): the reloaded
        # page picks it up and follows it to its end, whole, as the other device sees it.
        await say(page, "and the week before?")
        await expect(streaming.locator(".msg-text")).not_to_be_empty()
        await page.reload()
        await wait_online(page)
        replies = page.locator(".msg.coach")
        await expect(replies).to_have_count(2)
        await expect(streaming).to_have_count(0, timeout=15_000)
        await expect(replies.last.locator(".msg-status")).to_have_count(0)
        words = (await replies.last.inner_text()).split()
        assert len(words) == 45
        await expect(other.locator(".msg.coach")).to_have_count(2)
        await expect(other.locator(".msg.coach.streaming")).to_have_count(0)
        assert (await other.locator(".msg.coach").last.inner_text()).split() == words
        assert_clean(recorded)
        assert_clean(other_recorded)
        await other.context.close()
        await page.context.close()


class Gate:
    """The page's socket through Playwright: shut it to take the tab offline (the server's
    frames are not delivered; every reconnect is refused) and open it again."""

    def __init__(self) -> None:
        self.open = True
        self.routes: list[WebSocketRoute] = []

    async def handle(self, route: WebSocketRoute) -> None:
        if not self.open:
            await route.close(code=1012, reason="offline")
            return
        route.connect_to_server()
        self.routes.append(route)

    async def shut(self) -> None:
        self.open = False
        await self.routes[-1].close(code=1012, reason="offline")


async def test_what_was_said_while_a_tab_was_offline_shows_once_it_is_back(
    server: UiServer, browser: Browser
) -> None:
    first, recorded = await open_page(browser, server.url, DESKTOP)
    email = await sign_up(first)
    await say(first, "/goal V7 boulder before the trip")
    await expect(first.locator("article.card")).to_have_count(1)
    second, second_recorded = await open_page(browser, server.url, PHONE)
    gate = Gate()
    await second.route_web_socket(re.compile(r"/ws$"), gate.handle)
    await sign_in(second, email)
    await expect(second.locator("article.card")).to_have_count(1)

    await gate.shut()
    await expect(second.locator("#conn")).to_have_attribute("data-state", "offline")
    await say(first, "/help goal")
    await say(first, '/send V5 "While you were away"')
    await expect(first.locator("article.card")).to_have_count(2)
    gate.open = True  # the next reconnect (backoff, or a refused one's ready timeout) gets in
    await expect(second.locator("#conn")).to_have_attribute("data-state", "online", timeout=30_000)
    # The missed command output and card, after what was shown, each once.
    await expect(second.locator("article.card")).to_have_count(2)
    await expect(second.locator("article.card").last).to_contain_text("While you were away")
    await expect(second.locator(".msg.user")).to_have_text(
        ["/goal V7 boulder before the trip", "/help goal", '/send V5 "While you were away"']
    )
    assert await snapshot(second) == await snapshot(first)
    assert_clean(recorded)
    assert second_recorded.page_errors == []
    await second.context.close()
    await first.context.close()
