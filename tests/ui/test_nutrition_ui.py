"""The Nutrition view end to end, in headless Chromium against a live server: a climber without
a profile is told which facts their targets need and the `/nutrition` line that sets them, and
sending it gives them targets; a climber who sets their profile and logs a meal, water and a
supplement in the chat sees today against each target (and how the target was computed), seven
days of calories with the days they did not log shown as "not logged" (never 0) and their
training day marked, protein per kilo against 1.6–2.2 g/kg, and possible under-fuelling in
words; a meal logged in another tab updates the open view — on a desk and on a phone, with no
sideways scrolling.

The server's clock and the page's stand at Thursday 10 December 2026, 10:00 UTC (11:00 in
Berlin, where the climber lives), whatever day the suite runs.

The targets, worked by hand from the profile (68 kg, 170 cm, 30, female, moderate, maintain)
and one 90-minute session in the last 7 days (0.21 h of training a day):
- calories: BMR 10 × 68 + 6.25 × 170 − 5 × 30 − 161 = 1,431.5 → 1,432; × 1.55 = 2,220;
- protein: 1.6 g/kg × 68 = 108.8 → 109 g;
- carbs 3.42 g/kg × 68 = 233 g leaves fat at 852 kcal, over 35 % of energy, so fat is held at
  35 % (777 kcal / 9 = 86 g) and carbs take the rest: (2,220 − 436 − 774) / 4 = 252.5 → 253 g;
- water: 35 ml × 68 + 500 ml × 0.21 = 2,485 → 2,500 ml.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from playwright.async_api import Browser, Page, ViewportSize, expect

from store import open_table
from store.records.nutrition import NutritionLogIn
from store.repos.nutrition import NutritionLogRepo
from store.repos.users import UserRepo
from tests.clock import FrozenClock, at
from tests.ui.browsing import PASSWORD, open_page, say, sign_up, wait_online
from tests.ui.conftest import DESKTOP, PHONE, UiServer, ui_server

THURSDAY_MORNING = at("2026-12-10T10:00:00")
BERLIN = "Europe/Berlin"
SIDEWAYS_JS = (
    "() => [document.documentElement, document.body, ...document.querySelectorAll("
    "'#nutrition-view, .nut-inner, .nut-card, .nut-week, .nut-today, .topbar')]"
    ".filter(el => el.scrollWidth > el.clientWidth + 1).map(el => el.id || el.className)"
)
PROFILE = "/nutrition weight 68kg height 170cm age 30 sex female activity moderate goal maintain"
EARLIER_DAYS: dict[str, dict[str, Any]] = {
    # Saturday 5 and Tuesday 8 December: nothing logged.
    "2026-12-04": {"calories": 2300, "proteinG": 100},
    "2026-12-06": {"calories": 2100, "proteinG": 90},
    "2026-12-07": {"calories": 2250, "proteinG": 110},
    "2026-12-09": {"calories": 1200, "proteinG": 60},  # the training day, under-fuelled
}


@pytest.fixture(scope="module")
def thursday(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    with ui_server(
        Path(tmp_path_factory.mktemp("ui-nutrition")), clock=FrozenClock(THURSDAY_MORNING)
    ) as live:
        yield live


async def seed_earlier_days(server: UiServer, email: str) -> None:
    """The meals of earlier days, in the server's store (as `/meal` on those days would have
    left them)."""
    async with open_table(
        f"sqlite:///{server.data_dir / 'v7.db'}", data_dir=server.data_dir, clock=server.clock
    ) as table:
        user = await UserRepo(table).find_by_email(email)
        assert user is not None
        for day, meal in EARLIER_DAYS.items():
            log = {"date": day, "meals": [{"mealType": "dinner", **meal}]}
            await NutritionLogRepo(table).upsert(user.id, NutritionLogIn.model_validate(log))


async def sign_in(page: Page, email: str) -> None:
    await page.get_by_role("tab", name="Sign in").click()
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await wait_online(page)


async def open_nutrition(page: Page) -> None:
    await page.get_by_role("button", name="Nutrition", exact=True).click()
    await expect(page.get_by_role("heading", name="Nutrition", level=2)).to_be_visible()
    await expect(page.locator("#nutrition-view")).not_to_have_attribute("aria-busy", "true")
    await expect(page.locator(".nut-today")).to_be_visible()


async def sideways(page: Page) -> list[str]:
    return cast(list[str], await page.evaluate(SIDEWAYS_JS))


async def shoot(page: Page, path: Path, *parts: str) -> None:
    """The view's top, then each part scrolled into sight (the view scrolls inside the page)."""
    await page.locator("#nutrition-view").evaluate("view => view.scrollTo(0, 0)")
    await page.screenshot(path=path.with_name(f"{path.stem}-top.png"))
    for part in parts:
        await page.locator(part).first.scroll_into_view_if_needed()
        name = part.strip(".#").replace(" ", "-")
        await page.screenshot(path=path.with_name(f"{path.stem}-{name}.png"))


