"""Sending email: what an email is, and the one interface its senders implement (SES in AWS,
the outbox directory on a laptop)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    """Extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post (RFC 8058)."""


class Mailer(Protocol):
    async def send(self, email: Email) -> str:
        """Send `email`; return the message id. Raises on failure (nothing was sent)."""
        ...
