"""The evaluation set's climbers: seven histories built in code, written through the
repositories into a real table, every date relative to one fixed day.

`TODAY` is fixed (a Wednesday, so "this week" and "the last 7 days" differ) and `NOW` is its
evening, UTC: the whole set is the same on every run and on every machine, whatever the wall
clock says. Each record is written with the clock set to its own day (a session logged that
evening, a goal set on the day it was set), as the app would have stamped it.

| key | who |
|---|---|
| `new` | signed up 4 days ago: 2 gym sessions, no profile beyond the basics |
| `injured` | 10 weeks of bouldering, then a grade II A2 pulley strain 18 days ago (open) |
| `tweaked` | an open, ungraded middle-finger tweak 4 days ago, expected back in 14 days |
| `plateau` | a boulderer on V6 for 5 months, 4 sessions a week, V7 tried and never sent |
| `route` | a sport climber at 7a with a dated 7b goal and a generated, active plan |
| `high_load` | 5 steady weeks, then a week of 6 hard sessions (3 days running) |
| `under_fuelled` | 4 sessions a week, eating well below target on training days (today too) |
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from core.caller import Caller
from handlers.training_plans import generate_plan
from quotas.policy import load_policy
from store.records import (
    BenchmarkSendIn,
    GoalIn,
    InjuryIn,
    JournalEntryIn,
    NutritionProfileIn,
)
from store.records.athlete import AthleteProfileIn
from store.records.nutrition import MealIn
from store.repos import (
    AthleteRepo,
    GoalRepo,
    InjuryRepo,
    JournalRepo,
    NutritionLogRepo,
    NutritionProfileRepo,
    SendRepo,
)
from store.table import Table
from tests.clock import FrozenClock

TODAY = date(2026, 5, 13)
"""A Wednesday. Every history is built back from it."""
NOW = datetime.combine(TODAY, time(21, 30), tzinfo=UTC)
"""When the questions are asked: late on `TODAY`, UTC, after everything logged that day."""


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


class Writer:
    """Writes one climber's records, each with the clock set to the day it happened."""

    def __init__(self, table: Table, clock: FrozenClock, user_id: str) -> None:
        self.table = table
        self.clock = clock
        self.user_id = user_id

    def on(self, day: date, hour: int = 19) -> None:
        self.clock.now = datetime.combine(day, time(hour, 0), tzinfo=UTC)

    async def session(
        self,
        back: int,
        kind: str,
        minutes: int,
        rpe: float,
        *,
        sent: Sequence[str] = (),
        tried: Sequence[str] = (),
        fingers: int = 0,
        shoulders: int = 0,
        energy: int | None = None,
        discipline: str | None = None,
        notes: str | None = None,
    ) -> None:
        day = ago(back)
        self.on(day)
        body: dict[str, Any] = {
            "date": day,
            "sessionType": kind,
            "duration": minutes,
            "rpe": rpe,
            "gradesCompleted": list(sent),
            "gradesAttempted": list(tried),
            "physicalCondition": {
                "soreness": {"fingers": fingers, "shoulders": shoulders},
                **({"energy": energy} if energy is not None else {}),
            },
        }
        if discipline is not None:
            body["discipline"] = discipline
        if notes is not None:
            body["notes"] = notes
        await JournalRepo(self.table).create(self.user_id, JournalEntryIn.model_validate(body))

    async def send(self, back: int, grade: str, **fields: Any) -> None:
        self.on(ago(back))
        send = BenchmarkSendIn.model_validate({"date": ago(back), "grade": grade, **fields})
        await SendRepo(self.table).create(self.user_id, send)

    async def goal(self, back: int, **fields: Any) -> None:
        self.on(ago(back), 9)
        await GoalRepo(self.table).create(self.user_id, GoalIn.model_validate(fields))

    async def injury(self, back: int, **fields: Any) -> None:
        self.on(ago(back), 21)
        injury = InjuryIn.model_validate({"date": ago(back), **fields})
        await InjuryRepo(self.table).create(self.user_id, injury)

    async def profile(self, back: int, **fields: Any) -> None:
        self.on(ago(back), 8)
        await AthleteRepo(self.table).put(self.user_id, AthleteProfileIn.model_validate(fields))

    async def nutrition_profile(self, back: int, **fields: Any) -> None:
        self.on(ago(back), 8)
        profile = NutritionProfileIn.model_validate(fields)
        await NutritionProfileRepo(self.table).put(self.user_id, profile)

    async def meal(
        self, back: int, meal_type: str, kcal: float, protein: float, **more: Any
    ) -> None:
        self.on(ago(back), 13)
        meal = MealIn.model_validate(
            {"mealType": meal_type, "calories": kcal, "proteinG": protein, **more}
        )
        await NutritionLogRepo(self.table).add_meal(self.user_id, ago(back), meal)


async def new_climber(w: Writer) -> None:
    await w.profile(4, yearsClimbing=0.2, age=24)
    await w.session(3, "gym", 60, 6, sent=["V0", "V1", "V1", "V2"], tried=["V3"], fingers=2)
    await w.session(1, "gym", 75, 7, sent=["V1", "V2", "V2"], tried=["V3", "V3"], fingers=3)


