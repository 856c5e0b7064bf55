"""Open sockets stay true to the account behind them, on every server process.

A socket authenticates once, but its account can change while it is open: billing or an
operator changes the tier (`v7 users set-tier`), the climber changes their time zone, or the
account is erased. The rules:

* Every frame that a tier governs reads the account first (`FreshChat`, around the app's
  `ChatHandler`): a `say` or a `confirm` is served for the caller as the store has them now,
  one read by key, so a tier change applies from the very next frame on every process. No
  message has to arrive for that (a command-line tool needs no Redis, and a message lost while
  Redis is down changes nothing). The read also updates the caller of the user's other sockets
  on this process (`Hub.recall`).
* An `auth` refresh re-reads the account too (`server.ws._reauthenticate`, with
  `server.security.authenticate`): an erased account closes the socket with 4001, a changed
  tier or time zone is applied.
* Erasure sends `account.deleted` (`Hub.control`): every process closes the user's sockets with
  4001 "account deleted" and stops the user's replies streaming there (`register`). A frame
  that finds the account gone sends it again, for a process that missed it while Redis was
  down.

Why a read per frame rather than a per-process cache invalidated by a message: the read costs
one GetItem by key (about 0.1 ms on SQLite; a few ms on DynamoDB), next to a turn that reads the
climber's records or writes an entry, and it cannot be stale.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.caller import Caller
from core.clock import Clock
from core.quota import Quota
from handlers.frames import Confirm, Dismiss, Say, Stop
from handlers.session import ChatHandler, Emit
from server.auth.errors import AuthError
from server.errors import CLOSE_UNAUTHORIZED
from server.hub import Hub
from server.security import current_caller
from store.repos.users import UserRepo

ACCOUNT_DELETED = "account.deleted"
"""Control message: the user's account was erased; close their sockets (payload `{}`)."""
DELETED_REASON = "account deleted"


def register(hub: Hub, stop_streams: Callable[[str], object]) -> None:
    """What this process does when an account is erased: close its sockets of the user and
    stop their replies (`stop_streams(user_id)`), which would otherwise stream on for the
    resume grace window and save themselves into an erased account."""

    def close(user_id: str, payload: dict[str, Any]) -> None:
        hub.close_sockets(user_id, CLOSE_UNAUTHORIZED, DELETED_REASON)
        stop_streams(user_id)

    hub.on_control(ACCOUNT_DELETED, close)


class FreshChat:
    """A `ChatHandler` that serves each `say` and `confirm` for the caller's account as it is
    now (see the module doc); everything else goes to `inner` as it came."""

    def __init__(self, inner: ChatHandler, users: UserRepo, hub: Hub, clock: Clock) -> None:
        self.inner = inner
        self._users = users
        self._hub = hub
        self._clock = clock

    async def fresh(self, caller: Caller) -> Caller:
        """`caller` as their account is now. Raises `AuthError` (an `unauthorized` error
        frame) for an erased account, after telling every process to close its sockets."""
        try:
            fresh = await current_caller(self._users, caller.user_id, self._clock())
        except AuthError:
            self._hub.control(caller.user_id, ACCOUNT_DELETED, {})
            raise
        if fresh != caller:
            self._hub.recall(fresh)
        return fresh

    async def on_connect(self, caller: Caller) -> Quota | None:
        # The caller was read with the account a moment ago, when the socket authenticated.
        return await self.inner.on_connect(caller)

    async def on_say(self, caller: Caller, say: Say, emit: Emit) -> None:
        await self.inner.on_say(await self.fresh(caller), say, emit)

    async def on_confirm(self, caller: Caller, confirm: Confirm, emit: Emit) -> None:
        await self.inner.on_confirm(await self.fresh(caller), confirm, emit)

    async def on_stop(self, caller: Caller, stop: Stop, emit: Emit) -> None:
        # Stopping a stream is allowed whatever the tier, and must not wait for a read.
        await self.inner.on_stop(caller, stop, emit)

    async def on_dismiss(self, caller: Caller, dismiss: Dismiss, emit: Emit) -> None:
        await self.inner.on_dismiss(caller, dismiss, emit)
