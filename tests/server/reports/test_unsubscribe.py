"""Unsubscribing from a link without signing in: the page, the one-click POST, and forged or
other users' tokens changing nothing (a live server, its own store)."""

from __future__ import annotations

import uuid

import httpx

from server.reports import unsubscribe
from store import open_table
from store.records.user import Preferences
from store.repos.mail_keys import unsubscribe_key
from store.repos.users import UserRepo
from tests.server.helpers import PASSWORD
from tests.server.live import LiveServer


async def _subscribed(server: LiveServer, http: httpx.AsyncClient) -> tuple[str, str]:
    """A new climber with weekly reports and reminders on: their id and report token."""
    response = await http.post(
        "/auth/signup",
        json={"email": f"u-{uuid.uuid4().hex[:8]}@example.com", "password": PASSWORD},
    )
    assert response.status_code == 201, response.text
    user_id = str(response.json()["userId"])
    settings = server.settings
    async with open_table(
        settings.resolved_store_url, data_dir=settings.data_dir, clock=server.clock
    ) as table:
        await UserRepo(table).update(
            user_id, {"preferences": {"emailReports": True, "reminders": True}}
        )
        key = await unsubscribe_key(table)
    return user_id, unsubscribe.sign(key, user_id, "email_reports")


async def _preferences(server: LiveServer, user_id: str) -> Preferences:
    settings = server.settings
    async with open_table(
        settings.resolved_store_url, data_dir=settings.data_dir, clock=server.clock
    ) as table:
        return (await UserRepo(table).get(user_id)).preferences


async def test_the_page_asks_and_the_one_click_post_turns_reports_off(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    user_id, token = await _subscribed(server, http)
    page = await http.get(unsubscribe.PATH, params={"token": token})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Content-Security-Policy" in page.headers
    assert '<form method="post"' in page.text
    assert "Stop weekly report emails" in page.text
    assert (await _preferences(server, user_id)).email_reports  # looking changes nothing

    # What a mail program's one-click does (RFC 8058): a form POST to the link, no cookies.
    done = await http.post(
        unsubscribe.PATH, params={"token": token}, data={"List-Unsubscribe": "One-Click"}
    )
    assert done.status_code == 200
    assert "Unsubscribed" in done.text
    preferences = await _preferences(server, user_id)
    assert not preferences.email_reports
    assert preferences.reminders  # only the email the link names
    again = await http.post(unsubscribe.PATH, params={"token": token})
    assert again.status_code == 200


async def test_forged_and_other_users_tokens_change_nothing(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    victim, _ = await _subscribed(server, http)
    _, mine = await _subscribed(server, http)
    _, purpose, mac = mine.split(".")
    retargeted = f"{unsubscribe.sign(b'x', victim, 'email_reports').split('.')[0]}.{purpose}.{mac}"
    forged = unsubscribe.sign(b"not the key" * 3, victim, "email_reports")
    other_purpose = mine.replace(".email_reports.", ".reminders.")
    for token in (retargeted, forged, other_purpose, "", "a.b", "%%%.email_reports.@@"):
        for method in ("GET", "POST"):
            response = await http.request(method, unsubscribe.PATH, params={"token": token})
            assert response.status_code == 403, (method, token)
            assert "nothing was changed" in response.text
    assert (await _preferences(server, victim)).email_reports
