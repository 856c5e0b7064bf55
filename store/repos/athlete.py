"""The athlete profile: `USER#{id}` / `ATHLETE`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from store.records.athlete import AthleteProfile, AthleteProfileIn
from store.repos.singleton import SingletonRepo

if TYPE_CHECKING:
    from store.table import Table

KIND = "ATHLETE"


class AthleteRepo(SingletonRepo[AthleteProfile, AthleteProfileIn]):
    def __init__(self, table: Table) -> None:
        super().__init__(table, record=AthleteProfile, input=AthleteProfileIn, sk=KIND)
