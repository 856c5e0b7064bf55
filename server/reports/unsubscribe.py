"""Unsubscribe links: a token that names one user and one kind of email, signed with the
table's key (`store.repos.mail_keys`), so a click turns that email off without signing in.

A token is `{user id, base64url}.{purpose}.{HMAC-SHA256, base64url}` over a fixed label, the
purpose and the user id. It does not expire: RFC 8058 and the mailbox providers expect an
unsubscribe link to keep working as long as the email sits in an inbox, and all it can ever do
is turn one kind of email off for the user it names. It is checked in constant time; a token
edited to name another user, or another purpose, fails the check and changes nothing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from typing import Literal, get_args
from urllib.parse import quote

Purpose = Literal["email_reports", "reminders"]
"""The preference a link turns off."""

PURPOSES: tuple[Purpose, ...] = get_args(Purpose)
PATH = "/email/unsubscribe"
_LABEL = b"v7coach unsubscribe v1"


@dataclass(frozen=True)
class Subscriber:
    user_id: str
    purpose: Purpose


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, user_id: str, purpose: str) -> bytes:
    message = b"\n".join((_LABEL, purpose.encode(), user_id.encode()))
    return hmac.new(key, message, hashlib.sha256).digest()


def sign(key: bytes, user_id: str, purpose: Purpose) -> str:
    """The token that turns `purpose` off for `user_id`."""
    return f"{_b64(user_id.encode())}.{purpose}.{_b64(_mac(key, user_id, purpose))}"


def verify(key: bytes, token: str) -> Subscriber | None:
    """Who and what `token` unsubscribes; None for anything not signed with `key`."""
    parts = token.split(".")
    if len(parts) != 3 or parts[1] not in PURPOSES:
        return None
    try:
        user_id = _unb64(parts[0]).decode()
        given = _unb64(parts[2])
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if not user_id or not hmac.compare_digest(given, _mac(key, user_id, parts[1])):
        return None
    purpose: Purpose = "email_reports" if parts[1] == "email_reports" else "reminders"
    return Subscriber(user_id, purpose)


def link(site: str, token: str) -> str:
    """The unsubscribe URL at `site`, the site's origin (`Settings.websocket_origins[0]`, the
    first origin the web UI is served from)."""
    return f"{site.rstrip('/')}{PATH}?token={quote(token, safe='')}"


def headers(url: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058 headers: mail programs offer a one-click unsubscribe that POSTs
    `List-Unsubscribe=One-Click` to `url`."""
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
