"""Unsubscribing from an email without signing in (`server.reports.unsubscribe`).

`GET /email/unsubscribe?token=…` shows a small page with one button; the button, and a mail
program's RFC 8058 one-click (`POST` with `List-Unsubscribe=One-Click`), `POST` to the same URL,
which turns that email's preference off and answers 200 with a page saying so (again 200 if it
was off already). The body of the POST is not needed and not read: the token says everything.

A token not signed with the table's key (forged, edited to name another user or another email,
truncated) answers 403 and changes nothing; one for an account that no longer exists answers
404. Both are small pages, not JSON: a person clicked a link. Each request costs one read of
the key and, for a POST, one versioned write, so no rate limit is put in front of them (the
token itself cannot be guessed).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from starlette.responses import HTMLResponse

from server.api import Call, Endpoint
from server.reports import unsubscribe
from server.reports.render import render
from server.routes.pages import Query
from server.routes.static import SECURITY_HEADERS
from store.errors import NotFound
from store.records.user import User
from store.repos.mail_keys import unsubscribe_key

WHAT: dict[unsubscribe.Purpose, str] = {
    "email_reports": "weekly report emails",
    "reminders": "reminder emails",
}


class UnsubscribeQuery(Query):
    token: Annotated[str, Field(max_length=1024, description="the token of the email's link")] = ""


def _page(status: int, title: str, message: str, **form: str) -> HTMLResponse:
    html = render(
        "unsubscribe.html",
        title=title,
        message=message,
        action=form.get("action", ""),
        button=form.get("button", ""),
    )
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


async def _subscriber(call: Call[UnsubscribeQuery]) -> unsubscribe.Subscriber | HTMLResponse:
    token = call.query.token
    subscriber = unsubscribe.verify(await unsubscribe_key(call.services.table), token)
    if subscriber is None:
        return _page(
            403,
            "This link does not work",
            "This unsubscribe link is not valid, so nothing was changed. Use the link in the "
            "email itself, or turn emails off in the app's preferences.",
        )
    return subscriber


async def confirm(call: Call[UnsubscribeQuery]) -> HTMLResponse:
    found = await _subscriber(call)
    if isinstance(found, HTMLResponse):
        return found
    what = WHAT[found.purpose]
    return _page(
        200,
        f"Stop {what}?",
        f"You will not get {what} any more. You can turn them back on in the app.",
        action=unsubscribe.link("", call.query.token),
        button=f"Stop {what}",
    )


async def unsubscribe_now(call: Call[UnsubscribeQuery]) -> HTMLResponse:
    found = await _subscriber(call)
    if isinstance(found, HTMLResponse):
        return found
    purpose = found.purpose

    def turned_off(user: User) -> User:
        preferences = user.preferences.model_copy(update={purpose: False})
        return user.model_copy(update={"preferences": preferences})

    try:
        await call.services.users.modify(found.user_id, turned_off)
    except NotFound:
        return _page(404, "No such account", "This link belongs to an account that is gone.")
    what = WHAT[purpose]
    return _page(
        200,
        "Unsubscribed",
        f"You will not get {what} any more. You can turn them back on in the app.",
    )


endpoints = [
    Endpoint(
        "GET",
        unsubscribe.PATH,
        confirm,
        "A page asking to confirm stopping an email (HTML; no sign-in: the token is signed)",
        query=UnsubscribeQuery,
        auth=False,
        tags=("email",),
        errors=(403,),
    ),
    Endpoint(
        "POST",
        unsubscribe.PATH,
        unsubscribe_now,
        "Stop an email (RFC 8058 one-click; HTML; no sign-in: the token is signed)",
        query=UnsubscribeQuery,
        auth=False,
        tags=("email",),
        errors=(403, 404),
    ),
]