def row(page: Page, nutrient: str) -> Any:
    return page.locator(f".nut-row[data-nutrient='{nutrient}']")


async def test_without_a_profile_the_view_says_what_the_targets_need(
    thursday: UiServer, browser: Browser, shots: Path
) -> None:
    page, recorded = await open_page(
        browser, thursday.url, PHONE, timezone_id=BERLIN, now=THURSDAY_MORNING
    )
    await sign_up(page)
    await open_nutrition(page)

    setup = page.locator("section.nut-setup")
    await expect(setup).to_contain_text("I need your weight, height, age and sex")
    await expect(setup.locator("code")).to_have_text(
        "/nutrition weight 68kg height 170cm age 30 sex female"
    )
    await expect(row(page, "calories").locator(".nut-figures")).to_have_text(
        "not logged · no target yet"
    )
    await expect(row(page, "calories").locator(".nut-needs")).to_have_text(
        "Target needs weight, height, age and sex (Mifflin–St Jeor)"
    )
    await expect(row(page, "proteinG").locator(".nut-needs")).to_have_text(
        "Target needs your weight"
    )
    await expect(page.locator(".nut-empty")).to_have_text("Nothing logged today yet.")
    # Seven days, none logged: every one says so rather than showing a bar of 0.
    await expect(page.locator(".nut-day .nut-no-bar")).to_have_count(7)
    await expect(page.locator(".nut-day").first.locator(".nut-no-bar")).to_have_text("not logged")
    protein = page.locator("section.nut-card").filter(has_text="Protein per kilo")
    await expect(protein).to_contain_text("Add your weight to compare")
    await shoot(page, shots / "nutrition-empty-phone.png")
    assert await sideways(page) == []
    body = await page.locator("#nutrition-view").inner_text()
    assert "null" not in body
    assert "undefined" not in body
    assert "NaN" not in body

    # The button takes the climber to the chat with the line to fill in with their numbers.
    await setup.get_by_role("button", name="Write it in the chat").click()
    await expect(page.locator("#nutrition-view")).to_be_hidden()
    composer = page.get_by_label("Message or /command")
    await expect(composer).to_have_value("/nutrition weight 68kg height 170cm age 30 sex female")
    await expect(composer).to_be_focused()

    # Sent as it stands, it sets the profile: the view has targets and no longer asks.
    await composer.press("Enter")
    await expect(page.locator("article.card.saved")).to_have_count(1)
    await open_nutrition(page)
    await expect(page.locator("section.nut-setup")).to_have_count(0)
    await expect(row(page, "calories").locator(".nut-figures")).to_have_text(
        "not logged · target 2,220 kcal"
    )
    await expect(row(page, "proteinG").locator(".nut-figures")).to_have_text(
        "not logged · target 109 g"
    )
    assert recorded.page_errors == []
    await page.context.close()


