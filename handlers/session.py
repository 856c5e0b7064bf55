"""What the socket loop needs from the turn logic, free of socket code.

`server/ws.py` authenticates, reads frames and writes frames; everything a frame *means* is
decided by a `ChatHandler`, which answers through `emit`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from context.assembly import Assembled
from core.caller import Caller
from core.quota import Quota
from handlers.frames import Confirm, Dismiss, Say, ServerFrame, Stop


@dataclass(frozen=True)
class Outgoing:
    """A frame to send. `to_all` also sends it to the user's other sockets (two tabs in sync)."""

    frame: ServerFrame
    to_all: bool = False


Emit = Callable[[Outgoing], Awaitable[None]]


class Assembler(Protocol):
    async def assemble(self, caller: Caller, text: str) -> Assembled:
        """The prompt for answering `text`, built from the caller's own data only."""


class AiTicket(Protocol):
    """One reserved AI message, to be settled exactly once by `Allowances.settle_ai`."""


class ChatHandler(Protocol):
    async def on_connect(self, caller: Caller) -> Quota | None:
        """The quota to show in the `ready` frame (None while quotas are not known)."""

    async def on_say(self, caller: Caller, say: Say, emit: Emit) -> None:
        """Serve one `say`: a slash command or a coaching turn. Errors it raises are turned into
        `error` frames by the caller. It may outlive the socket that asked (a reply streams on
        for a grace window, `server/runs.py`), and it may be cancelled (a shutdown)."""

    async def on_stop(self, caller: Caller, stop: Stop, emit: Emit) -> None:
        """End the caller's running stream `stop.stream` (raises not_found if there is none)."""

    async def on_confirm(self, caller: Caller, confirm: Confirm, emit: Emit) -> None:
        """Write the proposed entry."""

    async def on_dismiss(self, caller: Caller, dismiss: Dismiss, emit: Emit) -> None:
        """Discard the proposed entry."""


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

    async def release_journal(self, caller: Caller, logged_at: datetime) -> None:
        """A session logged at `logged_at` (its `createdAt`) has left the journal (undone or
        deleted): give its journal entry back if it was counted in the current ISO week; one
        logged in an earlier week gives nothing back. Never raises."""

    async def reserve_ai(self, caller: Caller) -> AiTicket:
        """Count one AI message against the rate and reserve it before any model is called.
        Raises `rate_limited`, `quota_exceeded` or `model_unavailable` refusals."""

    async def settle_ai(
        self,
        ticket: AiTicket,
        *,
        delivered: bool,
        model: str,
        input_tokens: int,
        output_tokens: int,
    ) -> None:
        """Commit the message (anything was delivered: finished, stopped or cut off after
        output) or refund it (nothing was). Idempotent; never raises."""
