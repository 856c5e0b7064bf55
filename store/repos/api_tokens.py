"""Personal API tokens: two items per token, written and deleted together.

`USER#{id}` / `APITOKEN#{tokenId}` is the token as its owner lists it: name, the first
characters of the token (`prefix`), scopes, `createdAt`, `lastUsedAt`, `expiresAt`, and the
token's SHA-256 `digest` (so erasure and revocation find the pointer).
`APITOKEN#{digest}` / `TOKEN` is the pointer a request is verified by, in one read: the owner,
the token id, scopes, expiry and last use. The token itself is never stored.

Both items are written in one transaction and deleted in one, so a token is either usable and
listed or neither. Items of a token with an expiry carry a `ttl` (epoch seconds) so DynamoDB
removes them some time after it; they are refused from `expiresAt` on regardless. Erasure
(`store.repos.account.delete_all`) deletes the pointer with the user's item; export leaves
both out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from store.errors import ConditionFailed, NotFound, TransactionCancelled
from store.repos.base import check_id, user_pk
from store.table import Absent, Delete, Exists, Item, Put, Update

if TYPE_CHECKING:
    from store.table import Table

PREFIX = "APITOKEN#"
"""The sort-key prefix of a user's tokens, and the partition prefix of their pointers."""
POINTER_SK = "TOKEN"


def pointer_pk(digest: str) -> str:
    """The partition of the pointer of the token whose SHA-256 hex digest is `digest`."""
    return PREFIX + digest


def _sk(token_id: str) -> str:
    return PREFIX + token_id


def _at(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _moment(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


@dataclass(frozen=True)
class TokenRecord:
    """A token as its owner sees it (never the token itself)."""

    token_id: str
    name: str
    prefix: str
    scopes: tuple[str, ...]
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None


@dataclass(frozen=True)
class TokenPointer:
    """What verifying a token needs, read in one get."""

    user_id: str
    token_id: str
    digest: str
    scopes: tuple[str, ...]
    expires_at: datetime | None
    last_used_at: datetime | None


def _record(item: Item) -> TokenRecord:
    return TokenRecord(
        token_id=str(item["tokenId"]),
        name=str(item["name"]),
        prefix=str(item["prefix"]),
        scopes=tuple(str(scope) for scope in item["scopes"]),
        created_at=datetime.fromisoformat(str(item["createdAt"])),
        last_used_at=_moment(item.get("lastUsedAt")),
        expires_at=_moment(item.get("expiresAt")),
    )


class ApiTokenRepo:
    def __init__(self, table: Table) -> None:
        self.table = table

    async def create(
        self,
        user_id: str,
        *,
        token_id: str,
        digest: str,
        name: str,
        prefix: str,
        scopes: tuple[str, ...],
        now: datetime,
        expires_at: datetime | None,
    ) -> TokenRecord:
        """Store a new token (both items, all or nothing). Raises `TransactionCancelled` if
        either exists already (a repeated id or digest: never, with random tokens)."""
        check_id(token_id)
        common: Item = {"tokenId": token_id, "scopes": list(scopes)}
        if expires_at is not None:
            common["expiresAt"] = _at(expires_at)
            common["ttl"] = int(expires_at.timestamp())
        owned: Item = {
            "pk": user_pk(user_id),
            "sk": _sk(token_id),
            **common,
            "name": name,
            "prefix": prefix,
            "digest": digest,
            "createdAt": _at(now),
        }
        pointer: Item = {
            "pk": pointer_pk(digest),
            "sk": POINTER_SK,
            **common,
            "userId": user_id,
            "digest": digest,
        }
        await self.table.transact([Put(owned, Absent()), Put(pointer, Absent())])
        return _record(owned)

    async def list(self, user_id: str) -> list[TokenRecord]:
        """The user's tokens, oldest first."""
        # Without a limit a query answers every match in one page (`Table.query`).
        items = (await self.table.query(user_pk(user_id), sk_prefix=PREFIX)).items
        return sorted((_record(item) for item in items), key=lambda token: token.created_at)

    async def pointer(self, digest: str) -> TokenPointer | None:
        """The pointer of the token with this digest; None for a token never issued, revoked,
        or erased with its account."""
        item = await self.table.get(pointer_pk(digest), POINTER_SK)
        if item is None:
            return None
        return TokenPointer(
            user_id=str(item["userId"]),
            token_id=str(item["tokenId"]),
            digest=str(item["digest"]),
            scopes=tuple(str(scope) for scope in item["scopes"]),
            expires_at=_moment(item.get("expiresAt")),
            last_used_at=_moment(item.get("lastUsedAt")),
        )

    async def touch(self, pointer: TokenPointer, now: datetime) -> bool:
        """Record `now` as the token's last use on both items. False when the token was
        revoked meanwhile (neither item is recreated)."""
        at = {"lastUsedAt": _at(now)}
        try:
            await self.table.transact(
                [
                    Update(pointer_pk(pointer.digest), POINTER_SK, set=at),
                    Update(user_pk(pointer.user_id), _sk(pointer.token_id), set=at),
                ]
            )
        except (ConditionFailed, TransactionCancelled):
            return False
        return True

    async def revoke(self, user_id: str, token_id: str) -> None:
        """Delete the token and its pointer together. Raises `NotFound` for a token the user
        does not have (another user's token reads the same)."""
        check_id(token_id)
        item = await self.table.get(user_pk(user_id), _sk(token_id))
        if item is None:
            raise NotFound(f"no token with id {token_id!r}")
        try:
            await self.table.transact(
                [
                    Delete(user_pk(user_id), _sk(token_id), Exists()),
                    Delete(pointer_pk(str(item["digest"])), POINTER_SK),
                ]
            )
        except (ConditionFailed, TransactionCancelled):
            raise NotFound(f"no token with id {token_id!r}") from None


def pointer_of(item: Item) -> Delete | None:
    """For erasure: the deletion of the pointer of a user's token item (None for any other
    item of the user's partition)."""
    if not str(item.get("sk", "")).startswith(PREFIX):
        return None
    digest = item.get("digest")
    return Delete(pointer_pk(digest), POINTER_SK) if isinstance(digest, str) and digest else None
