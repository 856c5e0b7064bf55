"""`JournalChat`: the `ChatHandler` that serves slash commands (sans-I/O).

A `say` starting with "/" is routed to the command registry (case-insensitive, aliases
included); anything else is refused for now, because the coaching turn arrives in a later
issue. Errors are raised as `HandlerError`s for the socket loop to turn into `error` frames;
a command that raises has written nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from handlers.commands import COMMANDS, lookup
from handlers.commands.context import Repos, Turn
from handlers.commands.dates import local_today
from handlers.commands.errors import Conflict, NothingFound
from handlers.errors import HandlerError, UnknownCommand
from handlers.frames import Quota, Say
from handlers.session import Caller, Emit
from handlers.undo import UndoLog
from store.errors import ConditionFailed, NotFound
from store.records.common import utc_now
from store.table import Table


class JournalChat:
    """Serves `/log`, `/send`, `/goal`, … for one app (shared by every socket).

    `clock` returns the current instant (timezone-aware); tests pass a fixed one.
    """

    def __init__(self, table: Table, *, clock: Callable[[], datetime] = utc_now) -> None:
        self._repos = Repos.on(table)
        self._undo = UndoLog(table)
        self._clock = clock

    async def on_connect(self, caller: Caller) -> Quota | None:
        return None

    async def on_say(self, caller: Caller, say: Say, emit: Emit) -> None:
        """Run the slash command in `say`. Raises `UnknownCommand` for an unknown command,
        `HandlerError` (code bad_request) for text that is not a command, and the command's
        own errors (`InvalidEntry`, not_found, conflict). Not cancel-safe mid-write: a write
        that completed before cancellation stays written (and undoable)."""
        text = say.text.strip()
        if not text.startswith("/"):
            raise HandlerError("coaching replies are not available yet; try /help")
        parts = text[1:].split(maxsplit=1)
        name = parts[0] if parts else ""
        args = parts[1] if len(parts) > 1 else ""
        command = lookup(name)
        if command is None:
            names = ", ".join(f"/{c.name}" for c in COMMANDS)
            raise UnknownCommand(f"unknown command /{name}; the commands are {names} — try /help")
        now = self._clock()
        today = local_today(now, await self._timezone(caller.user_id))
        turn = Turn(caller, say, self._repos, self._undo, now, today, emit)
        try:
            await command.run(turn, args.strip())
        except ConditionFailed:
            raise Conflict("that changed while you were saving it; nothing was written") from None
        except NotFound as error:
            raise NothingFound(str(error)) from None

    async def _timezone(self, user_id: str) -> str | None:
        """The user's IANA timezone; None (UTC) for a user without a profile yet."""
        try:
            user = await self._repos.users.get(user_id)
        except NotFound:
            return None
        return user.preferences.timezone
