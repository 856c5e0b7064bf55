"""Everything of one user at once: export (data portability) and erasure.

Both walk the user's partition `USER#{id}`; erasure also removes the `EMAIL#{email}` item.
Nothing outside those two partitions is read or written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from store.records.athlete import AthleteProfile, Goal, Injury
from store.records.base import Record
from store.records.chat import ChatMessage
from store.records.journal import JournalEntry
from store.records.nutrition import NutritionLog, NutritionProfile
from store.records.sends import BenchmarkSend
from store.records.training import TrainingPlan
from store.repos.api_tokens import PREFIX as API_TOKEN_PREFIX
from store.repos.api_tokens import pointer_of
from store.repos.athlete import KIND as ATHLETE
from store.repos.base import KEY_ATTRIBUTES, from_item, user_pk
from store.repos.entity import POINTER_PREFIX
from store.repos.imports import JOB_PREFIX as IMPORT_PREFIX
from store.repos.imports import MARKER_PREFIX as IMPORTED_PREFIX
from store.repos.jobs import PREFIX as JOB_PREFIX
from store.repos.plans import ACTIVATION as PLAN_ACTIVATION
from store.repos.secrets import PREFIX as SECRET_PREFIX
from store.repos.undo import PREFIX as UNDO_PREFIX
from store.repos.usage import ledger_from_item
from store.repos.users import EMAIL_SK, PROFILE, email_pk, user_from_item
from store.table import MAX_TRANSACTION_OPS, Delete, Item

if TYPE_CHECKING:
    from store.table import Table

# (sort-key prefix, export section, decoder); the first matching prefix wins.
_SECTIONS: tuple[tuple[str, str, Callable[[Item], Record]], ...] = (
    (PROFILE, "user", user_from_item),
    (ATHLETE, "athleteProfile", lambda item: from_item(AthleteProfile, item)),
    ("GOAL#", "goals", lambda item: from_item(Goal, item)),
    ("INJURY#", "injuries", lambda item: from_item(Injury, item)),
    ("JOURNAL#", "journalEntries", lambda item: from_item(JournalEntry, item)),
    ("SEND#", "sends", lambda item: from_item(BenchmarkSend, item)),
    ("PLAN#", "trainingPlans", lambda item: from_item(TrainingPlan, item)),
    ("NUTRITION#", "nutritionLogs", lambda item: from_item(NutritionLog, item)),
    ("NUTRITION", "nutritionProfile", lambda item: from_item(NutritionProfile, item)),
    ("CHAT#", "chat", lambda item: from_item(ChatMessage, item)),
    ("USAGE#", "usage", ledger_from_item),
)
# Sort-key prefixes of items that hold no climber data or hold secrets (password hashes, refresh
# tokens: store/repos/secrets.py; the plans' activation item: store/repos/plans.py); erasure
# deletes them, export leaves them out. Job records (store/repos/jobs.py) only say which
# scheduled work was done for a period. API tokens (store/repos/api_tokens.py) hold the digest
# a token is verified by.
_INTERNAL = (
    POINTER_PREFIX,
    UNDO_PREFIX,
    SECRET_PREFIX,
    PLAN_ACTIVATION,
    JOB_PREFIX,
    API_TOKEN_PREFIX,
    # Import jobs and their batch markers (store/repos/imports.py): bookkeeping of an import.
    IMPORT_PREFIX,
    IMPORTED_PREFIX,
)
_SINGLE = frozenset({"user", "athleteProfile", "nutritionProfile"})


class AccountRepo:
    def __init__(self, table: Table) -> None:
        self.table = table

    async def _items(self, user_id: str) -> list[Item]:
        pk = user_pk(user_id)
        items: list[Item] = []
        cursor: str | None = None
        while True:
            page = await self.table.query(pk, cursor=cursor)
            items.extend(page.items)
            cursor = page.cursor
            if cursor is None:
                return items

    async def export(self, user_id: str) -> dict[str, Any]:
        """Everything the user has, as wire dicts grouped by kind (`user`, `journalEntries`,
        `sends`, …; lists in sort-key order, i.e. by date where dated). Items of a kind this
        module does not know are included under `other` with their keys, so nothing is left
        out of an export."""
        result: dict[str, Any] = {}
        for item in await self._items(user_id):
            sk = str(item["sk"])
            if sk.startswith(_INTERNAL):
                continue  # pointers, undo records, credentials: internal, never exported
            section = next((entry for entry in _SECTIONS if sk.startswith(entry[0])), None)
            if section is None:
                body = {k: v for k, v in item.items() if k not in KEY_ATTRIBUTES or k == "sk"}
                result.setdefault("other", []).append(body)
                continue
            _, name, decode = section
            wire = decode(item).to_wire()
            if name in _SINGLE:
                result[name] = wire
            else:
                result.setdefault(name, []).append(wire)
        return result

    async def delete_all(self, user_id: str) -> int:
        """Erase the user: every item of `USER#{id}`, the email item, and the pointer of each
        API token (outside the partition; deleted in the same transaction as the token's own
        item, so a re-run still finds it). Returns how many items of the partition and emails
        were deleted. Idempotent, and safe to re-run after a crash: the profile, which names the
        email, goes last."""
        pk = user_pk(user_id)
        deleted = 0
        profile: Item | None = None
        while True:
            items = await self._items(user_id)
            rest = [item for item in items if item["sk"] != PROFILE]
            profile = next((item for item in items if item["sk"] == PROFILE), profile)
            if not rest:
                break
            for chunk in _transactions(pk, rest):
                await self.table.transact(chunk)
                deleted += sum(1 for operation in chunk if operation.pk == pk)
        if profile is not None:
            email = profile.get("email")
            if isinstance(email, str) and email:
                owner = await self.table.get(email_pk(email), EMAIL_SK)
                # Only release the address if it still points at this user.
                if owner is not None and owner.get("userId") == user_id:
                    await self.table.delete(email_pk(email), EMAIL_SK)
                    deleted += 1
            if await self.table.delete(pk, PROFILE) is not None:
                deleted += 1
        return deleted


def _transactions(pk: str, items: list[Item]) -> list[list[Delete]]:
    """The deletions of `items` of partition `pk`, in transactions of at most
    `MAX_TRANSACTION_OPS`; an API token's item and its pointer always share one."""
    chunks: list[list[Delete]] = [[]]
    for item in items:
        together = [Delete(pk, str(item["sk"]))]
        if (pointer := pointer_of(item)) is not None:
            together.append(pointer)
        if len(chunks[-1]) + len(together) > MAX_TRANSACTION_OPS:
            chunks.append([])
        chunks[-1].extend(together)
    return [chunk for chunk in chunks if chunk]
