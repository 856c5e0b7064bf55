"""Soreness trends by body part, and open injuries with time since onset and the
return-to-climbing schedule of their grade (Schöffl 2006).

Never a diagnosis: the grade is the one the climber logged, and the schedule is the published
return-to-climbing guideline for that grade, shown as dates from the onset.
"""

from __future__ import annotations

from calendar import monthrange
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from coaching.analytics.common import Fact, Window, monday, rounded
from store.records.athlete import Injury, Side
from store.records.journal import JournalEntry

Part = Literal["fingers", "forearms", "shoulders", "back", "legs"]
PARTS: tuple[Part, ...] = ("fingers", "forearms", "shoulders", "back", "legs")
Direction = Literal["rising", "falling", "steady"]
Phase = Literal["before_easy_climbing", "easy_climbing", "building_to_full", "full_climbing"]
"""Where today falls: before easy climbing; easy climbing; inside a range for full climbing
(grade II: 6–8 weeks); past the latest date for full climbing."""
TREND_STEP = 1.0
"""A change of the 7-day average soreness (0–10) of at least this much is a trend."""


@dataclass(frozen=True)
class Schedule:
    """When climbing may resume after a pulley injury of one grade: (weeks, months) offsets."""

    easy: tuple[int, int]
    """Easy climbing from: (weeks, months) after onset."""
    full: tuple[tuple[int, int], tuple[int, int]]
    """Full climbing from the first to the second offset."""
    easy_label: str
    full_label: str


SCHOFFL: dict[int, Schedule] = {
    1: Schedule((4, 0), ((6, 0), (6, 0)), "4 weeks", "6 weeks"),
    2: Schedule((4, 0), ((6, 0), (8, 0)), "4 weeks", "6–8 weeks"),
    3: Schedule((6, 0), ((0, 3), (0, 3)), "6–8 weeks", "3 months"),
    4: Schedule((0, 4), ((0, 6), (0, 6)), "4 months", "6 months"),
}
"""Schöffl 2006, by grade I–IV. Grade III's easy climbing starts at 6 (to 8) weeks."""
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


class SorenessTrend(Fact):
    part: Part
    last_7_days: float | None
    """Average over the sessions of the last 7 days (0–10); None without sessions."""
    previous_7_days: float | None
    change: float | None
    direction: Direction | None
    peak: int
    """Highest soreness logged in the period."""


class SorenessWeek(Fact):
    week_start: date
    sessions: int
    fingers: float | None = None
    forearms: float | None = None
    shoulders: float | None = None
    back: float | None = None
    legs: float | None = None


class ReturnCaps(Fact):
    grade: str
    easy_from: str
    full_from: str
    easy_climbing_from: date
    full_climbing_from: date
    full_climbing_by: date


class InjuryStatus(Fact):
    id: str
    type: str
    body_part: str
    side: Side | None = None
    severity: int | None = None
    onset: date
    days_since_onset: int
    expected_back: date | None = None
    overdue: bool
    """Past the expected duration the climber logged, still open."""
    caps: ReturnCaps | None = None
    phase: Phase | None = None
    """Where today falls in the schedule; None without a grade."""
    previously_injured: bool
    """A recovered injury of the same body part is on record."""


class BodyFacts(Fact):
    soreness: list[SorenessTrend]
    soreness_weeks: list[SorenessWeek]
    open_injuries: list[InjuryStatus]
    recovered_injuries: int


def add_offset(day: date, weeks: int, months: int) -> date:
    """`day` plus whole weeks and calendar months (the day clamped to the month's length)."""
    moved = day + timedelta(weeks=weeks)
    index = moved.month - 1 + months
    year, month = moved.year + index // 12, index % 12 + 1
    return moved.replace(year=year, month=month, day=min(moved.day, monthrange(year, month)[1]))


def return_caps(severity: int, onset: date) -> ReturnCaps:
    """The Schöffl return-to-climbing dates for a grade I–IV (1–4) injury. Raises `KeyError`
    for another severity."""
    schedule = SCHOFFL[severity]
    return ReturnCaps(
        grade=ROMAN[severity],
        easy_from=schedule.easy_label,
        full_from=schedule.full_label,
        easy_climbing_from=add_offset(onset, *schedule.easy),
        full_climbing_from=add_offset(onset, *schedule.full[0]),
        full_climbing_by=add_offset(onset, *schedule.full[1]),
    )


