"""Local accounts' secrets, beside the user's other items under `SECRET#` sort keys.

`USER#{id}` / `SECRET#CREDENTIALS` holds the password hash; `SECRET#REFRESH#{sha256 of the
token}` one signed-in device (deleting it revokes the refresh token); `SECRET#RESET` a hashed
password-reset code with the tries spent at codes in the current tries window (`attempts`,
`triesUntil`). Items that expire carry `expiresAt` and a `ttl` (epoch seconds). Exports leave
every `SECRET#` item out; erasure deletes them with the account (`store.repos.account`).

The reset code is checked without check-then-act: a try is spent by a versioned update before
the code is compared (`take_reset_try`), so concurrent tries cannot exceed the budget, and the
code is redeemed by a versioned delete (`redeem_reset`), so of two tries with the right code
only one can win. A new code keeps the tries already spent in its window (`put_reset`).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from store.errors import ConditionFailed
from store.repos.base import user_pk
from store.table import VERSION, Absent, Item, Put, VersionIs

if TYPE_CHECKING:
    from store.table import Table

PREFIX = "SECRET#"
"""The sort-key prefix of every secret; nothing under it ever leaves the server."""

_CREDENTIALS = PREFIX + "CREDENTIALS"
_REFRESH = PREFIX + "REFRESH#"
_RESET = PREFIX + "RESET"


_RACES = 20
"""How often a versioned write on the reset item is tried again after losing a race."""


def _refresh_sk(refresh_token: str) -> str:
    return _REFRESH + hashlib.sha256(refresh_token.encode()).hexdigest()


@dataclass(frozen=True)
class ResetCode:
    """A pending password reset: the code's hash, its expiry (epoch seconds), the tries spent
    at codes since the tries window began, and when that window ends (epoch seconds)."""

    code_hash: str
    expires_at: int
    attempts: int
    tries_until: int = 0


@dataclass(frozen=True)
class ResetTry:
    """What spending one try at the pending code found.

    `ok`: the try is spent; compare the code with `code_hash`. `none`: no pending code.
    `expired`: the code's time is over (no try spent). `spent`: the window's tries are used up
    until `tries_until` (no try spent). `busy`: the item kept changing under us (concurrent
    tries); nothing was spent."""

    status: Literal["ok", "none", "expired", "spent", "busy"]
    code_hash: str = ""
    tries_until: int = 0


class SecretRepo:
    def __init__(self, table: Table) -> None:
        self.table = table

    def new_credentials(self, user_id: str, password_hash: str) -> Put:
        """The write storing a new account's password hash, for the transaction that creates
        the account (it fails if the user has credentials already)."""
        return Put(
            {"pk": user_pk(user_id), "sk": _CREDENTIALS, "passwordHash": password_hash}, Absent()
        )

    async def password_hash(self, user_id: str) -> str | None:
        """The stored password hash; None for an account without a password."""
        item = await self.table.get(user_pk(user_id), _CREDENTIALS)
        return str(item["passwordHash"]) if item else None

    async def update_password_hash(self, user_id: str, password_hash: str) -> None:
        """Replace the stored hash. Raises `ConditionFailed` if there is none."""
        await self.table.update(user_pk(user_id), _CREDENTIALS, set={"passwordHash": password_hash})

    async def put_password_hash(self, user_id: str, password_hash: str) -> None:
        """Store the hash, with or without one before."""
        item = {"pk": user_pk(user_id), "sk": _CREDENTIALS, "passwordHash": password_hash}
        await self.table.put(item)

    async def add_refresh(self, user_id: str, refresh_token: str, expires: datetime) -> None:
        """Store a newly issued refresh token (only its digest), valid until `expires`. Raises
        `ConditionFailed` if it is stored already."""
        at = int(expires.timestamp())
        item = {"pk": user_pk(user_id), "sk": _refresh_sk(refresh_token), "expiresAt": at}
        await self.table.put({**item, "ttl": at}, condition=Absent())

    async def refresh_expiry(self, user_id: str, refresh_token: str) -> int | None:
        """When the user's `refresh_token` expires (epoch seconds; 0 when its item holds no
        integer expiry); None when it is not stored (never issued, revoked, or expired and
        removed)."""
        item = await self.table.get(user_pk(user_id), _refresh_sk(refresh_token))
        if item is None:
            return None
        expires = item.get("expiresAt", 0)
        return expires if isinstance(expires, int) else 0

    async def remove_refresh(self, user_id: str, refresh_token: str) -> None:
        """Revoke one refresh token; a token not stored is a no-op."""
        await self.table.delete(user_pk(user_id), _refresh_sk(refresh_token))

    async def remove_all_refresh(self, user_id: str) -> None:
        """Revoke every refresh token of the user."""
        pk = user_pk(user_id)
        page = await self.table.query(pk, sk_prefix=_REFRESH)
        for item in page.items:
            await self.table.delete(pk, str(item["sk"]))

    async def put_reset(
        self,
        user_id: str,
        code_hash: str,
        expires: datetime,
        *,
        now: datetime,
        tries_window: timedelta,
    ) -> None:
        """Store a new reset code's hash, valid until `expires`, replacing any code before. The
        tries spent at earlier codes stay spent until their window ends; a code issued after it
        starts a new window of `tries_window` at `now`."""
        pk = user_pk(user_id)
        for _ in range(_RACES):
            before = await self.table.get(pk, _RESET)
            attempts, until = 0, int((now + tries_window).timestamp())
            if before is not None and int(before.get("triesUntil", 0)) > now.timestamp():
                attempts, until = int(before.get("attempts", 0)), int(before["triesUntil"])
            at = int(expires.timestamp())
            item = {"pk": pk, "sk": _RESET, "codeHash": code_hash, "expiresAt": at}
            item |= {"attempts": attempts, "triesUntil": until, "ttl": max(at, until)}
            condition = Absent() if before is None else VersionIs(int(before[VERSION]))
            try:
                await self.table.put(item, condition=condition)
                return
            except ConditionFailed:
                continue  # a try was spent meanwhile: keep it
        raise ConditionFailed(pk, _RESET, "the reset code kept changing")

    async def reset(self, user_id: str) -> ResetCode | None:
        """The pending reset code, expired or not; None when there is none."""
        item = await self.table.get(user_pk(user_id), _RESET)
        return None if item is None else _reset_code(item)

    async def take_reset_try(
        self, user_id: str, now: datetime, *, max_tries: int, tries_window: timedelta
    ) -> ResetTry:
        """Spend one try at the pending code, unless it has expired or the window's
        `max_tries` are spent; a try after the window ends starts a new one of `tries_window`.
        Atomic: N concurrent calls spend at most the tries left."""
        pk = user_pk(user_id)
        for _ in range(_RACES):
            item = await self.table.get(pk, _RESET)
            if item is None:
                return ResetTry("none")
            code = _reset_code(item)
            if code.expires_at <= now.timestamp():
                return ResetTry("expired")
            in_window = code.tries_until > now.timestamp()
            if in_window and code.attempts >= max_tries:
                return ResetTry("spent", tries_until=code.tries_until)
            until = code.tries_until if in_window else int((now + tries_window).timestamp())
            try:
                await self.table.update(
                    pk,
                    _RESET,
                    set={
                        "attempts": code.attempts + 1 if in_window else 1,
                        "triesUntil": until,
                        "ttl": max(code.expires_at, until),
                    },
                    expected_version=int(item[VERSION]),
                )
            except ConditionFailed:
                continue  # another try (or a new code) came first: look again
            return ResetTry("ok", code.code_hash, until)
        return ResetTry("busy")

    async def redeem_reset(self, user_id: str, code_hash: str) -> bool:
        """Delete the pending code if its hash is `code_hash`; True for the one caller that
        deleted it, False if it was gone or replaced. Compares in constant time."""
        pk = user_pk(user_id)
        for _ in range(_RACES):
            item = await self.table.get(pk, _RESET)
            if item is None or not hmac.compare_digest(str(item["codeHash"]), code_hash):
                return False
            try:
                await self.table.delete(pk, _RESET, condition=VersionIs(int(item[VERSION])))
            except ConditionFailed:
                continue  # a concurrent try spent one meanwhile: still ours to redeem
            return True
        return False

    async def remove_reset(self, user_id: str) -> None:
        """Delete the pending reset code, if any."""
        await self.table.delete(user_pk(user_id), _RESET)


def _reset_code(item: Item) -> ResetCode:
    return ResetCode(
        code_hash=str(item["codeHash"]),
        expires_at=int(item.get("expiresAt", 0)),
        attempts=int(item.get("attempts", 0)),
        tries_until=int(item.get("triesUntil", 0)),
    )
