"""The chat web UI end to end, in headless Chromium against a live server: a climber signs up,
logs a session by command, sees the card, undoes it — and the page stays inert to hostile
text, fetches nothing from elsewhere, fits a phone and survives the server going away."""

from __future__ import annotations

import contextlib
from pathlib import Path

from playwright.async_api import Browser, ViewportSize, expect
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from tests.ui.browsing import PASSWORD, has_horizontal_scroll, open_page, say, sign_up, wait_online
from tests.ui.conftest import (
    DESKTOP,
    PHONE,
    UiServer,
    bind_loopback,
    start_ui_server,
    stop_ui_server,
)

HOSTILE = "<img src=x onerror=alert(1)>"


async def test_sign_up_log_a_session_see_the_card_and_undo_it(
    server: UiServer, browser: Browser, shots: Path
) -> None:
    page, recorded = await open_page(browser, server.url, DESKTOP)
    await sign_up(page)
    await page.screenshot(path=shots / "desktop-empty.png")

    await say(page, "/log gym 90min rpe 7 sent V4 V5")

    card = page.locator("article.card.saved").last
    await expect(card).to_contain_text("90 min")
    await expect(card.locator(".chip.sent")).to_have_text(["V4", "V5"])
    await expect(card).to_contain_text("RPE")
    await expect(page.locator(".msg.user").last).to_have_text("/log gym 90min rpe 7 sent V4 V5")
    await page.screenshot(path=shots / "desktop-card.png")

    await card.get_by_role("button", name="Undo").click()
    await expect(card).to_have_attribute("data-state", "undone")
    await expect(card.locator(".card-status")).to_have_text("Undone")
    await expect(card.get_by_role("button", name="Undo")).to_have_count(0)

    # The undo really removed the entry: the history is empty again.
    await say(page, "/history")
    await expect(page.locator(".msg.coach").last).to_contain_text("Nothing logged yet")
    await page.screenshot(path=shots / "desktop-undone.png")

    assert recorded.foreign_hosts() == set()
    assert any(url.startswith("ws://127.0.0.1") for url in recorded.urls)
    assert recorded.console_errors == []
    assert recorded.page_errors == []
    await page.context.close()


async def test_hostile_text_is_shown_as_text_and_nothing_runs(
    server: UiServer, browser: Browser
) -> None:
    page, recorded = await open_page(browser, server.url, DESKTOP)
    await sign_up(page, name=HOSTILE)

    await say(page, f"/log gym 60min notes: {HOSTILE}")

    card = page.locator("article.card.saved").last
    await expect(card.locator(".card-notes")).to_have_text(HOSTILE)
    await expect(page.locator(".msg.user").last).to_have_text(f"/log gym 60min notes: {HOSTILE}")
    await expect(page.locator("img[src='x']")).to_have_count(0)
    await expect(page.locator("#messages img")).to_have_count(0)
    assert recorded.dialogs == []
    assert recorded.foreign_hosts() == set()
    assert recorded.console_errors == []
    await page.context.close()


async def test_slash_hints_complete_a_command_and_its_example(
    server: UiServer, browser: Browser, shots: Path
) -> None:
    page, _ = await open_page(browser, server.url, DESKTOP)
    await sign_up(page)
    composer = page.get_by_label("Message or /command")
    await composer.press_sequentially("/")
    options = page.get_by_role("option")
    await expect(options.first).to_contain_text("/log")
    # The hints are the server's catalogue: every command the server parses, /edit included.
    await expect(page.locator("#hint-edit")).to_contain_text("/edit")
    await expect(page.locator("#hint-delete")).to_contain_text("/delete")
    await composer.press_sequentially("g")
    await expect(options).to_have_count(3)  # /goal, then /log and /insights (contain "g")
    await expect(options.first).to_contain_text("/goal")
    await composer.press("ArrowDown")
    await expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    await composer.press("ArrowUp")
    await page.screenshot(path=shots / "desktop-hints.png")
    await composer.press("Tab")
    await expect(composer).to_have_value("/goal ")
    await expect(page.locator("#hint-detail")).to_contain_text("/goal V8 boulder by 2027-06-30")
    await composer.press("Tab")  # an empty argument list takes the example
    await expect(composer).to_have_value("/goal V8 boulder by 2027-06-30")
    await composer.press("Enter")

    card = page.locator("article.card.saved").last
    await expect(card).to_have_attribute("data-kind", "goal")
    await expect(card).to_contain_text("V8")
    await expect(composer).to_have_value("")
    await page.context.close()


