"""Benchmark sends: `USER#{id}` / `SEND#{date}#{id}`, pointer `REF#SEND#{id}`, and two indexes.

gsi1 (hardest first): `gsi1pk = USER#{id}#SEND`, `gsi1sk = {discipline}#{score:03d}#{date}#{id}`.
The discipline leads the sort key because scores order grades within a discipline only (a route
score and a boulder score are not comparable), so "hardest boulders" is one prefix query.
gsi2 (by significance): `gsi2pk = USER#{id}#SEND#SIG`, `gsi2sk = {significance}#{date}#{id}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from store.grades import Discipline
from store.records.base import Record, wire_name
from store.records.sends import BenchmarkSend, BenchmarkSendIn, Significance
from store.repos.base import Listing, user_pk
from store.repos.entity import DatedRepo

if TYPE_CHECKING:
    from store.table import Table

MAX_SCORE = 999
"""Scores are zero-padded to three digits in `gsi1sk` (the reference scale tops out at 107)."""


class SendRepo(DatedRepo[BenchmarkSend, BenchmarkSendIn]):
    def __init__(self, table: Table) -> None:
        super().__init__(table, record=BenchmarkSend, input=BenchmarkSendIn, kind="SEND")

    def index_keys(self, user_id: str, record: BenchmarkSend) -> dict[str, str]:
        tail = f"{record.date.isoformat()}#{record.id}"
        score = min(max(record.numeric_grade, 0), MAX_SCORE)
        return {
            "gsi1pk": f"{user_pk(user_id)}#SEND",
            "gsi1sk": f"{record.discipline.value}#{score:03d}#{tail}",
            "gsi2pk": f"{user_pk(user_id)}#SEND#SIG",
            "gsi2sk": f"{record.significance.value}#{tail}",
        }

    async def update(
        self,
        user_id: str,
        record_id: str,
        changes: Mapping[str, Any] | Record,
        *,
        expected_version: int | None = None,
    ) -> BenchmarkSend:
        """As `DatedRepo.update`; a new `grade` without hints is parsed afresh rather than in the
        old grade's system and discipline (so a V3 can be corrected to 5.12a)."""
        if isinstance(changes, Mapping) and "grade" in changes:
            changes = {wire_name("grade_system"): None, "discipline": None, **changes}
        return await super().update(user_id, record_id, changes, expected_version=expected_version)

    async def list_by_grade(
        self,
        user_id: str,
        discipline: Discipline,
        *,
        min_score: int | None = None,
        max_score: int | None = None,
        hardest_first: bool = True,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Listing[BenchmarkSend]:
        """Sends of `discipline` scored `min_score`..`max_score` (inclusive), by score (ties:
        by date). Raises `store.errors.InvalidCursor` for a cursor of another query."""
        low = f"{discipline.value}#{_pad(min_score or 0)}#"
        high = f"{discipline.value}#{_pad(MAX_SCORE if max_score is None else max_score)}$"
        return await self._page(
            f"{user_pk(user_id)}#SEND",
            index="gsi1",
            sk_from=low,
            sk_to=high,
            descending=hardest_first,
            limit=limit,
            cursor=cursor,
        )

    async def list_by_significance(
        self,
        user_id: str,
        significance: Significance,
        *,
        newest_first: bool = True,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Listing[BenchmarkSend]:
        """Sends of one significance, by date."""
        return await self._page(
            f"{user_pk(user_id)}#SEND#SIG",
            index="gsi2",
            sk_prefix=f"{significance.value}#",
            descending=newest_first,
            limit=limit,
            cursor=cursor,
        )


def _pad(score: int) -> str:
    return f"{min(max(score, 0), MAX_SCORE):03d}"
