"""The "Import" dialog end to end, in headless Chromium against a live server: a climber picks
their KAYA export, sees it sent and imported with the report, and their sessions are in the
journal; a Mountain Project file with a row it cannot read lists that row by line; on a phone,
the header and the dialog stay within the screen."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, Page, expect

from tests.ui.browsing import open_page, sign_up
from tests.ui.conftest import DESKTOP, PHONE, UiServer

SAMPLES = Path(__file__).parent.parent / "logbooks" / "samples"
SIDEWAYS_JS = (
    "() => [document.documentElement, document.body, ...document.querySelectorAll("
    "'#import-dialog, .topbar')]"
    ".filter(el => el.scrollWidth > el.clientWidth + 1).map(el => el.id || el.className)"
)


async def import_file(page: Page, sample: str) -> None:
    dialog = page.get_by_role("dialog", name="Import your logbook")
    if not await dialog.is_visible():
        await page.get_by_role("button", name="Import", exact=True).click()
    await expect(dialog).to_be_visible()
    await dialog.get_by_label("File").set_input_files(SAMPLES / sample)
    await dialog.get_by_role("button", name="Import", exact=True).click()


async def test_a_climber_imports_their_kaya_logbook(
    server: UiServer, browser: Browser, shots: Path
) -> None:
    page, recorded = await open_page(browser, server.url, DESKTOP)
    await sign_up(page, name="Kaya Climber")
    await import_file(page, "kaya.csv")
    report = page.locator("#import-report")
    await expect(report).to_have_text(
        "Imported 5 of 5 rows: 2 sessions, 3 sends. 0 already there, 0 refused.", timeout=10_000
    )
    await page.screenshot(path=shots / "import-kaya-desktop.png")

    await import_file(page, "mountainproject.csv")
    await expect(report.get_by_role("listitem")).to_have_text(
        ["Line 8: unknown grade: '5.99z' is not a YDS grade; YDS runs 5.0 to 5.16a, e.g. 5.10a"],
        timeout=10_000,
    )
    await page.keyboard.press("Escape")
    assert recorded.page_errors == []
    assert recorded.console_errors == []
    await page.context.close()


async def test_on_a_phone_the_dialog_fits_and_a_wrong_file_says_why(
    server: UiServer, browser: Browser, shots: Path
) -> None:
    page, recorded = await open_page(browser, server.url, PHONE)
    await sign_up(page, name="Phone Climber")
    assert await page.evaluate(SIDEWAYS_JS) == []
    await page.get_by_role("button", name="Import", exact=True).click()
    dialog = page.get_by_role("dialog", name="Import your logbook")
    await dialog.get_by_label("Format").select_option("thecrag")
    await dialog.get_by_label("File").set_input_files(SAMPLES / "kaya.csv")
    await dialog.get_by_role("button", name="Import", exact=True).click()
    await expect(page.locator("#import-error")).to_have_text(
        "This looks like a KAYA logbook export, not a theCrag logbook export.", timeout=10_000
    )
    assert await page.evaluate(SIDEWAYS_JS) == []
    await page.screenshot(path=shots / "import-wrong-phone.png")
    assert recorded.page_errors == []
    await page.context.close()
