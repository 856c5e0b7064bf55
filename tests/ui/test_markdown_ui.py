"""The coach's words in the browser: a model's markdown (bold, italic, lists, line breaks) drawn
as elements, live while it streams and again from history after a reload; anything else it
types (HTML, links, headings) stays text and runs nothing. And a finger-pain question answered
by the default offline coach: the red flags and who to see."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from playwright.async_api import Browser, Page, expect

from core.pacing import words
from tests.ui.browsing import PASSWORD, Recorded, open_page, say, sign_up, wait_online
from tests.ui.conftest import DESKTOP, PHONE, UiServer, ui_server

XSS = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
REPLY = "\n".join(
    [
        "**Yes: rest tomorrow.** You climbed hard *three* days running.",
        "Your fingers are at 6/10. Log it with `/log gym 60min **rpe** 4`.",
        "",
        "- Sleep well",
        "- Eat enough <b>protein</b>",
        "",
        "1. Easy mobility",
        "2. Light ARC on Thursday",
        "",
        f"Typed by the model: {XSS} and [a link](http://example.com/) and # not a heading",
    ]
)


def assert_clean(recorded: Recorded) -> None:
    """Nothing the page did was foreign, failed, violated the CSP or opened a dialog."""
    assert recorded.foreign_hosts() == set()
    assert recorded.console_errors == []
    assert recorded.page_errors == []
    assert recorded.dialogs == []


def scripted(text: str, tokens_per_s: int = 60) -> str:
    """A scripted model that streams exactly `text`, word by word."""
    count = len(words(text))
    return (
        f"scripted://?ttft_ms=50&tokens_per_s={tokens_per_s}&tokens={count}"
        f"&text={quote(text, safe='')}"
    )


async def check_markdown(page: Page) -> None:
    body = page.locator(".msg.coach").last.locator(".msg-text")
    await expect(body.locator("strong")).to_have_text(["Yes: rest tomorrow."])
    await expect(body.locator("em")).to_have_text(["three"])
    # A command in backticks is code, its inside kept as typed (no bold inside it).
    await expect(body.locator("code")).to_have_text(["/log gym 60min **rpe** 4"])
    await expect(body.locator("ul > li")).to_have_text(["Sleep well", "Eat enough <b>protein</b>"])
    await expect(body.locator("ol > li")).to_have_text(["Easy mobility", "Light ARC on Thursday"])
    await expect(body.locator("p")).to_have_count(2)
    await expect(body.locator("p").first.locator("br")).to_have_count(1)
    # What the subset does not include stays text, character for character.
    await expect(body.locator("p").last).to_have_text(
        f"Typed by the model: {XSS} and [a link](http://example.com/) and # not a heading"
    )
    for tag in ("img", "script", "b", "a", "h1"):
        await expect(body.locator(tag)).to_have_count(0)


async def test_a_models_markdown_is_drawn_as_elements_and_html_stays_text(
    tmp_path: Path, browser: Browser, shots: Path
) -> None:
    with ui_server(tmp_path, model=scripted(REPLY)) as live:
        page, recorded = await open_page(browser, live.url, DESKTOP)
        email = await sign_up(page)
        await say(page, "should I rest tomorrow?")
        await expect(page.locator(".msg.coach.streaming")).to_have_count(1)
        await expect(page.locator(".msg.coach.streaming")).to_have_count(0, timeout=15_000)
        await check_markdown(page)
        await page.screenshot(path=shots / "desktop-markdown.png")

        # The same reply restored from history on another device, phone-sized.
        phone, phone_recorded = await open_page(browser, live.url, PHONE)
        await phone.get_by_label("Email").fill(email)
        await phone.get_by_label("Password").fill(PASSWORD)
        await phone.get_by_role("button", name="Sign in").click()
        await wait_online(phone)
        await check_markdown(phone)
        await phone.screenshot(path=shots / "phone-markdown.png")

        # Nothing the model typed ran: no dialog, no request for "x", no CSP report.
        for seen in (recorded, phone_recorded):
            assert not [url for url in seen.urls if url.endswith("/x")]
            assert_clean(seen)
        await phone.context.close()
        await page.context.close()


async def test_a_finger_pain_question_gets_the_red_flags_and_who_to_see(
    server: UiServer, browser: Browser, shots: Path
) -> None:
    """The default offline coach (analyst://). The wording is being rewritten, so the check is
    loose: the reply names a pop, the red flag that matters most, and a clinician."""
    for viewport, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page, recorded = await open_page(browser, server.url, viewport)
        await sign_up(page)
        await say(page, "I felt a pop in my finger on a crimp and it hurts. What should I do?")
        replies = page.locator(".msg.coach")
        await expect(replies).to_have_count(1)  # a new climber: the answer is the only one
        await expect(replies).not_to_have_class(re.compile("streaming"), timeout=15_000)
        await expect(replies).to_contain_text("pop")
        text = (await replies.inner_text()).lower()
        assert any(who in text for who in ("clinician", "doctor", "physio")), text
        await replies.evaluate("node => node.scrollIntoView({block: 'start'})")
        await page.screenshot(path=shots / f"{name}-finger-pain.png")
        assert_clean(recorded)
        await page.context.close()