async def test_phone_layout_has_no_horizontal_scroll(
    server: UiServer, browser: Browser, shots: Path
) -> None:
    page, recorded = await open_page(browser, server.url, PHONE)
    assert not await has_horizontal_scroll(page)
    await page.screenshot(path=shots / "phone-signin.png")
    await sign_up(page)
    await say(page, "/log yesterday outdoor 3h @Red River Gorge sent 5.11a 5.10c tried 5.12a")
    await expect(page.locator("article.card.saved").last).to_contain_text("Red River Gorge")
    await say(page, '/send V7 "Midnight Lightning" @Yosemite outdoor overhang attempts 12')
    await expect(page.locator("article.card.saved").last).to_contain_text("Midnight Lightning")
    await say(page, "/meal lunch 650kcal protein 35 carbs 80 fat 20")
    await expect(page.locator("article.card.saved").last).to_contain_text("650")
    await say(page, "/nope")
    await expect(page.locator(".msg.error").last).to_contain_text("There's no /nope.")
    composer = page.get_by_label("Message or /command")
    await expect(composer).to_have_value("/nope")  # refused: kept to fix
    await composer.fill("")
    await composer.press_sequentially("/")
    await expect(page.get_by_role("option").first).to_be_visible()
    assert not await has_horizontal_scroll(page)
    await page.screenshot(path=shots / "phone-chat.png")
    assert recorded.foreign_hosts() == set()
    await page.context.close()


async def test_a_refused_command_stays_in_the_composer_to_fix(
    server: UiServer, browser: Browser, shots: Path
) -> None:
    page, recorded = await open_page(browser, server.url, DESKTOP)
    await sign_up(page)
    composer = page.get_by_label("Message or /command")

    await say(page, "/log gym")  # no duration
    await expect(page.locator(".msg.error").last).to_contain_text("needs a duration")
    await expect(composer).to_have_value("/log gym")
    await expect(composer).to_be_focused()
    refused = page.locator(".msg.user").last
    await expect(refused).to_have_attribute("data-state", "refused")
    await expect(refused.locator(".msg-status")).to_have_text("Not sent")
    await page.screenshot(path=shots / "desktop-refused.png")

    # Fixed in place and sent again: saved, and the composer is empty for the next line.
    await composer.press("End")
    await composer.press_sequentially(" 90min")
    await composer.press("Enter")
    card = page.locator("article.card.saved").last
    await expect(card).to_contain_text("90 min")
    await expect(composer).to_have_value("")
    await expect(page.locator(".msg.user").last).to_have_attribute("data-state", "answered")
    await expect(page.locator(".msg.user")).to_have_count(2)
    assert recorded.console_errors == []
    assert recorded.page_errors == []
    await page.context.close()


async def test_cards_show_what_the_climber_gave_and_nothing_assumed(
    server: UiServer, browser: Browser, shots: Path
) -> None:
    page, recorded = await open_page(browser, server.url, DESKTOP)
    await sign_up(page)
    cards = page.locator("article.card.saved")

    await say(page, "/injury left ring finger A2 pulley strain grade 2")
    injury = cards.last
    await expect(injury).to_have_attribute("data-kind", "injury")
    await expect(injury.locator(".card-main")).to_have_text("Left ring finger · A2 pulley strain")

    await say(page, "/send V5 redpoint")
    redpoint = cards.last
    await expect(redpoint).to_have_attribute("data-kind", "send")
    await expect(redpoint.locator(".fact dd")).to_have_text(["redpoint"])
    await expect(redpoint).not_to_contain_text("Attempts")

    await say(page, "/send V5 redpoint attempts 12")
    counted = cards.last
    await expect(counted.locator(".fact", has_text="Attempts").locator("dd")).to_have_text("12")

    await say(page, "/send f6C+ flash")
    flash = cards.last
    await expect(flash.locator(".card-main")).to_have_text("6C+")
    await expect(flash.locator(".fact dd")).to_have_text(["flash"])
    for word in ("indoor", "outdoor", "Attempts"):
        await expect(flash).not_to_contain_text(word)
    await expect(cards).to_have_count(4)
    await page.screenshot(path=shots / "desktop-cards.png")
    await page.set_viewport_size(ViewportSize(width=PHONE["width"], height=PHONE["height"]))
    assert not await has_horizontal_scroll(page)
    await page.screenshot(path=shots / "phone-cards.png")

    # Progress does not call these sends indoor either.
    await page.get_by_role("button", name="Progress").click()
    await expect(page.locator("svg.pyramid-chart title")).to_have_text(
        "Grade pyramid, Boulder · setting not given"
    )
    assert recorded.console_errors == []
    assert recorded.page_errors == []
    await page.context.close()


