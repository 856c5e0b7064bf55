"""The Progress view end to end, in headless Chromium against a live server: a climber logs
sessions by command, opens Progress and sees their pyramid, max grade by week and weekly load
drawn from what they logged — for any period, in light and dark, on a desk or a phone, with
nothing fetched from elsewhere and hostile text never turned into markup."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import cast

from playwright.async_api import Browser, Page, ViewportSize, expect

from core.zones import local_date
from store.records.user import Tier
from tests.ui.browsing import Recorded, eventually, open_page, say, sign_up
from tests.ui.conftest import DESKTOP, PHONE, UiServer

HOSTILE = "<img src=x onerror=alert(1)>"
ROWS_JS = "rows => rows.map(row => Array.from(row.cells, cell => cell.textContent.trim()))"
LAYOUT_JS = """() => {
    const view = document.querySelector('#progress-view');
    const top = view.getBoundingClientRect().top - view.scrollTop;
    const cards = [...document.querySelectorAll('.chart-card')];
    return {
        scrollHeight: view.scrollHeight,
        contentBottom: Math.max(...cards.map(card => card.getBoundingClientRect().bottom - top)),
        documentHeight: document.documentElement.scrollHeight,
        hiddenTables: [...document.querySelectorAll('table.values')]
            .map(table => table.parentElement.getBoundingClientRect().height),
    };
}"""
# The current week's value label, the SVG's size and every other bar, all in SVG user units.
LOAD_LABEL_JS = """svg => {
    const box = (el) => {
        const b = el.getBBox();
        return [b.x, b.y, b.x + b.width, b.y + b.height];
    };
    const labels = svg.querySelectorAll('.value-label');
    const bars = [...svg.querySelectorAll('.load-bar')];
    return {
        text: labels[labels.length - 1].textContent,
        label: box(labels[labels.length - 1]),
        size: [svg.width.baseVal.value, svg.height.baseVal.value],
        otherBars: bars.slice(0, -1).map(box),
    };
}"""
NO_SIDEWAYS_SCROLL_JS = (
    "() => [document.documentElement, document.body, ...document.querySelectorAll("
    "'#progress-view, .progress-inner, .chart-card, .chart-frame, .topbar')]"
    ".filter(el => el.scrollWidth > el.clientWidth + 1).map(el => el.id || el.className)"
)


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


async def table(page: Page, name: str) -> list[list[str]]:
    """The rows (header cell then values) of the chart's text-alternative table `name`."""
    rows = page.locator(f"table.{name} tbody tr")
    return cast(list[list[str]], await rows.evaluate_all(ROWS_JS))


async def log(page: Page, command: str) -> None:
    """Send a /log command and wait for its saved card."""
    cards = page.locator("article.card.saved")
    before = await cards.count()
    await say(page, command)
    await expect(cards).to_have_count(before + 1)


async def open_progress(page: Page) -> None:
    await page.get_by_role("button", name="Progress").click()
    await expect(page.get_by_role("heading", name="Progress", level=2)).to_be_visible()
    await expect(page.locator("#progress-view")).not_to_have_attribute("aria-busy", "true")


async def sideways(page: Page) -> list[str]:
    return cast(list[str], await page.evaluate(NO_SIDEWAYS_SCROLL_JS))


def assert_clean(recorded: Recorded) -> None:
    assert recorded.foreign_hosts() == set()
    assert recorded.console_errors == []
    assert recorded.page_errors == []
    assert recorded.dialogs == []


