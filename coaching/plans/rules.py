"""The training-plan rules, with their sources (coaching.md, "Training plans", "Fingers",
"Finger injury", "Training load"). The generator follows them; the property tests check every
generated plan against them independently.
"""

from __future__ import annotations

from store.records.training import DayPlan, DayType, Intensity

RULES_VERSION = "plans-1"
"""Names this set of rules in each generated plan (`generated.rules`)."""

NOVICE_YEARS = 2.0
"""Below this many years of regular climbing: skill and volume, no hangboard or campus
(tendons adapt slower than muscle; dead hangs suit climbers with 2–3 years)."""

STANDARD_WEEKS = 10
"""Hörst's 4-3-2-1 cycle: skill and stamina, strength and power, power endurance, rest."""
SHORTEST_CYCLE = 4
LONGEST_CYCLE = 16
"""A goal further away gets a standard cycle now (the first of several); nearer, a cycle that
ends on the goal's week."""

MAX_WEEKLY_RISE = 0.10
"""Weekly load rises by at most this much over the last build week."""
BUILD_WEEKS_BEFORE_DELOAD = 3
DELOAD_FACTOR = 0.55
"""A deload week holds 40–50 % less load than the build week before it (here 45 %)."""
FLOOR_WEEK_LOAD = 600
"""AU. A week may always hold this much (two moderate hours): 10 % of almost nothing would
never let a climber coming back from a break start again."""

FINGER_REST_DAYS = 2
"""Finger-intensive sessions are at least 48 h apart (tendons recover in 48–72 h)."""
MAX_FINGER_DAYS = 3
MAX_HARD_IN_A_ROW = 2

SESSION_RPE: dict[Intensity, int] = {
    Intensity.LOW: 3,
    Intensity.MODERATE: 5,
    Intensity.HIGH: 7,
    Intensity.MAX: 9,
}
"""The session RPE (CR-10) a day of this intensity is planned at: load = RPE × minutes."""

SHORTEST_SESSION = 30
SHORTEST_TRAINING_SESSION = 45
LONGEST_SESSION = 180
"""Minutes of one planned session: an easy technique session may be short, a strength, power
or endurance session needs its warm-up and rests (fewer sessions rather than shorter ones)."""

FINGER_TYPES = frozenset({DayType.STRENGTH, DayType.POWER, DayType.BOARD, DayType.HANGBOARD})
"""Day types that load the fingers hard (max hangs, limit bouldering, board, campus)."""


def day_load(day: DayPlan) -> int:
    """The planned load of a day in AU."""
    if not day.training:
        return 0
    return SESSION_RPE[day.intensity] * day.duration_minutes


def is_finger_day(day: DayPlan) -> bool:
    return day.type in FINGER_TYPES


def is_hard_day(day: DayPlan) -> bool:
    return day.training and day.intensity in (Intensity.HIGH, Intensity.MAX)
