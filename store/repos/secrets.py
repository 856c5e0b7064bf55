"""Local accounts' secrets, beside the user's other items under `SECRET#` sort keys.

`USER#{id}` / `SECRET#CREDENTIALS` holds the password hash; `SECRET#REFRESH#{sha256 of the
token}` one signed-in device (deleting it revokes the refresh token); `SECRET#RESET` a hashed
password-reset code. Items that expire carry `expiresAt` and a `ttl` (epoch seconds). Exports
leave every `SECRET#` item out; erasure deletes them with the account (`store.repos.account`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from store.repos.base import user_pk
from store.table import Absent, Put

if TYPE_CHECKING:
    from store.table import Table

PREFIX = "SECRET#"
"""The sort-key prefix of every secret; nothing under it ever leaves the server."""

_CREDENTIALS = PREFIX + "CREDENTIALS"
_REFRESH = PREFIX + "REFRESH#"
_RESET = PREFIX + "RESET"


def _refresh_sk(refresh_token: str) -> str:
    return _REFRESH + hashlib.sha256(refresh_token.encode()).hexdigest()


@dataclass(frozen=True)
class ResetCode:
    """A pending password reset: the code's hash, its expiry (epoch seconds), wrong tries."""

    code_hash: str
    expires_at: int
    attempts: int


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

    async def put_reset(self, user_id: str, code_hash: str, expires: datetime) -> None:
        """Store a reset code's hash, valid until `expires`, with no wrong tries yet; it
        replaces any code before."""
        at = int(expires.timestamp())
        item = {"pk": user_pk(user_id), "sk": _RESET, "codeHash": code_hash}
        await self.table.put({**item, "expiresAt": at, "attempts": 0, "ttl": at})

    async def reset(self, user_id: str) -> ResetCode | None:
        """The pending reset code, expired or not; None when there is none."""
        item = await self.table.get(user_pk(user_id), _RESET)
        if item is None:
            return None
        return ResetCode(
            code_hash=str(item["codeHash"]),
            expires_at=int(item.get("expiresAt", 0)),
            attempts=int(item.get("attempts", 0)),
        )

    async def count_reset_attempt(self, user_id: str) -> None:
        """Add one wrong try to the pending reset code. Raises `ConditionFailed` if there is
        none."""
        await self.table.update(user_pk(user_id), _RESET, add={"attempts": 1})

    async def remove_reset(self, user_id: str) -> None:
        """Delete the pending reset code, if any."""
        await self.table.delete(user_pk(user_id), _RESET)
