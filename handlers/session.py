"""What the socket loop needs from the turn logic, free of socket code.

`server/ws.py` authenticates, reads frames and writes frames; everything a frame *means* is
decided by a `ChatHandler`, which answers through `emit`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

from handlers.frames import Quota, Say, ServerFrame


@dataclass(frozen=True)
class Caller:
    """The verified user behind a socket or request. The id comes from the token only."""

    user_id: str
    email: str | None = None
    tier: str = "free"


@dataclass(frozen=True)
class Outgoing:
    """A frame to send. `to_all` also sends it to the user's other sockets (two tabs in sync)."""

    frame: ServerFrame
    to_all: bool = False


Emit = Callable[[Outgoing], Awaitable[None]]


class ChatHandler(Protocol):
    async def on_connect(self, caller: Caller) -> Quota | None:
        """The quota to show in the `ready` frame (None while quotas are not known)."""

    async def on_say(self, caller: Caller, say: Say, emit: Emit) -> None:
        """Serve one `say`: a slash command or a coaching turn. Errors it raises are turned into
        `error` frames by the caller. Cancelled when the socket goes away."""


class Allowances(Protocol):
    """The climber's tier limits as the turn logic sees them (implemented over Redis by
    `server/allowances.py`). Refusals raise errors carrying a wire code (`quota_exceeded`,
    `rate_limited`, …) that the socket loop turns into `error` frames."""

    async def usage(self, caller: Caller) -> Quota:
        """Where the caller stands: the `quota` object of `ready`, `saved` and `stream.end`."""

    async def check_write(self, caller: Caller) -> None:
        """Count one journaling command against the per-minute write rate; raise if over."""

    def journal_entry(self, caller: Caller) -> AbstractAsyncContextManager[object]:
        """Hold one of this ISO week's journal entries while the entry is written: kept if the
        block succeeds, given back if it raises."""
