"""Opening the mailer the settings name (`V7_MAIL_URL`).

PLACEHOLDER until the report work lands: this module is replaced at merge by the real one (SES
through aioboto3 in AWS, the outbox directory on a laptop), with the same signature. Until
then the mailer it yields refuses to send, so nothing pretends an email went out.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from server.mail import Email, Mailer
from server.settings import Settings


class _Unwired:
    async def send(self, email: Email) -> str:
        raise NotImplementedError("no mailer yet: server/mailers.py is a placeholder")


def open_mailer(settings: Settings) -> AbstractAsyncContextManager[Mailer]:
    """The mailer of `settings`, open for the `async with` block."""

    @asynccontextmanager
    async def opened() -> AsyncIterator[Mailer]:
        yield _Unwired()

    return opened()
