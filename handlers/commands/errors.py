"""Errors of the journaling commands beyond `handlers.errors` (same base, their own wire codes)."""

from __future__ import annotations

from handlers.errors import HandlerError, InvalidEntry, UnknownCommand

__all__ = ["Conflict", "HandlerError", "InvalidEntry", "NothingFound", "UnknownCommand"]


class NothingFound(HandlerError):
    """No such item of this user (another user's item is reported the same way)."""

    code = "not_found"


class Conflict(HandlerError):
    """The item changed since; nothing was written."""

    code = "conflict"