async def test_logged_sessions_show_as_pyramid_max_grade_and_weekly_load(
    server: UiServer, browser: Browser, shots: Path
) -> None:
    page, recorded = await open_page(browser, server.url, DESKTOP)
    await server.set_tier(await sign_up(page), Tier.PRO)  # the year is advanced analytics
    # The account took the browser's time zone at sign-up: "today" is the climber's date there.
    zone = await page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
    today = local_date(server.clock(), zone)
    # Three entries, each in the free tier's 3 per ISO week.
    await log(page, "/log gym 90min rpe 7 sent V4 V5 V5 tried V6")
    await log(page, f"/log yesterday board 60min rpe 8 sent V5 @{HOSTILE}")
    await log(page, f"/log 2 weeks ago gym 75min rpe 6 sent V3 V4 notes: {HOSTILE}")
    loads = {today: 7 * 90, today - timedelta(days=1): 8 * 60, today - timedelta(days=14): 6 * 75}
    this_week = sum(load for day, load in loads.items() if monday(day) == monday(today))

    await open_progress(page)
    await expect(page.locator("#chat-view")).to_be_hidden()
    await expect(page.locator("table.pyramid-values")).to_have_count(1)

    pyramid = {row[0]: row[1:] for row in await table(page, "pyramid-values")}
    assert pyramid["V5"] == ["3", "2"]  # three V5 sends against Horst's 2 at the max
    assert pyramid["V4"] == ["2", "4"]
    assert pyramid["V3"] == ["1", "8"]
    assert "V6" not in pyramid  # tried, never sent
    pyramid_svg = page.locator("svg.pyramid-chart")
    await expect(pyramid_svg).to_have_attribute("role", "img")
    assert "V5: 3 sent of 2" in (await pyramid_svg.locator("desc").text_content() or "")
    await expect(pyramid_svg.locator(".pyr-bar")).to_have_count(3)

    load = await table(page, "load-values")
    assert float(load[-1][1].replace(",", "")) == this_week
    assert sum(float(row[1].replace(",", "")) for row in load) == sum(loads.values())
    await expect(page.locator("svg.load-chart .load-bar")).to_have_count(len(load))

    grades = await table(page, "grade-values")
    weekly = [row[1] for row in grades]  # oldest week first
    assert weekly[0] == "V4"
    assert weekly[-1] == "V5"
    assert set(weekly) == {"V4", "V5"}
    await expect(page.locator("svg.grade-chart .grade-label")).to_have_text(["V5", "V4"])
    await expect(page.locator("svg.grade-chart .point-label")).to_have_text("V5")
    await page.screenshot(path=shots / "desktop-light.png")
    await page.locator(".chart-card").last.screenshot(path=shots / "desktop-light-load.png")
    await page.emulate_media(color_scheme="dark")
    await page.locator("#progress-view").screenshot(path=shots / "desktop-dark.png")

    # Switching the period fetches that period and redraws; the year has ~53 weekly bars.
    asked = len(recorded.urls)
    await page.get_by_role("button", name="1 year").click()
    await expect(page.get_by_role("button", name="1 year")).to_have_attribute(
        "aria-pressed", "true"
    )
    await eventually(lambda: any("period=1y" in url for url in recorded.urls[asked:]))
    await expect(page.locator("svg.load-chart .load-bar")).to_have_count(
        (monday(today) - monday(today - timedelta(days=364))).days // 7 + 1
    )
    assert (await table(page, "pyramid-values"))[0][:2] == ["V5", "3"]
    await page.locator("#progress-view").screenshot(path=shots / "desktop-dark-year.png")
    await page.get_by_role("button", name="90 days").click()
    await eventually(lambda: any("period=90d" in url for url in recorded.urls[asked:]))

    # The hostile location and note never became elements, here or in the chat.
    await expect(page.locator("img[src='x']")).to_have_count(0)
    await page.get_by_role("button", name="Back to chat").click()
    await expect(page.locator("#messages")).to_be_visible()
    await expect(page.locator(".card-notes").last).to_have_text(HOSTILE)
    await expect(page.locator("img[src='x']")).to_have_count(0)
    assert all(url.startswith(("http://127.0.0.1", "ws://127.0.0.1")) for url in recorded.urls)
    assert_clean(recorded)
    await page.context.close()


