"""Journal entries (sessions): `USER#{id}` / `JOURNAL#{date}#{id}`, pointer `REF#JOURNAL#{id}`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from store.records.journal import JournalEntry, JournalEntryIn
from store.repos.entity import DatedRepo

if TYPE_CHECKING:
    from store.table import Table


class JournalRepo(DatedRepo[JournalEntry, JournalEntryIn]):
    def __init__(self, table: Table) -> None:
        super().__init__(table, record=JournalEntry, input=JournalEntryIn, kind="JOURNAL")
