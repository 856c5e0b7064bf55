"""A training plan: what each day holds, between two dates.

The seed's fields (name, startDate, endDate, weeklyStructure per weekday with a type, focus,
duration, intensity and notes; goals; active) and what a periodised plan adds: `phases` (blocks
of weeks with a purpose), `weeks` (each week's days, with concrete exercises from the library
and the reason each day was chosen), the `assumptions` a generated plan made, and how it was
`generated`. A hand-written plan may use only the seed's fields: its `weeklyStructure` repeats
every week.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from store.records.base import Record
from store.records.common import (
    WEEKDAY_NAMES,
    ShortText,
    Stored,
    UtcDateTime,
    is_ingest,
    new_id,
)

WEEKDAYS = WEEKDAY_NAMES


class DayType(StrEnum):
    """What a day trains. The seed's types are strength, power, endurance, technique and rest;
    plans written before periodised plans may also hold the older types below, read as
    written."""

    STRENGTH = "strength"
    POWER = "power"
    ENDURANCE = "endurance"
    TECHNIQUE = "technique"
    REST = "rest"
    CLIMB = "climb"
    BOARD = "board"
    HANGBOARD = "hangboard"
    MOBILITY = "mobility"
    CARDIO = "cardio"


class Intensity(StrEnum):
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"
    MAX = "max"


Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)]


class PlannedExercise(Record):
    """One exercise of the library (`exerciseId`) with the dose chosen for this day."""

    exercise_id: Slug
    name: ShortText
    sets: Annotated[int, Field(ge=1, le=50)] | None = None
    reps: Annotated[int, Field(ge=1, le=200)] | None = None
    hang_seconds: Annotated[int, Field(ge=1, le=600)] | None = None
    rest_seconds: Annotated[int, Field(ge=0, le=3600)] | None = None
    duration_minutes: Annotated[int, Field(ge=1, le=600)] | None = None
    edge_mm: Annotated[int, Field(ge=4, le=60)] | None = None
    intensity_percent: Annotated[int, Field(ge=1, le=200)] | None = None
    grade_target: Annotated[str, Field(max_length=40)] | None = None
    """A grade or band to climb at, e.g. "V3–V4" (a grade of the climber's own system)."""
    notes: Annotated[str, Field(max_length=500)] = ""


class DayPlan(Record):
    type: DayType = DayType.REST
    focus: Annotated[str, Field(max_length=200)] = ""
    duration_minutes: Annotated[int, Field(ge=0, le=1440)] = 0
    intensity: Intensity = Intensity.LOW
    notes: Annotated[str, Field(max_length=2000)] = ""
    exercises: Annotated[list[PlannedExercise], Field(max_length=12)] = Field(default_factory=list)
    reason: Annotated[str, Field(max_length=1000)] = ""
    """Why this day holds this: its purpose and the climber's data that chose it."""

    @model_validator(mode="after")
    def _trains_for_a_while(self, info: ValidationInfo) -> DayPlan:
        # Checked on input only: a plan stored before this rule still reads.
        if is_ingest(info) and self.type is not DayType.REST and self.duration_minutes <= 0:
            raise ValueError(f"a {self.type.value} day needs a duration above 0 minutes")
        return self

    @property
    def training(self) -> bool:
        return self.type is not DayType.REST


class WeeklyStructure(Record):
    """One `DayPlan` per weekday; a day left out is a rest day."""

    monday: DayPlan = Field(default_factory=DayPlan)
    tuesday: DayPlan = Field(default_factory=DayPlan)
    wednesday: DayPlan = Field(default_factory=DayPlan)
    thursday: DayPlan = Field(default_factory=DayPlan)
    friday: DayPlan = Field(default_factory=DayPlan)
    saturday: DayPlan = Field(default_factory=DayPlan)
    sunday: DayPlan = Field(default_factory=DayPlan)

    def day(self, weekday: int) -> DayPlan:
        """The plan of `weekday` (0 = Monday)."""
        plan: DayPlan = getattr(self, WEEKDAYS[weekday])
        return plan


class PlanPhase(Record):
    """A block of whole weeks with one purpose (e.g. "Strength and power")."""

    name: ShortText
    purpose: Annotated[str, Field(max_length=1000)] = ""
    start_date: date
    end_date: date

    @field_validator("end_date")
    @classmethod
    def _ends_after_start(cls, value: date, info: ValidationInfo) -> date:
        start = info.data.get("start_date")
        if isinstance(start, date) and value < start:
            raise ValueError("must not be before startDate")
        return value


class PlanWeek(Record):
    """One week of the plan: the Monday it starts, its phase, its load target and its days."""

    start_date: date
    phase: Annotated[int, Field(ge=0, le=20)]
    """Index into the plan's `phases`."""
    deload: bool = False
    target_load: Annotated[int, Field(ge=0, le=100_000)] = 0
    """Planned weekly load in AU (session RPE × minutes, summed over the week)."""
    days: WeeklyStructure = Field(default_factory=WeeklyStructure)

    @field_validator("start_date")
    @classmethod
    def _monday(cls, value: date) -> date:
        if value.weekday() != 0:
            raise ValueError("a plan week starts on a Monday")
        return value


class Generation(Record):
    """How a plan was generated: the rules' version, the options chosen and the inputs read."""

    rules: Annotated[str, Field(max_length=40)]
    emphasis: Annotated[str, Field(max_length=40)] | None = None
    inputs: Annotated[list[Annotated[str, Field(max_length=300)]], Field(max_length=30)] = Field(
        default_factory=list
    )


class TrainingPlanIn(Record):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    weekly_structure: WeeklyStructure = Field(default_factory=WeeklyStructure)
    goals: Annotated[list[ShortText], Field(max_length=20)] = Field(default_factory=list)
    start_date: date
    end_date: date | None = None
    active: bool = True
    phases: Annotated[list[PlanPhase], Field(max_length=12)] = Field(default_factory=list)
    weeks: Annotated[list[PlanWeek], Field(max_length=60)] = Field(default_factory=list)
    assumptions: Annotated[list[Annotated[str, Field(max_length=500)]], Field(max_length=20)] = (
        Field(default_factory=list)
    )
    generated: Generation | None = None

    @field_validator("end_date")
    @classmethod
    def _ends_after_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("start_date")
        if value is not None and isinstance(start, date) and value < start:
            raise ValueError("must not be before startDate")
        return value

    @model_validator(mode="after")
    def _phases_and_weeks_fit(self, info: ValidationInfo) -> TrainingPlanIn:
        found = _inconsistencies(self, ingest=is_ingest(info))
        if found:
            raise plan_problems(found)
        return self

    def planned_exercises(self) -> Iterator[tuple[Location, PlannedExercise]]:
        """Every planned exercise with where it sits, as wire names (e.g. `("weeks", 0,
        "days", "monday", "exercises", 1)`): the repeating week's first, then each week's."""
        for name in WEEKDAYS:
            day: DayPlan = getattr(self.weekly_structure, name)
            for index, exercise in enumerate(day.exercises):
                yield ("weeklyStructure", name, "exercises", index), exercise
        for number, week in enumerate(self.weeks):
            for name in WEEKDAYS:
                day = getattr(week.days, name)
                for index, exercise in enumerate(day.exercises):
                    yield ("weeks", number, "days", name, "exercises", index), exercise

    def day_plan(self, day: date) -> DayPlan:
        """What the plan holds on `day`: that week's day when the plan lists its weeks, else
        the repeating `weeklyStructure`."""
        monday = day - timedelta(days=day.weekday())
        for week in self.weeks:
            if week.start_date == monday:
                return week.days.day(day.weekday())
        return self.weekly_structure.day(day.weekday())

    def week_of(self, day: date) -> PlanWeek | None:
        monday = day - timedelta(days=day.weekday())
        return next((week for week in self.weeks if week.start_date == monday), None)

    def covers(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


class TrainingPlan(TrainingPlanIn, Stored):
    id: str = Field(default_factory=new_id)
    created_at: UtcDateTime
    updated_at: UtcDateTime


Location = tuple[str | int, ...]
"""Where in a plan's wire form a value sits, e.g. `("weeks", 1, "startDate")`."""


def plan_problems(found: Sequence[tuple[Location, str]]) -> ValidationError:
    """A validation error of a training plan naming each field at fault (`weeks.1.startDate`)
    with what is wrong there, in the form every caller reports (`core.validation.problems`)."""
    return ValidationError.from_exception_data(
        "TrainingPlanIn",
        [
            InitErrorDetails(
                type=PydanticCustomError("plan_inconsistent", "{reason}", {"reason": reason}),
                loc=location,
                input=None,
            )
            for location, reason in found
        ],
    )


def require_known_exercises(plan: TrainingPlanIn, known: Collection[str]) -> None:
    """Raise `ValidationError` naming every planned exercise whose `exerciseId` is not in
    `known` (the exercise library's ids), e.g. `weeks.0.days.monday.exercises.1.exerciseId`."""
    found = [
        (
            (*location, "exerciseId"),
            f"No exercise {exercise.exercise_id!r} in the library: use the id of one of its "
            "exercises",
        )
        for location, exercise in plan.planned_exercises()
        if exercise.exercise_id not in known
    ]
    if found:
        raise plan_problems(found)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _inconsistencies(plan: TrainingPlanIn, *, ingest: bool) -> list[tuple[Location, str]]:
    """What does not fit between the plan's dates, its phases and its weeks.

    A week naming a phase that is not listed, and weeks that do not follow one another, are
    refused always (the plan could not be read day by day). The rest is checked on input only,
    so a plan stored before those rules still reads: phases in order without overlapping, and
    phases and weeks inside the plan's weeks (from the Monday of `startDate` to the Sunday of
    `endDate`), each week inside its phase."""
    found: list[tuple[Location, str]] = []
    phases, weeks = plan.phases, plan.weeks
    first = _monday(plan.start_date)
    last = _monday(plan.end_date) + timedelta(days=6) if plan.end_date else None
    for index, week in enumerate(weeks):
        if week.phase >= len(phases):
            listed = (
                f"only phases 0–{len(phases) - 1}"
                if len(phases) > 1
                else ("only phase 0" if phases else "no phases")
            )
            found.append(
                (("weeks", index, "phase"), f"No phase {week.phase}: the plan lists {listed}")
            )
        if index and week.start_date != weeks[index - 1].start_date + timedelta(days=7):
            expected = weeks[index - 1].start_date + timedelta(days=7)
            found.append(
                (
                    ("weeks", index, "startDate"),
                    f"Must follow the week before it: {expected.isoformat()}",
                )
            )
    if not ingest:
        return found
    for index, phase in enumerate(phases):
        if index and phase.start_date <= phases[index - 1].end_date:
            found.append(
                (
                    ("phases", index, "startDate"),
                    "Must come after the phase before it ends "
                    f"({phases[index - 1].end_date.isoformat()})",
                )
            )
        if phase.start_date < first:
            found.append((("phases", index, "startDate"), "Must not be before the plan's weeks"))
        if last is not None and phase.end_date > last:
            found.append((("phases", index, "endDate"), "Must not be after the plan's weeks"))
    for index, week in enumerate(weeks):
        if week.start_date < first or (last is not None and week.start_date > last):
            found.append((("weeks", index, "startDate"), "Must be a week of the plan's dates"))
        if week.phase < len(phases):
            phase = phases[week.phase]
            sunday = week.start_date + timedelta(days=6)
            if sunday < phase.start_date or week.start_date > phase.end_date:
                found.append(
                    (
                        ("weeks", index, "phase"),
                        f"The week is outside phase {week.phase} ({phase.start_date.isoformat()}"
                        f" to {phase.end_date.isoformat()})",
                    )
                )
    return found