async def test_a_new_climber_sees_empty_states_then_charts_on_a_phone(
    server: UiServer, browser: Browser, shots: Path
) -> None:
    page, recorded = await open_page(browser, server.url, PHONE)
    await sign_up(page)
    await open_progress(page)
    await expect(page.locator(".chart-empty").first).to_have_text(
        "Log a few sessions with /log to see your pyramid."
    )
    await expect(page.locator("svg.chart")).to_have_count(0)
    # Free: the basic view, a line saying what Pro adds, and the year greyed out with it.
    upgrade = page.locator(".progress-upgrade")
    await expect(upgrade).to_be_visible()
    await expect(upgrade).to_contain_text("Pro adds week-over-week trends")
    await expect(page.get_by_role("button", name="1 year")).to_be_disabled()
    assert await sideways(page) == []
    await page.screenshot(path=shots / "phone-empty.png")

    # The chat still works beneath: back, log, and the next visit shows the new session.
    await page.get_by_role("button", name="Back to chat").click()
    await expect(page.get_by_label("Message or /command")).to_be_focused()
    await log(page, "/log board 45min rpe 9 sent 6c+ 6c 6c 6b+")
    await log(page, "/log outdoor 2h rpe 5 sent 5.10a 5.10b")
    await open_progress(page)
    # Bouldering has more sends, so it is drawn first; the routes are one tap away.
    pyramid = {row[0]: row[1] for row in await table(page, "pyramid-values")}
    assert [pyramid[grade] for grade in ("6C+", "6C", "6B+")] == ["1", "2", "1"]
    assert (await table(page, "load-values"))[-1][1] == f"{9 * 45 + 5 * 120:,}"
    await expect(page.locator("svg.grade-chart .point-label")).to_have_text("6C+")
    routes = page.get_by_role("button", name="Routes · outdoor")
    await routes.click()
    await expect(routes).to_have_attribute("aria-pressed", "true")
    await expect(routes).to_be_focused()
    await expect(page.locator("svg.grade-chart .point-label")).to_have_text("5.10b")
    assert (await table(page, "pyramid-values"))[0][:2] == ["5.10b", "1"]
    await page.locator(".chart-card").first.screenshot(path=shots / "phone-light-routes.png")
    await page.get_by_role("button", name="Boulder · indoor").click()
    assert await sideways(page) == []
    await page.screenshot(path=shots / "phone-light.png")
    await page.locator(".chart-card").nth(1).screenshot(path=shots / "phone-light-grades.png")
    await page.emulate_media(color_scheme="dark")
    await page.screenshot(path=shots / "phone-dark.png")
    await page.locator(".chart-card").last.screenshot(path=shots / "phone-dark-load.png")
    assert await sideways(page) == []
    assert_clean(recorded)
    await page.context.close()


async def assert_fits(page: Page) -> None:
    """The page is as tall as its charts, and this week's load label sits inside the chart,
    clear of every other bar."""
    layout = await page.evaluate(LAYOUT_JS)
    assert all(height <= 1 for height in layout["hiddenTables"]), layout
    assert layout["scrollHeight"] <= layout["contentBottom"] + 48, layout  # + bottom padding
    assert layout["documentHeight"] <= (page.viewport_size or DESKTOP)["height"], layout
    found = await page.locator("svg.load-chart").evaluate(LOAD_LABEL_JS)
    assert found["text"] == "1,250"
    left, top, right, bottom = found["label"]
    width, height = found["size"]
    assert left >= 0, found
    assert right <= width, found
    assert top >= 0, found
    assert bottom <= height, found
    for bar_left, bar_top, bar_right, bar_bottom in found["otherBars"]:
        apart = right <= bar_left or bar_right <= left or bottom <= bar_top or bar_bottom <= top
        assert apart, found


async def test_the_page_is_as_tall_as_its_charts_and_this_weeks_label_fits(
    server: UiServer, browser: Browser, shots: Path
) -> None:
    page, recorded = await open_page(browser, server.url, DESKTOP)
    await server.set_tier(await sign_up(page), Tier.PRO)  # the year is advanced analytics
    # Last week's bar is taller than this week's: a label wider than its bar must clear it.
    await log(page, "/log gym 125min rpe 10")  # 1,250 AU this week
    await log(page, "/log 7 days ago gym 150min rpe 10")
    await log(page, "/log 3 weeks ago gym 60min rpe 5")
    await open_progress(page)
    await assert_fits(page)
    await page.screenshot(path=shots / "desktop-30d.png")

    # A year: 53 weeks of hidden rows (they once stretched the page by ~1,800 px), thin bars.
    await page.get_by_role("button", name="1 year").click()
    today = server.clock().date()
    await expect(page.locator("svg.load-chart .load-bar")).to_have_count(
        (monday(today) - monday(today - timedelta(days=364))).days // 7 + 1
    )
    await assert_fits(page)
    await page.screenshot(path=shots / "desktop-year.png")

    await page.set_viewport_size(ViewportSize(width=PHONE["width"], height=PHONE["height"]))
    await page.wait_for_function(  # redrawn for the phone's width
        "() => document.querySelector('svg.load-chart').width.baseVal.value < 390"
    )
    await assert_fits(page)
    await page.screenshot(path=shots / "phone-year.png")
    await page.locator(".chart-card").last.screenshot(path=shots / "phone-year-load.png")
    assert await sideways(page) == []
    assert_clean(recorded)
    await page.context.close()
