"""What the socket loop needs from the turn logic, free of socket code.

`server/ws.py` authenticates, reads frames and writes frames; everything a frame *means* is
decided by a `ChatHandler`, which answers through `emit`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
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