async def injured_climber(w: Writer) -> None:
    """A grade II pulley strain 18 days ago: easy climbing from 4 weeks (in 10 days)."""
    await w.profile(
        75,
        yearsClimbing=4,
        age=29,
        weaknesses=["slopers"],
        trainingDays=["tuesday", "thursday", "saturday"],
    )
    await w.goal(72, type="grade", description="First V7", targetGrade="V7",
                 discipline="boulder", targetDate=date(2026, 9, 30))  # fmt: skip
    for week in range(10, 2, -1):
        base = week * 7 + 4  # Saturdays of weeks 3-10 ago, then the Tuesday and Thursday before
        await w.session(base + 4, "gym", 90, 7, sent=["V4", "V4", "V5", "V5"], tried=["V6"],
                        fingers=3, discipline="boulder")  # fmt: skip
        await w.session(base + 2, "board", 75, 8, sent=["V4", "V5"], tried=["V6", "V6"],
                        fingers=5, discipline="boulder")  # fmt: skip
        await w.session(base, "gym", 120, 7, sent=["V4", "V5", "V5", "V6"], tried=["V6"],
                        fingers=4, discipline="boulder")  # fmt: skip
    await w.send(25, "V6", discipline="boulder", type="indoor", significance="milestone")
    await w.session(18, "board", 40, 8, sent=["V4"], tried=["V6"], fingers=6,
                    discipline="boulder", notes="Felt a tweak on a crimp, stopped.")  # fmt: skip
    await w.injury(18, type="A2 pulley strain", bodyPart="ring finger", side="right", severity=2,
                   notes="Hurt on a full crimp on the board. Stopped at once.")  # fmt: skip
    for back in (15, 13, 11, 8, 6, 4):
        await w.session(back, "training", 40, 3, fingers=2, notes="Rehab: rice bucket, rolls.")
    for back in (9, 2):
        await w.session(back, "gym", 45, 4.5, sent=["V2", "V2", "V3"], fingers=2,
                        discipline="boulder")  # fmt: skip


async def tweaked_climber(w: Writer) -> None:
    """An ungraded middle-finger tweak 4 days ago; the climber expects 14 days off."""
    await w.profile(45, yearsClimbing=3, age=34)
    for week in range(6, 0, -1):
        base = week * 7
        await w.session(base + 1, "gym", 90, 7, sent=["V3", "V4", "V4"], tried=["V5"], fingers=3)
        await w.session(base - 1, "gym", 75, 6.5, sent=["V3", "V4"], fingers=3)
        await w.session(base - 3, "outdoor", 150, 7, sent=["V3", "V4", "V5"], fingers=4)
    await w.injury(4, type="pulley tweak", bodyPart="middle finger", side="left",
                   expectedDurationDays=14, notes="Sore on crimps after a dyno.")  # fmt: skip


async def plateaued_boulderer(w: Writer) -> None:
    """V6 since 5 months ago, sent again and again; V7 tried every week, never sent."""
    await w.profile(160, yearsClimbing=5, age=31, weaknesses=["slopers", "crimps"],
                    trainingDays=["monday", "tuesday", "thursday", "saturday"])  # fmt: skip
    await w.goal(150, type="grade", description="Send V7", targetGrade="V7", discipline="boulder")
    await w.send(150, "V6", discipline="boulder", type="indoor", significance="milestone")
    for week in range(21, -1, -1):
        sunday = week * 7 + 3  # days back to the Sunday ending that week
        await w.session(sunday + 6, "gym", 105, 7, sent=["V4", "V5", "V5", "V6"], tried=["V7"],
                        fingers=3, discipline="boulder")  # fmt: skip
        await w.session(sunday + 5, "board", 75, 8, sent=["V5", "V5"], tried=["V7", "V7"],
                        fingers=4, discipline="boulder")  # fmt: skip
        if sunday + 3 >= 1:
            await w.session(sunday + 3, "gym", 90, 6.5, sent=["V4", "V4", "V5", "V6"],
                            fingers=3, discipline="boulder")  # fmt: skip
        if sunday + 1 >= 1:
            await w.session(sunday + 1, "outdoor", 180, 7, sent=["V4", "V5", "V6"],
                            tried=["V7"], fingers=4, discipline="boulder")  # fmt: skip
    for back in (120, 80, 40, 12):
        await w.send(back, "V6", discipline="boulder", type="outdoor", attempts=6)