async def test_today_the_week_and_a_meal_from_another_tab(
    thursday: UiServer, browser: Browser, shots: Path
) -> None:
    page, recorded = await open_page(
        browser, thursday.url, DESKTOP, timezone_id=BERLIN, now=THURSDAY_MORNING
    )
    email = await sign_up(page)
    await seed_earlier_days(thursday, email)
    await say(page, PROFILE)
    await say(page, "/log gym 90min rpe 7 yesterday")
    await say(page, "/meal lunch 650kcal protein 35 carbs 80 fat 20")
    await say(page, "/water 500ml")
    await say(page, "/supplement creatine 5g")
    await expect(page.locator("article.card.saved")).to_have_count(5)
    await open_nutrition(page)

    # Today so far against each target.
    expected = {
        "calories": ("650 of 2,220 kcal", "29 %"),
        "proteinG": ("35 of 109 g", "32 %"),
        "carbsG": ("80 of 253 g", "32 %"),
        "fatG": ("20 of 86 g", "23 %"),
        "waterMl": ("500 of 2,500 ml", "20 %"),
    }
    for nutrient, (figures, percent) in expected.items():
        await expect(row(page, nutrient).locator(".nut-figures")).to_have_text(figures)
        await expect(row(page, nutrient).locator(".nut-percent")).to_have_text(percent)
        await expect(row(page, nutrient)).to_have_attribute("data-source", "computed")
    calories = row(page, "calories")
    await expect(calories.locator(".nut-how p")).to_be_hidden()
    await calories.get_by_text("Target: computed").click()
    await expect(calories.locator(".nut-how p")).to_contain_text(
        "Mifflin–St Jeor BMR 1,432 kcal (68 kg, 170 cm, 30 y, female) × 1.55 (moderate) = 2,220 "
        "kcal to maintain"
    )
    await expect(page.locator(".nut-meals li")).to_have_text(
        ["Lunch · 650 kcal · 35 g protein · 80 g carbs · 20 g fat"]
    )
    await expect(page.locator(".nut-extras")).to_have_text(
        "Water: 500 ml · Supplements: creatine 5g"
    )
    await expect(page.locator(".nut-today").locator("..")).to_contain_text(
        "Maintain · 68 kg · moderately active"
    )
    await expect(page.locator("section.nut-setup")).to_have_count(0)

    # Seven days of calories: the unlogged days say so, the training day is marked.
    days = page.locator(".nut-week > li")
    await expect(days).to_have_count(7)
    await expect(days.first).to_have_attribute("data-date", "2026-12-04")
    for unlogged in ("2026-12-05", "2026-12-08"):
        day = page.locator(f".nut-day[data-date='{unlogged}']")
        await expect(day).to_have_attribute("data-logged", "false")
        await expect(day.locator(".nut-no-bar")).to_have_text("not logged")
        await expect(day.locator(".nut-bar")).to_have_count(0)
    wednesday = page.locator(".nut-day[data-date='2026-12-09']")
    await expect(wednesday.locator(".nut-bar-value")).to_have_text("1,200")
    await expect(wednesday).to_have_attribute("data-trained", "true")
    await expect(wednesday.locator(".nut-trained")).to_have_text("90′")
    await expect(wednesday).to_contain_text("trained 90 min")  # for screen readers
    await expect(page.locator(".nut-day[data-date='2026-12-07'] .nut-trained")).to_be_empty()
    today = page.locator(".nut-day[data-date='2026-12-10']")
    await expect(today.locator(".nut-day-label")).to_have_text("Today")
    await expect(today.locator(".nut-bar-value")).to_have_text("650")
    await expect(page.locator(".nut-target-line")).to_have_count(7)
    await expect(page.locator(".nut-legend")).to_contain_text("Target 2,220 kcal")
    # (2,300 + 2,100 + 2,250 + 1,200 + 650) / 5 logged days; Sunday and Wednesday were under.
    await expect(page.get_by_text("Averaging 1,700 kcal a day over 5 logged days")).to_contain_text(
        "77 % of your 2,220 kcal target; under it on 2 finished days."
    )

    # Protein: 79 g a day over 5 days at 68 kg is 1.2 g/kg, under 1.6–2.2.
    await expect(page.locator(".nut-protein-words")).to_have_text(
        "1.2 g/kg a day on average (79 g over 5 logged days): under the 1.6–2.2 g/kg "
        "strength athletes do well on, 109–150 g a day at 68 kg."
    )
    await expect(page.locator(".nut-gauge-marker")).to_have_count(1)
    await expect(page.locator(".nut-flags li").first).to_have_text(
        "Possible under-fuelling: 1 of 1 logged training day was under 80 % of your 2,220 kcal "
        "target. Many climbers under-eat for their training without noticing: worth checking "
        "you eat for the work you do."
    )
    await shoot(page, shots / "nutrition-desktop.png", ".nut-week", ".nut-flags")
    assert await sideways(page) == []

    # A meal logged in another tab reaches this one, and the open view follows it.
    other, other_recorded = await open_page(
        browser, thursday.url, PHONE, timezone_id=BERLIN, now=THURSDAY_MORNING
    )
    await sign_in(other, email)
    await say(other, "/meal dinner 800kcal protein 40")
    await expect(row(page, "calories").locator(".nut-figures")).to_have_text("1,450 of 2,220 kcal")
    await expect(row(page, "proteinG").locator(".nut-figures")).to_have_text("75 of 109 g")
    # The dinner gave no carbs or fat: those are not counted as 0, and the row says so.
    await expect(row(page, "carbsG").locator(".nut-figures")).to_have_text("80 of 253 g")
    await expect(row(page, "carbsG").locator(".nut-partial")).to_have_text("from 1 of 2 meals")
    await expect(today.locator(".nut-bar-value")).to_have_text("1,450")
    await expect(page.locator(".nut-meals li")).to_have_count(2)
    await other.context.close()

    # On a phone the same view fits the width.
    await page.set_viewport_size(ViewportSize(width=PHONE["width"], height=PHONE["height"]))
    await page.get_by_role("button", name="Back to chat").click()
    await open_nutrition(page)
    await expect(days).to_have_count(7)
    await shoot(page, shots / "nutrition-phone.png", ".nut-today", ".nut-week", ".nut-flags")
    assert await sideways(page) == []
    # The narrowest phones too.
    await page.set_viewport_size(ViewportSize(width=320, height=640))
    await shoot(page, shots / "nutrition-small-phone.png", ".nut-week")
    assert await sideways(page) == []
    assert recorded.console_errors == []
    assert recorded.page_errors == []
    assert other_recorded.page_errors == []
    await page.context.close()
