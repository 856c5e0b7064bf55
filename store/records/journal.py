"""A journal entry: one session (or rest day) as the climber logged it."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, ValidationInfo, field_validator

from store.grades import Discipline, GradeError
from store.records.base import Record
from store.records.common import (
    GradeRef,
    MediaList,
    Notes,
    PastDate,
    Setting,
    ShortText,
    ShortTextList,
    Stored,
    UtcDateTime,
    new_id,
    normalise_grade_ref,
)


class SessionType(StrEnum):
    """What kind of session it was.

    gym: climbing at a wall; outdoor: climbing on rock; board: a system/Moon/Kilter board
    session; hangboard: finger training on a hangboard; training: strength, conditioning or
    endurance work off the wall; rest: a rest or active-recovery day the climber wants recorded.
    """

    GYM = "gym"
    OUTDOOR = "outdoor"
    BOARD = "board"
    HANGBOARD = "hangboard"
    TRAINING = "training"
    REST = "rest"


class SessionDiscipline(StrEnum):
    BOULDER = "boulder"
    SPORT = "sport"
    TRAD = "trad"
    MIXED = "mixed"

    def grade_discipline(self) -> Discipline | None:
        """The grade discipline every grade of such a session must belong to (None: either)."""
        if self is SessionDiscipline.BOULDER:
            return Discipline.BOULDER
        if self is SessionDiscipline.MIXED:
            return None
        return Discipline.ROUTE


Level = Annotated[int, Field(ge=0, le=10)]


class Soreness(Record):
    """Soreness by body region, 0 (none) to 10 (worst)."""

    fingers: Level = 0
    forearms: Level = 0
    shoulders: Level = 0
    back: Level = 0
    legs: Level = 0


class PhysicalCondition(Record):
    energy: Annotated[int, Field(ge=1, le=10)] | None = None
    soreness: Soreness = Field(default_factory=Soreness)
    injuries: ShortTextList = Field(default_factory=list)


class JournalEntryIn(Record):
    """A session as a client sends it.

    Grades may be plain strings (`"V5"`, `"5.11a"`) or `{"grade", "count", "system"?}`; each is
    normalised through store.grades and must belong to the session's discipline. An invalid one
    is a field error on `gradesAttempted`/`gradesCompleted` whose message names its index.
    """

    date: PastDate
    session_type: SessionType
    discipline: SessionDiscipline | None = None
    setting: Setting = Setting.INDOOR
    duration_minutes: Annotated[int, Field(gt=0, le=1440)]
    location: Annotated[str, Field(max_length=200)] | None = None
    grades_attempted: Annotated[list[GradeRef], Field(max_length=200)] = Field(default_factory=list)
    grades_completed: Annotated[list[GradeRef], Field(max_length=200)] = Field(default_factory=list)
    rpe: Annotated[float, Field(ge=0, le=10)] | None = None
    physical_condition: PhysicalCondition = Field(default_factory=PhysicalCondition)
    technical_focus: Annotated[list[ShortText], Field(max_length=50)] = Field(default_factory=list)
    mental_state: Annotated[str, Field(max_length=500)] | None = None
    notes: Notes | None = None
    media: MediaList = Field(default_factory=list)

    @field_validator("grades_attempted", "grades_completed", mode="before")
    @classmethod
    def _grades_of_discipline(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, list):
            return value
        session = info.data.get("discipline")
        discipline = session.grade_discipline() if isinstance(session, SessionDiscipline) else None
        normalised = []
        for index, item in enumerate(value):
            try:
                normalised.append(normalise_grade_ref(item, discipline))
            except GradeError as error:
                raise ValueError(f"item {index}: {error}") from None
        return normalised

    @property
    def session_load(self) -> float | None:
        """Foster session load in arbitrary units (RPE × minutes), or None without an RPE."""
        if self.rpe is None:
            return None
        return self.rpe * self.duration_minutes


class JournalEntry(JournalEntryIn, Stored):
    id: str = Field(default_factory=new_id)
    created_at: UtcDateTime
    updated_at: UtcDateTime
