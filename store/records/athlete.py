"""The athlete: body and grades, goals, injuries."""

from __future__ import annotations

from datetime import date as Date
from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, ValidationInfo, field_validator, model_validator

from store.grades import Discipline
from store.records.base import Record
from store.records.common import (
    WEEKDAY_NAMES,
    BoulderGrade,
    Notes,
    PastDate,
    RouteGrade,
    ShortText,
    ShortTextList,
    Stored,
    UtcDateTime,
    Weekday,
    canonical_grade,
    new_id,
)


class IndoorGrades(Record):
    boulder: BoulderGrade | None = None
    sport: RouteGrade | None = None
    top_rope: RouteGrade | None = None


class OutdoorGrades(Record):
    boulder: BoulderGrade | None = None
    sport: RouteGrade | None = None
    trad: RouteGrade | None = None


class CurrentGrades(Record):
    """The grade the climber currently climbs, per setting and style, canonical spelling."""

    indoor: IndoorGrades = Field(default_factory=IndoorGrades)
    outdoor: OutdoorGrades = Field(default_factory=OutdoorGrades)


class AthleteProfileIn(Record):
    age: Annotated[int, Field(ge=10, le=100)] | None = None
    weight_kg: Annotated[float, Field(ge=25, le=250)] | None = None
    height_cm: Annotated[float, Field(ge=100, le=250)] | None = None
    years_climbing: Annotated[float, Field(ge=0, le=80)] | None = None
    ape_index_cm: Annotated[float, Field(ge=-30, le=30)] | None = None
    current_grades: CurrentGrades = Field(default_factory=CurrentGrades)
    strengths: ShortTextList = Field(default_factory=list)
    weaknesses: ShortTextList = Field(default_factory=list)
    dietary_restrictions: ShortTextList = Field(default_factory=list)
    goals_summary: Annotated[str, Field(max_length=2000)] | None = None
    training_days: Annotated[list[Weekday], Field(max_length=7)] = Field(default_factory=list)
    """The weekdays the climber can train (empty: not said); a generated plan uses them."""

    @field_validator("training_days")
    @classmethod
    def _each_day_once(cls, days: list[Weekday]) -> list[Weekday]:
        return sorted(set(days), key=WEEKDAY_NAMES.index)


class AthleteProfile(AthleteProfileIn, Stored):
    updated_at: UtcDateTime | None = None
    """When it was last written; None for the empty profile of a climber who never saved one."""


class GoalType(StrEnum):
    GRADE = "grade"
    PROJECT = "project"
    FITNESS = "fitness"
    COMPETITION = "competition"
    OTHER = "other"


class GoalStatus(StrEnum):
    ACTIVE = "active"
    ACHIEVED = "achieved"
    ABANDONED = "abandoned"


class GoalDiscipline(StrEnum):
    BOULDER = "boulder"
    SPORT = "sport"
    TRAD = "trad"
    TOP_ROPE = "top_rope"


class GoalIn(Record):
    type: GoalType
    description: Annotated[str, Field(min_length=1, max_length=1000)]
    target_grade: str | None = None
    discipline: GoalDiscipline | None = None
    target_date: Date | None = None
    status: GoalStatus = GoalStatus.ACTIVE

    @model_validator(mode="after")
    def _canonical_target(self) -> Self:
        # The target grade must belong to the goal's discipline (boulder vs route) when known.
        if self.target_grade is not None:
            discipline = None
            if self.discipline is not None:
                is_boulder = self.discipline is GoalDiscipline.BOULDER
                discipline = Discipline.BOULDER if is_boulder else Discipline.ROUTE
            canonical = canonical_grade(self.target_grade, discipline)
            if canonical != self.target_grade:
                # Bypass validate_assignment to avoid re-running this validator.
                object.__setattr__(self, "target_grade", canonical)
        return self


class Goal(GoalIn, Stored):
    id: str = Field(default_factory=new_id)
    created_at: UtcDateTime
    achieved_at: UtcDateTime | None = None


class Side(StrEnum):
    LEFT = "left"
    RIGHT = "right"
    BOTH = "both"


class InjuryIn(Record):
    """An injury. `severity` is the pulley-injury grade I–IV of Schöffl (1–4) when known."""

    type: Annotated[str, Field(min_length=1, max_length=200)]
    body_part: ShortText
    side: Side | None = None
    severity: Annotated[int, Field(ge=1, le=4)] | None = None
    date: PastDate
    expected_duration_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    recovered: bool = False
    recovered_date: PastDate | None = None
    notes: Notes = ""

    @field_validator("recovered_date")
    @classmethod
    def _recovery_after_onset(cls, value: Date | None, info: ValidationInfo) -> Date | None:
        onset = info.data.get("date")
        if value is not None and isinstance(onset, Date) and value < onset:
            raise ValueError("must not be before the onset date")
        return value


class Injury(InjuryIn, Stored):
    id: str = Field(default_factory=new_id)
    created_at: UtcDateTime
    updated_at: UtcDateTime
