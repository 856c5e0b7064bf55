"""What a plan is generated from: the climber's data, read into plain values.

`inputs_from` reads them out of the records and the computed analytics (numbers from code); the
generator only ever sees a `PlanInputs`, so the same inputs always give the same plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from coaching.analytics.body import InjuryStatus
from coaching.analytics.ladder import ladder
from coaching.analytics.summary import ClimberAnalytics
from store.grades import Discipline, GradeSystem, parse_grade
from store.records.athlete import AthleteProfile, Goal, GoalIn, GoalStatus
from store.records.common import WEEKDAY_NAMES

Emphasis = Literal["fingers", "power", "endurance", "technique"]
EMPHASES: tuple[Emphasis, ...] = ("fingers", "power", "endurance", "technique")


@dataclass(frozen=True)
class Customisation:
    """What a Premium climber may choose (the seed's "custom training plans")."""

    days: tuple[int, ...] | None = None
    """Weekdays to train (0 = Monday), instead of the profile's."""
    phase_weeks: tuple[int, int, int] | None = None
    """Weeks of skill and stamina, strength and power, and power endurance (a rest week
    always follows)."""
    emphasis: Emphasis | None = None


@dataclass(frozen=True)
class Level:
    """The climber's best grade in the discipline the plan trains, on that discipline's
    ladder (the climber's own grading system)."""

    discipline: Discipline
    grade: str
    system: GradeSystem
    rung: int


@dataclass(frozen=True)
class GoalTarget:
    description: str
    grade: str | None = None
    discipline: Discipline | None = None
    target_date: date | None = None


@dataclass(frozen=True)
class OpenInjury:
    """An injury not yet recovered: what it rules out, and until when."""

    label: str
    rules_out: frozenset[str]
    """Exercise contraindications that apply while it is open (e.g. "open-finger-injury")."""
    easy_from: date | None
    """Easy climbing from this day; None when the injury has neither a grade nor an expected
    return date still ahead (the plan stays easy)."""
    full_from: date | None
    expected: bool = False
    """The dates are the climber's own expected return (no grade, so no Schöffl dates)."""


@dataclass(frozen=True)
class PlanInputs:
    today: date
    years_climbing: float | None = None
    level: Level | None = None
    weaknesses: tuple[str, ...] = ()
    training_days: tuple[int, ...] | None = None
    goal: GoalTarget | None = None
    injuries: tuple[OpenInjury, ...] = ()
    recent_weekly_load: float | None = None
    """Average weekly load (AU) of the last four weeks; None without logged history."""
    customisation: Customisation | None = None


# Body part → the contraindication slugs of the exercise library it triggers.
_RULES_OUT = (
    (("finger", "pulley", "thumb", "index", "middle", "ring", "pinky", "little"),
     "open-finger-injury"),
    (("shoulder", "rotator"), "shoulder-injury"),
    (("elbow", "golfer", "tennis"), "elbow-injury"),
    (("wrist",), "wrist-injury"),
    (("knee", "menisc"), "knee-injury"),
    (("back", "spine", "lumbar"), "back-injury"),
    (("ankle", "heel", "foot"), "ankle-injury"),
)  # fmt: skip


def rules_out(body_part: str, kind: str = "") -> frozenset[str]:
    """The contraindications an open injury of `body_part` triggers."""
    text = f"{body_part} {kind}".lower()
    return frozenset(slug for words, slug in _RULES_OUT if any(w in text for w in words))


def injury_label(status: InjuryStatus) -> str:
    """ "left ring finger A2 strain (grade II)": the part once, even when the type names it."""
    side = f"{status.side} " if status.side else ""
    grade = f" (grade {status.caps.grade})" if status.caps else ""
    kind = status.type.strip()
    part = status.body_part.strip()
    what = kind if part.lower() in kind.lower() else f"{part} {kind}"
    return f"{side}{what}{grade}".strip()


def open_injury(status: InjuryStatus) -> OpenInjury:
    """The plan's view of an open injury: the Schöffl dates of its grade; without a grade, the
    return date the climber expected, while it is still ahead (past it and still open, nobody
    knows: the plan stays easy)."""
    label, ruled_out = injury_label(status), rules_out(status.body_part, status.type)
    if status.caps:
        caps = status.caps
        return OpenInjury(label, ruled_out, caps.easy_climbing_from, caps.full_climbing_from)
    if status.expected_back is not None and not status.overdue:
        return OpenInjury(label, ruled_out, status.onset, status.expected_back, expected=True)
    return OpenInjury(label, ruled_out, None, None)


def _goal(goals: Iterable[Goal], today: date) -> GoalTarget | None:
    """The active goal with the nearest target date (a dated goal before an undated one)."""
    active = [g for g in goals if g.status is GoalStatus.ACTIVE]
    dated = sorted(
        (g for g in active if g.target_date is not None and g.target_date >= today),
        key=lambda g: (g.target_date, g.created_at),
    )
    undated = sorted((g for g in active if g.target_date is None), key=lambda g: g.created_at)
    candidates = dated or undated
    if not candidates:
        return None
    return goal_target(candidates[0])


def goal_target(goal: GoalIn) -> GoalTarget:
    """What a plan aims at, from a goal (stored, or named by `/plan new V8 by 2027-06-30`)."""
    discipline = None
    if goal.target_grade:
        discipline = parse_grade(goal.target_grade).discipline
    return GoalTarget(
        description=goal.description,
        grade=goal.target_grade,
        discipline=discipline,
        target_date=goal.target_date,
    )


def _level(analytics: ClimberAnalytics, discipline: Discipline | None) -> Level | None:
    """The best grade of `discipline` (indoor or outdoor, the higher rung); boulder first when
    the goal names none, then routes."""
    order = [discipline] if discipline else [Discipline.BOULDER, Discipline.ROUTE]
    for wanted in order:
        best = [m for m in analytics.grades.max_grades if m.discipline is wanted]
        if best:
            top = max(best, key=lambda m: (m.score, m.setting))
            return Level(wanted, top.grade, top.system, ladder(top.system).index(top.grade))
    return None


def _days(profile: AthleteProfile | None) -> tuple[int, ...] | None:
    if profile is None or not profile.training_days:
        return None
    return tuple(WEEKDAY_NAMES.index(day) for day in profile.training_days)


def inputs_from(
    today: date,
    analytics: ClimberAnalytics,
    profile: AthleteProfile | None,
    goals: Sequence[Goal],
    customisation: Customisation | None = None,
    goal: GoalTarget | None = None,
) -> PlanInputs:
    """The plan's inputs from the climber's records and analytics (computed for `today`);
    `goal` is what the plan aims at when the climber named it, else their nearest active
    goal."""
    goal = goal or _goal(goals, today)
    load = analytics.load
    history = load.baseline_days >= 7 and load.jump.chronic > 0
    return PlanInputs(
        today=today,
        years_climbing=profile.years_climbing if profile else None,
        level=_level(analytics, goal.discipline if goal else None),
        weaknesses=tuple(profile.weaknesses) if profile else (),
        training_days=_days(profile),
        goal=goal,
        injuries=tuple(open_injury(status) for status in analytics.body.open_injuries),
        recent_weekly_load=load.jump.chronic if history else None,
        customisation=customisation,
    )
