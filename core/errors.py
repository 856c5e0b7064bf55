"""Refusals with a wire code (DESIGN.md), raised by any layer that serves a climber's request:
`server/errors.py` maps them to frames, statuses and close codes."""

from __future__ import annotations


class HandlerError(Exception):
    """A request that cannot be served, with the wire `code` (DESIGN.md) and a message that
    tells the climber what was expected, ideally with an example."""

    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadFrame(HandlerError):
    """Malformed JSON, an unknown `type`, or a frame of the wrong shape. The socket stays open."""


class UnknownCommand(HandlerError):
    code = "unknown_command"


class InvalidEntry(HandlerError):
    code = "invalid_entry"


class NothingFound(HandlerError):
    """No such item of this user (another user's item is reported the same way)."""

    code = "not_found"


class Conflict(HandlerError):
    """The item changed since; nothing was written."""

    code = "conflict"


class TierRequired(HandlerError):
    """A feature the caller's tier does not include; nothing was done. `feature` names it
    (e.g. "plan_generation"), `tier` the lowest tier that includes it (None if none does). The
    message says what that tier adds, so the climber knows what upgrading would give them."""

    code = "tier_required"

    def __init__(self, message: str, *, feature: str, tier: str | None) -> None:
        super().__init__(message)
        self.feature = feature
        self.tier = tier