def phase_of(caps: ReturnCaps, today: date) -> Phase:
    if today < caps.easy_climbing_from:
        return "before_easy_climbing"
    if today < caps.full_climbing_from:
        return "easy_climbing"
    return "building_to_full" if today < caps.full_climbing_by else "full_climbing"


def injury_status(injury: Injury, today: date, previously: bool) -> InjuryStatus:
    caps = None if injury.severity is None else return_caps(injury.severity, injury.date)
    expected = (
        None
        if injury.expected_duration_days is None
        else injury.date + timedelta(days=injury.expected_duration_days)
    )
    return InjuryStatus(
        id=injury.id,
        type=injury.type,
        body_part=injury.body_part,
        side=injury.side,
        severity=injury.severity,
        onset=injury.date,
        days_since_onset=(today - injury.date).days,
        expected_back=expected,
        overdue=expected is not None and today > expected,
        caps=caps,
        phase=None if caps is None else phase_of(caps, today),
        previously_injured=previously,
    )


def _part_key(text: str) -> str:
    # Case, hyphens and plurals do not make another body part ("Ring-fingers" = "ring finger").
    words = text.lower().replace("-", " ").split()
    return " ".join(word.rstrip("s") for word in words)


def injury_facts(injuries: Iterable[Injury], today: date) -> tuple[list[InjuryStatus], int]:
    """Open injuries (most recent onset first) and how many recovered ones are on record."""
    items = list(injuries)
    healed = {_part_key(i.body_part) for i in items if i.recovered}
    opened = sorted((i for i in items if not i.recovered), key=lambda i: i.date, reverse=True)
    statuses = [injury_status(i, today, _part_key(i.body_part) in healed) for i in opened]
    return statuses, sum(1 for i in items if i.recovered)


def _average(values: Sequence[int]) -> float | None:
    return rounded(sum(values) / len(values), 1) if values else None


def soreness_trends(entries: Iterable[JournalEntry], window: Window) -> list[SorenessTrend]:
    """Per body part: the last 7 days' average against the 7 before, and the period's peak."""
    recent_start = window.today - timedelta(days=6)
    before_start = recent_start - timedelta(days=7)
    recent: dict[Part, list[int]] = defaultdict(list)
    before: dict[Part, list[int]] = defaultdict(list)
    peak: dict[Part, int] = defaultdict(int)
    for entry in entries:
        soreness = entry.physical_condition.soreness
        for part in PARTS:
            value: int = getattr(soreness, part)
            if recent_start <= entry.date <= window.today:
                recent[part].append(value)
            elif before_start <= entry.date < recent_start:
                before[part].append(value)
            if window.contains(entry.date):
                peak[part] = max(peak[part], value)
    trends = []
    for part in PARTS:
        now, then = _average(recent[part]), _average(before[part])
        change = None if now is None or then is None else rounded(now - then, 1)
        direction: Direction | None = None
        if change is not None:
            direction = (
                "rising"
                if change >= TREND_STEP
                else "falling"
                if change <= -TREND_STEP
                else "steady"
            )
        trends.append(
            SorenessTrend(
                part=part,
                last_7_days=now,
                previous_7_days=then,
                change=change,
                direction=direction,
                peak=peak[part],
            )
        )
    return trends


def soreness_weeks(entries: Iterable[JournalEntry], window: Window) -> list[SorenessWeek]:
    """Average soreness per body part for every week of the window (None: no sessions)."""
    sums: dict[date, list[int]] = {week: [0] * (len(PARTS) + 1) for week in window.weeks()}
    for entry in entries:
        row = sums.get(monday(entry.date))
        if row is None or entry.date > window.today:
            continue
        row[0] += 1
        for index, part in enumerate(PARTS, start=1):
            row[index] += getattr(entry.physical_condition.soreness, part)
    weeks = []
    for week, row in sums.items():
        count = row[0]
        averages = {
            part: rounded(row[index] / count, 1) if count else None
            for index, part in enumerate(PARTS, start=1)
        }
        weeks.append(SorenessWeek(week_start=week, sessions=count, **averages))
    return weeks


def body_facts(
    entries: Sequence[JournalEntry], injuries: Iterable[Injury], window: Window
) -> BodyFacts:
    opened, healed = injury_facts(injuries, window.today)
    return BodyFacts(
        soreness=soreness_trends(entries, window),
        soreness_weeks=soreness_weeks(entries, window),
        open_injuries=opened,
        recovered_injuries=healed,
    )
