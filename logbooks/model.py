"""What a parser returns: the records a file holds and the report of every row."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from store.records.athlete import AthleteProfile, Goal, Injury
from store.records.base import Wire
from store.records.chat import ChatMessage
from store.records.journal import JournalEntry
from store.records.nutrition import NutritionLog, NutritionProfile
from store.records.sends import BenchmarkSend
from store.records.training import TrainingPlan

MAX_LISTED_ERRORS = 200
"""How many refused rows a report lists one by one (all are counted)."""


class FormatName(StrEnum):
    """The logbooks an import reads (`--format`, the form's `format` field)."""

    MOUNTAIN_PROJECT = "mountainproject"
    EIGHT_A = "8a"
    THECRAG = "thecrag"
    KAYA = "kaya"
    V7_JSON = "v7-json"

    @property
    def described(self) -> str:
        return _TITLES[self]


_TITLES = {
    FormatName.MOUNTAIN_PROJECT: "a Mountain Project ticks export",
    FormatName.EIGHT_A: "an 8a.nu / Vertical-Life export",
    FormatName.THECRAG: "a theCrag logbook export",
    FormatName.KAYA: "a KAYA logbook export",
    FormatName.V7_JSON: "a V7 Coach export (JSON)",
}


class WrongFormat(ValueError):
    """The whole file cannot be read as asked (empty, not text, another format's columns).
    Nothing is imported; `message` says why in words a climber understands."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class LineError(Wire):
    """A row that was not imported: its line in the file (1 is the header of a CSV), or for
    JSON the item (`journalEntries[3]`), and why."""

    line: int | None = None
    item: str | None = None
    reason: str


class Report(Wire):
    """What an import did, row by row. `rowsRead` counts data rows (a CSV's header and blank
    lines are not rows); every row read is imported, a duplicate, or refused."""

    format: FormatName
    rows_read: int = 0
    imported: int = 0
    duplicates: int = Field(
        default=0,
        description="rows already in the account (or, in JSON, a record twice in the file): "
        "nothing was added for them",
    )
    refused: int = 0
    errors: Annotated[list[LineError], Field(max_length=MAX_LISTED_ERRORS)] = Field(
        default_factory=list, description=f"the first {MAX_LISTED_ERRORS} refused rows"
    )
    sessions: int = Field(default=0, description="journal entries added")
    sends: int = Field(default=0, description="benchmark sends added")
    other_records: int = Field(default=0, description="goals, plans, meals… added (JSON only)")
    date_order: str | None = Field(
        default=None, description="how slashed dates were read in this file: `d/m/y` or `m/d/y`"
    )

    def refuse(self, line: int | None, reason: str, item: str | None = None) -> None:
        self.refused += 1
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append(LineError(line=line, item=item, reason=reason))


@dataclass
class Parsed:
    """The records of one file, each with the file rows it came from (so the applier can count
    rows as imported or duplicate), and the report so far (rows read and refused)."""

    report: Report
    entries: list[tuple[JournalEntry, int]] = field(default_factory=list)
    sends: list[BenchmarkSend] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    injuries: list[Injury] = field(default_factory=list)
    plans: list[TrainingPlan] = field(default_factory=list)
    nutrition_logs: list[NutritionLog] = field(default_factory=list)
    chat: list[ChatMessage] = field(default_factory=list)
    athlete_profile: AthleteProfile | None = None
    nutrition_profile: NutritionProfile | None = None
