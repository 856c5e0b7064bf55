"""The Plan view end to end, in headless Chromium against a live server: a Free climber who
asks for a plan is told plans come with Pro and what Pro adds; a Pro climber generates one from
the view and sees the cycle's phases (the current one marked), this week's seven days against
what they logged, today's session with its exercises and why, and, days later, what they missed
and planned against done — on a desk and on a phone, with no sideways scrolling.

The server's clock and the page's stand at Monday 7 December 2026, 10:00 UTC (11:00 in Berlin,
where the climbers live), so the plan starts today whatever day the suite runs; the second half
moves both to Thursday.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import cast

import pytest
from playwright.async_api import Browser, Page, ViewportSize, expect

from store import open_table
from store.records.training import TrainingPlanIn
from store.records.user import Subscription, Tier
from store.repos.athlete import AthleteRepo
from store.repos.plans import PlanRepo
from store.repos.users import UserRepo
from tests.clock import FrozenClock, at
from tests.ui.browsing import open_page, say, sign_up, wait_online
from tests.ui.conftest import DESKTOP, PHONE, UiServer, ui_server

MONDAY_MORNING = at("2026-12-07T10:00:00")
THURSDAY_MORNING = MONDAY_MORNING + timedelta(days=3)
BERLIN = "Europe/Berlin"
SIDEWAYS_JS = (
    "() => [document.documentElement, document.body, ...document.querySelectorAll("
    "'#plan-view, .plan-inner, .plan-card, .plan-days, .plan-phases, .topbar')]"
    ".filter(el => el.scrollWidth > el.clientWidth + 1).map(el => el.id || el.className)"
)


@pytest.fixture(scope="module")
def monday(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    """A server whose clock stands at Monday morning (the tests move it on)."""
    with ui_server(
        Path(tmp_path_factory.mktemp("ui-plan")), clock=FrozenClock(MONDAY_MORNING)
    ) as live:
        yield live


def stand_at(server: UiServer, instant: datetime) -> None:
    """Move the server's clock (the page's is set when it opens, or by the test)."""
    clock = server.clock
    assert isinstance(clock, FrozenClock)
    clock.now = instant


async def make_pro(server: UiServer, email: str, *, days: list[str]) -> None:
    """Give the climber Pro and their training days, in the server's store (as billing and
    their profile would)."""
    async with open_table(
        f"sqlite:///{server.data_dir / 'v7.db'}", data_dir=server.data_dir, clock=server.clock
    ) as table:
        user = await UserRepo(table).find_by_email(email)
        assert user is not None
        await UserRepo(table).set_subscription(user.id, Subscription(tier=Tier.PRO))
        await AthleteRepo(table).put(user.id, {"trainingDays": days})


async def open_plan(page: Page) -> None:
    await page.get_by_role("button", name="Plan", exact=True).click()
    await expect(page.get_by_role("heading", name="Training plan", level=2)).to_be_visible()
    await expect(page.locator("#plan-view")).not_to_have_attribute("aria-busy", "true")


async def sideways(page: Page) -> list[str]:
    return cast(list[str], await page.evaluate(SIDEWAYS_JS))


async def shoot(page: Page, path: Path, *parts: str) -> None:
    """Screenshots of the view's top and then of each part scrolled into sight (the view
    scrolls inside the page, so a full-page shot would show only its top)."""
    await page.locator("#plan-view").evaluate("view => view.scrollTo(0, 0)")
    await page.screenshot(path=path.with_name(f"{path.stem}-top.png"))
    for part in parts:
        await page.locator(part).scroll_into_view_if_needed()
        name = part.strip(".#").replace(" ", "-")
        await page.screenshot(path=path.with_name(f"{path.stem}-{name}.png"))


async def test_a_free_climber_is_told_plans_come_with_pro(
    monday: UiServer, browser: Browser, shots: Path
) -> None:
    page, recorded = await open_page(
        browser, monday.url, PHONE, timezone_id=BERLIN, now=monday.clock()
    )
    await sign_up(page)
    await open_plan(page)
    await expect(page.get_by_role("heading", name="No training plan yet")).to_be_visible()
    await page.get_by_role("button", name="Generate a plan").click()

    refusal = page.get_by_role("alert")
    await expect(refusal).to_contain_text("Generated training plans come with Pro")
    await expect(refusal).to_contain_text("each day's exercises")  # what Pro adds
    await expect(refusal).to_contain_text("Premium adds custom plans")
    await expect(refusal).to_contain_text("On Free you can still write a training plan")
    await expect(page.get_by_role("button", name="Generate a plan")).to_be_enabled()
    await shoot(page, shots / "plan-free-phone.png")
    assert await sideways(page) == []

    # Nothing was written: the view still has no plan after coming back to it.
    await page.get_by_role("button", name="Back to chat").click()
    await open_plan(page)
    await expect(page.get_by_role("heading", name="No training plan yet")).to_be_visible()
    assert recorded.page_errors == []
    await page.context.close()


async def test_a_pro_climber_generates_a_plan_and_follows_it_through_the_week(
    monday: UiServer, browser: Browser, shots: Path
) -> None:
    stand_at(monday, MONDAY_MORNING)
    page, recorded = await open_page(
        browser, monday.url, DESKTOP, timezone_id=BERLIN, now=MONDAY_MORNING
    )
    email = await sign_up(page)
    await make_pro(monday, email, days=["monday", "wednesday", "friday"])
    await say(page, "/log gym 60min")  # today's session, before the plan exists
    await expect(page.locator("article.card.saved")).to_have_count(1)

    await open_plan(page)
    await page.get_by_role("button", name="Generate a plan").click()
    await expect(page.locator("#plan-name")).to_be_focused()
    await expect(
        page.get_by_role("status").filter(has_text="Your new plan is ready.")
    ).to_be_visible()
    await expect(page.locator(".plan-where")).to_contain_text("Week 1 of")

    # The cycle: its phases in order, the first one current, ending with rest.
    phases = page.locator(".plan-phases > li")
    assert await phases.count() >= 2
    await expect(phases.first).to_have_attribute("aria-current", "step")
    await expect(phases.first).to_contain_text("Now")
    await expect(phases.first).to_contain_text("7 Dec")
    await expect(phases.last.locator(".plan-phase-name")).to_have_text("Rest")
    await expect(page.locator(".plan-segment.current")).to_have_count(1)

    # This week: seven days, training on the climber's days; today's is done (logged above).
    days = page.locator(".plan-days > li")
    await expect(days).to_have_count(7)
    await expect(days.first.locator("time")).to_have_attribute("datetime", "2026-12-07")
    monday_card = page.locator(".plan-day[data-day='2026-12-07']")
    await expect(monday_card).to_have_attribute("data-status", "done")
    await expect(monday_card.locator(".plan-day-status")).to_have_text("Done")
    await expect(monday_card.locator(".plan-day-meta")).to_contain_text("min")
    wednesday = page.locator(".plan-day[data-day='2026-12-09']")
    await expect(wednesday.locator(".plan-day-status")).to_have_text("Planned")
    await expect(page.locator(".plan-day[data-day='2026-12-08'] .plan-day-type")).to_have_text(
        "Rest"
    )

    # Today's session: what to do and why.
    session = page.locator("section.plan-session")
    await expect(session.get_by_role("heading", level=3)).to_contain_text("Today's session")
    await expect(session.get_by_role("heading", name="Why this day")).to_be_visible()
    await expect(session.locator(".plan-reason")).to_contain_text("Mon")
    exercises = session.locator(".plan-exercises > li")
    assert await exercises.count() >= 2
    await expect(exercises.first.locator(".plan-exercise-name")).not_to_be_empty()
    await expect(exercises.nth(1).locator(".plan-exercise-dose")).not_to_be_empty()
    await expect(page.get_by_role("heading", name="What the plan assumed")).to_be_visible()
    await shoot(page, shots / "plan-desktop.png", ".plan-session", ".plan-renewal")
    assert await sideways(page) == []

    # Picking another day shows its session.
    await wednesday.get_by_role("button").click()
    await expect(session.get_by_role("heading", level=3)).to_contain_text("Wednesday 9 December")
    await expect(wednesday.get_by_role("button")).to_have_attribute("aria-pressed", "true")

    # On a phone the same plan fits the width.
    await page.set_viewport_size(ViewportSize(width=PHONE["width"], height=PHONE["height"]))
    await page.get_by_role("button", name="Back to chat").click()
    await open_plan(page)
    await expect(page.locator(".plan-days > li")).to_have_count(7)
    await shoot(page, shots / "plan-phone.png", ".plan-days", ".plan-session", ".plan-renewal")
    assert await sideways(page) == []

    # Thursday: Wednesday went by with nothing logged, and planned against done says so.
    stand_at(monday, THURSDAY_MORNING)
    await page.clock.set_fixed_time(THURSDAY_MORNING)
    await page.reload()
    await wait_online(page)
    await open_plan(page)
    await expect(wednesday).to_have_attribute("data-status", "missed")
    await expect(wednesday.locator(".plan-day-status")).to_have_text("Missed")
    await expect(monday_card).to_have_attribute("data-status", "done")
    thursday = page.locator(".plan-day[data-day='2026-12-10']")
    await expect(thursday.get_by_role("button")).to_have_attribute("aria-current", "date")
    await expect(thursday.locator(".plan-day-status")).to_have_text("Today")
    done = page.locator(".plan-done-weeks > li")
    await expect(done).to_have_count(1)
    await expect(done.first).to_contain_text("This week so far")
    await expect(done.first).to_contain_text("1 of 2 days done")
    await expect(session.get_by_role("heading", level=3)).to_contain_text("Thursday 10 December")
    await expect(session).to_contain_text("Rest day today.")
    await session.get_by_role("button", name="Fri 11 Dec", exact=False).click()
    await expect(session.get_by_role("heading", level=3)).to_contain_text("Friday 11 December")
    await shoot(
        page, shots / "plan-thursday-phone.png", ".plan-days", ".plan-session", ".plan-done-weeks"
    )
    assert await sideways(page) == []
    assert recorded.console_errors == []
    assert recorded.page_errors == []
    await page.context.close()


async def test_a_plan_generated_midweek_starts_next_monday_and_says_so(
    monday: UiServer, browser: Browser
) -> None:
    stand_at(monday, THURSDAY_MORNING)
    page, recorded = await open_page(
        browser, monday.url, PHONE, timezone_id=BERLIN, now=THURSDAY_MORNING
    )
    email = await sign_up(page)
    await make_pro(monday, email, days=["tuesday", "saturday"])
    await open_plan(page)
    await page.get_by_role("button", name="Generate a plan").click()
    await expect(page.locator(".plan-where")).to_contain_text("Starts Monday 14 December")

    # The first week is shown, every training day still to come; its first session is open.
    await expect(page.get_by_role("heading", name="First week")).to_be_visible()
    await expect(page.locator(".plan-days > li").first.locator("time")).to_have_attribute(
        "datetime", "2026-12-14"
    )
    tuesday = page.locator(".plan-day[data-day='2026-12-15']")
    await expect(tuesday.locator(".plan-day-status")).to_have_text("Planned")
    await expect(tuesday.get_by_role("button")).to_have_attribute("aria-pressed", "true")
    session = page.locator("section.plan-session")
    await expect(session.get_by_role("heading", level=3)).to_contain_text("Tuesday 15 December")
    await expect(session.locator(".plan-exercises > li").first).to_be_visible()
    await expect(page.locator(".plan-empty-text")).to_contain_text("Nothing to compare yet")
    assert await sideways(page) == []
    assert recorded.page_errors == []
    await page.context.close()


async def test_a_plan_written_by_hand_shows_its_week_and_nothing_it_lacks(
    monday: UiServer, browser: Browser
) -> None:
    """A free climber's own plan (the seed's weekly structure: no phases, no exercises, no
    assumptions) shows its week and today's session, and no empty or broken parts."""
    stand_at(monday, MONDAY_MORNING)
    page, recorded = await open_page(
        browser, monday.url, DESKTOP, timezone_id=BERLIN, now=MONDAY_MORNING
    )
    email = await sign_up(page)
    async with open_table(
        f"sqlite:///{monday.data_dir / 'v7.db'}", data_dir=monday.data_dir, clock=monday.clock
    ) as table:
        user = await UserRepo(table).find_by_email(email)
        assert user is not None
        plan = {
            "name": "My winter block",
            "startDate": "2026-11-30",
            "endDate": "2027-01-31",
            "weeklyStructure": {
                "monday": {"type": "power", "focus": "limit boulders", "duration": 90,
                           "intensity": "high"},
                "thursday": {"type": "endurance", "focus": "4x4s", "duration": 75,
                             "intensity": "moderate"},
            },
        }  # fmt: skip
        await PlanRepo(table).create(user.id, TrainingPlanIn.model_validate(plan))
    await open_plan(page)
    await expect(page.get_by_role("heading", name="My winter block")).to_be_visible()
    await expect(page.locator(".plan-day[data-day='2026-12-10']")).to_contain_text("Endurance")
    session = page.locator("section.plan-session")
    await expect(session).to_contain_text("limit boulders")
    body = await page.locator("#plan-view").inner_text()
    assert "null" not in body
    assert "undefined" not in body
    assert "Your cycle" not in body  # no phases to show
    assert recorded.page_errors == []
    await page.context.close()