async def route_climber(w: Writer) -> None:
    """A 7a sport climber aiming at 7b by September, with a plan generated today."""
    await w.profile(80, yearsClimbing=6, age=38, weaknesses=["endurance"],
                    trainingDays=["monday", "wednesday", "friday", "saturday"])  # fmt: skip
    await w.goal(60, type="grade", description="Redpoint 7b", targetGrade="7b",
                 discipline="sport", targetDate=date(2026, 9, 12))  # fmt: skip
    for week in range(10, 0, -1):
        monday = week * 7 - 5  # days back to the Monday of that week (TODAY is a Wednesday)
        await w.session(monday, "gym", 105, 7, sent=["6b", "6b+", "6c"], tried=["7a"],
                        fingers=3, discipline="sport")  # fmt: skip
        await w.session(monday - 2, "gym", 90, 6.5, sent=["6a+", "6b", "6b+", "6b+"],
                        fingers=2, discipline="sport")  # fmt: skip
        if monday - 5 >= 1:
            await w.session(monday - 5, "outdoor", 240, 7.5, sent=["6b+", "6c", "6c+"],
                            tried=["7a"], fingers=4, discipline="sport")  # fmt: skip
    await w.send(26, "7a", discipline="route", type="outdoor", ascentStyle="redpoint",
                 attempts=7, significance="milestone")  # fmt: skip
    w.on(TODAY, 7)
    await generate_plan(w.table, load_policy(), Caller(w.user_id, tier="pro"), TODAY)


async def high_load_week(w: Writer) -> None:
    """About 1,500 AU a week for 5 weeks, then 6 hard sessions in 7 days: a real load jump
    over a full 4-week baseline."""
    await w.profile(60, yearsClimbing=3, age=27)
    for week in range(5, 0, -1):
        base = week * 7 + 1
        await w.session(base + 5, "gym", 75, 6.5, sent=["V3", "V4", "V4"], fingers=3)
        await w.session(base + 3, "gym", 75, 6.5, sent=["V3", "V4", "V5"], fingers=3)
        await w.session(base + 1, "gym", 90, 6, sent=["V3", "V3", "V4"], fingers=2)
    hard = (
        (6, "board", 90, 8.5, 5),
        (5, "gym", 120, 8, 5),
        (4, "hangboard", 60, 8, 6),
        (3, "outdoor", 180, 8, 6),
        (2, "gym", 120, 8, 6),
        (1, "board", 90, 9, 6),
    )
    for back, kind, minutes, rpe, fingers in hard:
        sent = [] if kind == "hangboard" else ["V4", "V5", "V5"]
        await w.session(back, kind, minutes, rpe, sent=sent, tried=["V6"] if sent else [],
                        fingers=fingers, energy=4)  # fmt: skip


async def under_fuelled(w: Writer) -> None:
    """Training 4 days a week on well under the estimated need; today's meals count too."""
    await w.profile(40, yearsClimbing=4, age=27, weight=56)
    await w.nutrition_profile(40, weight=56, heightCm=165, age=27, sex="female",
                              activityLevel="active")  # fmt: skip
    for week in range(4, 0, -1):
        base = week * 7
        await w.session(base - 1, "gym", 90, 7, sent=["V3", "V4", "V4"], fingers=3, energy=5)
        await w.session(base - 3, "board", 75, 7.5, sent=["V3", "V4"], fingers=4, energy=4)
        await w.session(base - 4, "gym", 90, 7, sent=["V3", "V4", "V5"], fingers=3, energy=4)
        await w.session(base - 6, "outdoor", 150, 7, sent=["V4", "V4"], fingers=3, energy=4)
    await w.session(0, "gym", 90, 7, sent=["V3", "V4"], fingers=3, energy=3)
    training = {0, 1, 3, 4, 6}
    for back in range(6, -1, -1):
        if back in training:
            await w.meal(back, "breakfast", 350, 12, carbsG=55, fatG=8)
            await w.meal(back, "lunch", 550, 22, carbsG=70, fatG=15)
            if back != 0:
                await w.meal(back, "dinner", 500, 24, carbsG=60, fatG=14)
        else:
            await w.meal(back, "breakfast", 450, 15, carbsG=60, fatG=12)
            await w.meal(back, "lunch", 650, 30, carbsG=80, fatG=20)
            await w.meal(back, "dinner", 700, 32, carbsG=85, fatG=22)


@dataclass(frozen=True)
class History:
    key: str
    who: str
    build: Callable[[Writer], Awaitable[None]]

    @property
    def user_id(self) -> str:
        return f"eval-{self.key.replace('_', '-')}"


HISTORIES: dict[str, History] = {
    history.key: history
    for history in (
        History("new", "a new climber, 2 sessions", new_climber),
        History("injured", "an open grade II A2 pulley strain, 18 days ago", injured_climber),
        History("tweaked", "an open ungraded finger tweak, 4 days ago", tweaked_climber),
        History("plateau", "a boulderer on V6 for 5 months", plateaued_boulderer),
        History("route", "a 7a sport climber with a dated 7b goal and a plan", route_climber),
        History("high_load", "a load jump over a 5-week baseline", high_load_week),
        History("under_fuelled", "eating below target on training days", under_fuelled),
    )
}


async def write_histories(table: Table, clock: FrozenClock) -> None:
    """Write every history into `table`, then stand the clock at `NOW`. Deterministic."""
    for history in HISTORIES.values():
        await history.build(Writer(table, clock, history.user_id))
    clock.now = NOW
