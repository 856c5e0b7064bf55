"""Errors raised by the store. `server/errors.py` maps them to HTTP status and close codes."""

from __future__ import annotations


class StoreError(Exception):
    """Base class of every error the store raises on purpose."""


class ConditionFailed(StoreError):
    """A write's condition did not hold: the item already exists, is missing, or has another
    version. Nothing was written. Clients see this as a `conflict`."""

    def __init__(self, pk: str, sk: str, reason: str) -> None:
        super().__init__(f"{reason} ({pk} / {sk})")
        self.pk = pk
        self.sk = sk
        self.reason = reason


class TransactionCancelled(StoreError):
    """A transactional write was refused as a whole; nothing of it was written.

    `failed` lists the indexes of the operations whose condition did not hold.
    """

    def __init__(self, failed: list[int], reason: str = "a condition did not hold") -> None:
        super().__init__(f"transaction cancelled: {reason} (operations {failed})")
        self.failed = failed
        self.reason = reason


class InvalidCursor(StoreError):
    """A pagination cursor was malformed, tampered with, or belongs to another query."""


class StoreUnavailable(StoreError):
    """The store cannot be reached or opened: a locked or corrupt SQLite file, a DynamoDB
    endpoint that does not answer, a table that does not exist."""


class NotFound(StoreError):
    """A repository was asked for an item of this user that does not exist."""
