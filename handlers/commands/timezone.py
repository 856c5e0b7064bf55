"""The climber's time zone, set from the chat: `/profile timezone Europe/Berlin`.

The zone is a preference of the account (`User.preferences.timezone`), the same one the web UI
sets from the browser and `PUT /users/profile` sets. It decides what "today", "yesterday" and
every weekday mean from the next command on. The write answers a `saved` frame of kind
`timezone` (`{"timezone": "Europe/Berlin"}`) with an undo token; undo puts back the zone the
climber had before (none, if none was set), and only the zone: a change of the zone in between
makes it a conflict, other changes of the account do not.
"""

from __future__ import annotations

from core.zones import label
from grammar.profile import TIMEZONE_USAGE
from handlers.commands.context import Repos, Turn
from handlers.undo import UndoAction
from store.errors import ConditionFailed
from store.records.user import User
from store.repos.versioned import fingerprint

KIND = "timezone"
"""The `saved` frame's kind, and what an undo of it names."""


def shown(zone: str | None) -> str:
    """The zone as `/profile` shows it."""
    if zone is None:
        return f"Time zone: not set, so UTC. Set yours: {TIMEZONE_USAGE}"
    return f"Time zone: {label(zone)}"


async def show(turn: Turn) -> None:
    zone = turn.caller.timezone
    await turn.reply(shown(zone), {"timezone": zone})


async def set_zone(turn: Turn, zone: str) -> None:
    """Make `zone` (an IANA name as `grammar.profile.parse_timezone` gives it) the climber's."""
    before: list[str | None] = []

    def moved(user: User) -> User:
        before[:] = [user.preferences.timezone]  # the zone this write replaces (last attempt)
        preferences = user.preferences.model_copy(update={"timezone": zone})
        return user.model_copy(update={"preferences": preferences})

    stored = await turn.repos.users.modify(turn.user_id, moved)
    previous = {} if before[0] is None else {"timezone": before[0]}
    action = UndoAction(KIND, "preferences", KIND, "restore", stored.version, previous)
    await turn.saved(action, {"timezone": stored.preferences.timezone})


async def restore(repos: Repos, user_id: str, action: UndoAction) -> None:
    """Undo `set_zone`: put the previous zone back while the zone is still the one it set.
    Raises `ConditionFailed` (nothing written) when the zone changed since, or the account
    changes while the undo is written."""
    current = await repos.users.get(user_id)
    if _content(current.preferences.timezone) != action.after:
        raise ConditionFailed(KIND, user_id, "the time zone changed since")
    wanted = (action.previous or {}).get("timezone")

    def back(user: User) -> User:
        preferences = user.preferences.model_copy(update={"timezone": wanted})
        return user.model_copy(update={"preferences": preferences})

    await repos.users.modify(user_id, back, expected_version=current.version)


def _content(zone: str | None) -> str:
    """The fingerprint of the `saved` item a write of `zone` answered."""
    return fingerprint({"timezone": zone})