async def test_cards_read_the_seeds_names(server: UiServer, browser: Browser) -> None:
    page, recorded = await open_page(browser, server.url, DESKTOP)
    await sign_up(page)
    cards = page.locator("article.card.saved")

    await say(page, "/log outdoor 2h30 sent V4 V5")
    session = cards.last
    await expect(session.locator(".card-main")).to_contain_text("Outdoor · 2 h 30 min")

    await say(page, '/send V6 "Roof problem" outdoor overhang pb')
    send = cards.last
    await expect(send.locator(".fact dd")).to_have_text(["outdoor, overhang"])
    await expect(send.locator(".badge")).to_have_text("Personal best")

    await say(page, "/nutrition weight 68kg target 66kg height 170cm")
    profile = cards.last
    await expect(profile.locator(".fact", has_text="Weight").locator("dd")).to_have_text("68 kg")
    await expect(profile.locator(".fact", has_text="Target").locator("dd")).to_have_text("66 kg")
    assert recorded.console_errors == []
    assert recorded.page_errors == []
    await page.context.close()


async def test_reconnects_after_the_server_returns_and_sends_what_was_queued(
    browser: Browser, tmp_path: Path, shots: Path
) -> None:
    live = start_ui_server(tmp_path, bind_loopback())
    port = live.listener.getsockname()[1]
    page, _ = await open_page(browser, live.url, DESKTOP)
    try:
        await sign_up(page)
        stop_ui_server(live)
        await expect(page.locator("#conn")).to_have_attribute("data-state", "offline")
        await expect(page.locator("#conn-text")).to_contain_text("retry")

        # Typed while offline: shown as waiting, sent once the server is back.
        await say(page, "/log board 45min sent V5")
        await expect(page.locator(".msg.user").last).to_contain_text("Waiting for connection")
        await page.screenshot(path=shots / "desktop-offline.png")

        live = start_ui_server(tmp_path, bind_loopback(port))
        # The backoff timer may reconnect on its own before the button is clicked (it then
        # hides): "Retry now" only hurries a reconnect that is still waiting.
        with contextlib.suppress(PlaywrightTimeoutError):
            await page.get_by_role("button", name="Retry now").click(timeout=2_000)
        await expect(page.locator("#conn-text")).to_have_text("Online", timeout=15_000)
        card = page.locator("article.card.saved").last
        await expect(card).to_contain_text("45 min")
        await expect(page.locator(".msg.user").last).to_have_attribute("data-state", "answered")
        await expect(page.locator("article.card.saved")).to_have_count(1)
    finally:
        await page.context.close()
        stop_ui_server(live)


async def test_two_tabs_of_one_climber_stay_in_sync(server: UiServer, browser: Browser) -> None:
    first, _ = await open_page(browser, server.url, DESKTOP)
    email = await sign_up(first)
    second = await first.context.new_page()  # another tab: its own sessionStorage
    await second.goto(server.url + "/")
    await second.get_by_label("Email").fill(email)
    await second.get_by_label("Password").fill(PASSWORD)
    await second.get_by_role("button", name="Sign in").click()
    await wait_online(second)

    await say(first, "/log hangboard 30min notes: repeaters")
    mirrored = second.locator("article.card.saved").last
    await expect(mirrored).to_contain_text("repeaters")
    await mirrored.get_by_role("button", name="Undo").click()
    await expect(mirrored).to_have_attribute("data-state", "undone")
    await expect(first.locator("article.card.saved").last).to_have_attribute("data-state", "undone")
    await first.context.close()


async def test_reconnect_waits_grow_exponentially_with_jitter_up_to_a_cap(
    server: UiServer, browser: Browser
) -> None:
    page, _ = await open_page(browser, server.url, DESKTOP)
    low, high = await page.evaluate(
        """async () => {
            const { backoffDelay } = await import("/static/connection.js");
            const attempts = [...Array(10).keys()];
            return [attempts.map((n) => backoffDelay(n, () => 0)),
                    attempts.map((n) => backoffDelay(n, () => 1))];
        }"""
    )
    assert high[:7] == [500, 1000, 2000, 4000, 8000, 16000, 30000]
    assert high[7:] == [30000] * 3
    assert low == [delay // 2 for delay in high]  # jitter spans the upper half
    await page.context.close()
