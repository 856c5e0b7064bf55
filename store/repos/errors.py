"""Errors the repositories raise beyond the store's own (`store.errors`)."""

from __future__ import annotations

from store.errors import ConditionFailed


class EmailTaken(ConditionFailed):
    """Another account already uses this email address. Nothing was written."""

    def __init__(self, email: str) -> None:
        super().__init__(f"EMAIL#{email}", "USER", "the email address is already in use")
        self.email = email


class UserExists(ConditionFailed):
    """A user with this id already exists. Nothing was written."""

    def __init__(self, user_id: str) -> None:
        super().__init__(f"USER#{user_id}", "PROFILE", "the user already exists")
        self.user_id = user_id
