"""The mailers `server.mail.Mailer` stands for, chosen by URL (`V7_MAIL_URL`).

* `outbox://` (the default): each email is written as one RFC 5322 `.eml` file under
  `data_dir/outbox/`, named so that `ls` lists them oldest first; open one in any mail program,
  or read it as text. Nothing leaves the machine.
* `ses://?region=REGION&endpoint_url=URL` (both optional): SESv2 `SendEmail` through one
  aioboto3 client, created when the mailer opens and closed with it.

Both send the same MIME message (`mime_message`): multipart/alternative with the plain text
first and the HTML second, and the extra headers (List-Unsubscribe, List-Unsubscribe-Post).
SES gets it as Raw content rather than Simple so that what a laptop's outbox shows is byte for
byte the message SES was given, headers included.

`check_url` refuses an unknown scheme, an unknown or repeated option and a bad value before
anything starts (run by `server.backends.check_backend_urls`).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

import aioboto3

from core.clock import Clock, system_clock
from server.mail import Email, Mailer

if TYPE_CHECKING:
    from server.settings import Settings

OUTBOX = "outbox"
"""The directory under `data_dir` the outbox mailer writes to."""

_SES_OPTIONS = frozenset({"region", "endpoint_url"})


@dataclass(frozen=True)
class SesLocation:
    region: str | None
    endpoint_url: str | None


def check_url(url: str) -> None:
    """Raise `ValueError` naming what is wrong with a `V7_MAIL_URL` (module doc)."""
    parse_url(url)


def parse_url(url: str) -> SesLocation | None:
    """None for `outbox://`, the SES location for `ses://…`; raises `ValueError` otherwise."""
    parts = urlsplit(url)
    if parts.scheme == "outbox":
        if parts.netloc or parts.path or parts.query:
            raise ValueError("outbox:// takes no host, path or options")
        return None
    if parts.scheme != "ses":
        raise ValueError(f"unknown scheme {parts.scheme!r}: use outbox:// or ses://")
    if parts.netloc or parts.path:
        raise ValueError("ses:// takes only options: ses://?region=…&endpoint_url=…")
    options: dict[str, str] = {}
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name not in _SES_OPTIONS:
            raise ValueError(f"unknown option {name!r} (known: region, endpoint_url)")
        if name in options:
            raise ValueError(f"option {name!r} given twice")
        if not value:
            raise ValueError(f"option {name!r} is empty")
        options[name] = value
    endpoint = options.get("endpoint_url")
    if endpoint is not None and not endpoint.startswith(("http://", "https://")):
        raise ValueError("endpoint_url must be an http:// or https:// URL")
    return SesLocation(region=options.get("region"), endpoint_url=endpoint)


def mime_message(email: Email, sender: str, *, now: datetime) -> EmailMessage:
    """`email` as one RFC 5322 message from `sender`: text/plain, and text/html as its
    alternative when there is one. Header values are set through `EmailMessage`, which refuses
    a value with a line break (no header injection from a subject)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = format_datetime(now.astimezone(UTC))
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    for name, value in email.headers.items():
        message[name] = value
    message.set_content(email.text)
    if email.html is not None:
        message.add_alternative(email.html, subtype="html")
    return message


class OutboxMailer:
    """Writes each email as `outbox/{UTC time}-{random}.eml`, atomically: a reader never sees
    half a message (written to a hidden temporary file, then renamed)."""

    def __init__(self, directory: Path, sender: str, clock: Clock = system_clock) -> None:
        self.directory = directory
        self.sender = sender
        self._clock = clock

    async def send(self, email: Email) -> str:
        now = self._clock()
        message = mime_message(email, self.sender, now=now)
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        name = f"{stamp}-{secrets.token_hex(4)}.eml"
        temporary = self.directory / f".{name}.tmp"
        temporary.write_bytes(message.as_bytes())
        os.replace(temporary, self.directory / name)
        return str(message["Message-ID"])


class SesMailer:
    """Sends through SESv2 `SendEmail` with Raw content (the module doc says why)."""

    def __init__(self, client: Any, sender: str, clock: Clock = system_clock) -> None:
        self._client = client
        self.sender = sender
        self._clock = clock

    async def send(self, email: Email) -> str:
        message = mime_message(email, self.sender, now=self._clock())
        answer = await self._client.send_email(
            FromEmailAddress=self.sender,
            Destination={"ToAddresses": [email.to]},
            Content={"Raw": {"Data": message.as_bytes()}},
        )
        return str(answer["MessageId"])


def open_mailer(
    settings: Settings, clock: Clock = system_clock
) -> AbstractAsyncContextManager[Mailer]:
    """The mailer `settings.mail_url` names, open for the context's life (the SES client is
    created once, here); `clock` dates the messages. Raises `ValueError` for a malformed URL."""
    return _open(settings, clock)


@asynccontextmanager
async def _open(settings: Settings, clock: Clock) -> AsyncIterator[Mailer]:
    location = parse_url(settings.mail_url)
    if location is None:
        yield OutboxMailer(settings.data_dir / OUTBOX, settings.mail_from, clock)
        return
    session = aioboto3.Session()
    async with session.client(
        "sesv2", region_name=location.region, endpoint_url=location.endpoint_url
    ) as client:
        yield SesMailer(client, settings.mail_from, clock)
