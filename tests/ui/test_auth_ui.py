"""Cognito sign-in in the browser: confirming a new account with the emailed code, turning
two-step sign-in on from the chat, and the authenticator-code screen at the next sign-in.

The server runs in Cognito mode against a moto pool configured from the rendered Pulumi program
(`tests/deployed_pool.py`); authenticator codes are computed from the key the page shows.
Screenshots go to `/tmp/shots16a/`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import aioboto3
import pytest
from playwright.async_api import Browser, Locator, Page, expect

from tests.deployed_pool import DeployedPool, create_deployed_pool, totp_now
from tests.ui.browsing import PASSWORD, fresh_email, open_page, wait_online
from tests.ui.conftest import DESKTOP, PHONE, UiServer, ui_server

SHOTS = Path("/tmp/shots16a")
REGION = "us-east-1"


@pytest.fixture(scope="module")
def cognito_ui(tmp_path_factory: pytest.TempPathFactory, moto_endpoint: str) -> Iterator[UiServer]:
    async def create() -> DeployedPool:
        async with aioboto3.Session().client(
            "cognito-idp", region_name=REGION, endpoint_url=moto_endpoint
        ) as cognito:
            return await create_deployed_pool(cognito)

    deployed = asyncio.run(create())
    with ui_server(
        Path(tmp_path_factory.mktemp("ui-cognito")),
        auth="cognito",
        cognito_region=REGION,
        cognito_user_pool_id=deployed.pool_id,
        cognito_client_id=deployed.client_id,
        cognito_endpoint_url=moto_endpoint,
    ) as live:
        yield live


async def shot(page: Page, name: str) -> None:
    await asyncio.to_thread(SHOTS.mkdir, parents=True, exist_ok=True)
    await page.screenshot(path=SHOTS / f"{name}.png")


async def enter_code(where: Page | Locator, label: str, code: str, button: str) -> None:
    await where.get_by_label(label, exact=True).fill(code)
    await where.get_by_role("button", name=button, exact=True).click()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_confirm_then_two_step_sign_in_in_the_browser(
    cognito_ui: UiServer,
    browser: Browser,
    monkeypatch: pytest.MonkeyPatch,
    viewport: dict[str, int],
) -> None:
    monkeypatch.setenv("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")
    size = "phone" if viewport is PHONE else "desktop"
    page, recorded = await open_page(browser, cognito_ui.url, viewport)
    email = fresh_email()
    await page.get_by_role("tab", name="Create account").click()
    await page.get_by_label("Name").fill("Lynn Hill")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()

    # Confirm your email: the code from the email, then straight into the chat.
    await expect(page.get_by_role("heading", name="Confirm your email")).to_be_visible()
    await expect(page.get_by_text(f"We emailed a 6-digit code to {email}")).to_be_visible()
    await expect(page.get_by_role("button", name="Send the code again")).to_be_visible()
    await expect(page.get_by_label("Password")).to_be_hidden()
    await shot(page, f"1-confirm-{size}")
    await enter_code(page, "Confirmation code", "12ab", "Confirm")
    await expect(page.locator("#err-code")).to_have_text("Enter the 6 digits of the code.")
    await enter_code(page, "Confirmation code", "123456", "Confirm")
    await wait_online(page)

    # Two-step sign-in, from the chat: set up, a wrong code, the right one.
    await page.get_by_role("button", name="Two-step sign-in").click()
    dialog = page.get_by_role("dialog", name="Two-step sign-in")
    await expect(dialog.get_by_text("Off: signing in asks only for your password")).to_be_visible()
    await dialog.get_by_role("button", name="Set up").click()
    secret_text = dialog.locator("#two-step-secret")
    await expect(secret_text).not_to_be_empty()
    secret = (await secret_text.text_content() or "").replace(" ", "")
    link = dialog.get_by_role("link", name="Open in authenticator app")
    assert (await link.get_attribute("href") or "").startswith("otpauth://totp/V7%20Coach:")
    qr = dialog.get_by_role("img", name="QR code of the key, to scan with your authenticator app")
    if size == "desktop":  # a phone opens the link instead; it cannot scan its own screen
        await expect(qr).to_be_visible()
        assert await qr.evaluate("img => img.complete && img.naturalWidth > 0")
    else:
        await expect(qr).to_be_hidden()
    await shot(page, f"2-set-up-{size}")
    await enter_code(dialog, "Code", totp_now(secret, offset=1), "Turn on")
    await expect(dialog.get_by_role("alert")).to_have_text(
        "That code doesn't match. Use the code your app shows now."
    )
    await enter_code(dialog, "Code", totp_now(secret), "Turn on")
    await expect(dialog.get_by_text("On: signing in asks for a code")).to_be_visible()
    await expect(dialog.get_by_role("button", name="Turn off")).to_be_visible()
    await shot(page, f"3-on-{size}")
    await dialog.get_by_role("button", name="Close").click()

    # The next sign-in asks for the authenticator's code.
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("button", name="Two-step sign-in")).to_be_hidden()
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Two-step sign-in")).to_be_visible()
    await expect(
        page.get_by_text("Enter the 6-digit code from your authenticator app")
    ).to_be_visible()
    await expect(page.get_by_role("button", name="Send the code again")).to_be_hidden()
    await shot(page, f"4-mfa-{size}")
    await enter_code(page, "Authenticator code", totp_now(secret, offset=1), "Sign in")
    await expect(page.locator("#err-code")).to_have_text(
        "That code doesn't match. Use the code your app shows now."
    )
    await shot(page, f"5-mfa-wrong-{size}")
    await enter_code(page, "Authenticator code", totp_now(secret), "Sign in")
    await wait_online(page)
    await expect(page.get_by_role("button", name="Two-step sign-in")).to_be_visible()

    # The browser logs each refused request (the wrong codes; and /auth/signout, 503 here since
    # moto 5.2.5 has no RevokeToken, the page signing out either way); nothing else may fail.
    unexpected = [e for e in recorded.console_errors if "Failed to load resource" not in e]
    assert unexpected == []
    assert recorded.page_errors == []
    await page.context.close()


async def test_local_mode_offers_no_two_step_button(server: UiServer, browser: Browser) -> None:
    page, recorded = await open_page(browser, server.url, DESKTOP)
    await page.get_by_role("tab", name="Create account").click()
    await page.get_by_label("Email").fill(fresh_email())
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    await wait_online(page)
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    await expect(page.get_by_role("button", name="Two-step sign-in")).to_be_hidden()
    # It asked without meeting an error (a 404 would be a failed resource in the console).
    assert recorded.console_errors == []
    await page.context.close()
