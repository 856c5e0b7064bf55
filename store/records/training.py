"""A training plan: what each day of the week holds, between two dates."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator

from store.records.base import Record
from store.records.common import ShortText, Stored, UtcDateTime, new_id


class DayType(StrEnum):
    CLIMB = "climb"
    BOARD = "board"
    HANGBOARD = "hangboard"
    STRENGTH = "strength"
    ENDURANCE = "endurance"
    POWER = "power"
    MOBILITY = "mobility"
    CARDIO = "cardio"
    REST = "rest"


class Intensity(StrEnum):
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"
    MAX = "max"


class DayPlan(Record):
    type: DayType = DayType.REST
    focus: Annotated[str, Field(max_length=200)] = ""
    duration_minutes: Annotated[int, Field(ge=0, le=1440)] = 0
    intensity: Intensity = Intensity.LOW
    notes: Annotated[str, Field(max_length=2000)] = ""


class WeeklyStructure(Record):
    """One `DayPlan` per weekday; a day left out is a rest day."""

    monday: DayPlan = Field(default_factory=DayPlan)
    tuesday: DayPlan = Field(default_factory=DayPlan)
    wednesday: DayPlan = Field(default_factory=DayPlan)
    thursday: DayPlan = Field(default_factory=DayPlan)
    friday: DayPlan = Field(default_factory=DayPlan)
    saturday: DayPlan = Field(default_factory=DayPlan)
    sunday: DayPlan = Field(default_factory=DayPlan)


class TrainingPlanIn(Record):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    weekly_structure: WeeklyStructure = Field(default_factory=WeeklyStructure)
    goals: Annotated[list[ShortText], Field(max_length=20)] = Field(default_factory=list)
    start_date: date
    end_date: date | None = None
    active: bool = True

    @field_validator("end_date")
    @classmethod
    def _ends_after_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("start_date")
        if value is not None and isinstance(start, date) and value < start:
            raise ValueError("must not be before startDate")
        return value


class TrainingPlan(TrainingPlanIn, Stored):
    id: str = Field(default_factory=new_id)
    created_at: UtcDateTime
    updated_at: UtcDateTime
