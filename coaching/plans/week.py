"""Which weekdays hold which kind of session in a phase: the week's pattern.

Pure choices over weekday numbers (0 = Monday). Training days are spread over the climber's
available days; finger-intensive days are placed at least 48 h apart (counting the gap from
Sunday to the next Monday); hard days never run more than two in a row. The generator checks
the same rules again across week boundaries (`generate.settle`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from coaching.plans.cycle import PhaseKind
from coaching.plans.inputs import Emphasis
from coaching.plans.rules import FINGER_REST_DAYS, MAX_FINGER_DAYS, MAX_HARD_IN_A_ROW
from store.records.training import DayType, Intensity

NOVICE_DAYS = (1, 3, 5)
"""Tuesday, Thursday, Saturday: three days with a rest day between each."""
DEFAULT_DAYS = (0, 2, 4, 5)
"""Monday, Wednesday, Friday, Saturday."""


@dataclass(frozen=True)
class Slot:
    """One training day of the pattern; `role` names its purpose for the day's reason."""

    weekday: int
    type: DayType
    intensity: Intensity
    minutes: int
    role: str


def gap(a: int, b: int) -> int:
    """Days from weekday `a` to weekday `b` going forward (1..7), wrapping past Sunday."""
    return (b - a) % 7 or 7


def _spread(days: Sequence[int], count: int) -> tuple[int, ...]:
    """`count` of `days` as evenly spread over the week as possible (the largest smallest
    gap, then the earliest), deterministic."""
    if count >= len(days):
        return tuple(sorted(days))

    def smallest_gap(chosen: tuple[int, ...]) -> int:
        return min(gap(a, b) for a, b in zip(chosen, (*chosen[1:], chosen[0]), strict=True))

    options = [tuple(sorted(c)) for c in combinations(sorted(days), count)]
    return max(options, key=lambda c: (smallest_gap(c) if len(c) > 1 else 7, [-d for d in c]))


def finger_days(days: Sequence[int], wanted: int) -> tuple[int, ...]:
    """Up to `wanted` of `days`, each pair at least `FINGER_REST_DAYS` apart around the week."""
    for count in range(min(wanted, MAX_FINGER_DAYS, len(days)), 0, -1):
        chosen = _spread(days, count)
        pairs = zip(chosen, (*chosen[1:], chosen[0]), strict=True)
        if count == 1 or all(gap(a, b) >= FINGER_REST_DAYS for a, b in pairs):
            return chosen
    return ()


def longest_run(hard: set[int]) -> int:
    """The longest run of consecutive weekdays in `hard`, counted around the week."""
    if len(hard) == 7:
        return 7
    best = 0
    for start in hard:
        if (start - 1) % 7 in hard:
            continue
        run = 0
        while (start + run) % 7 in hard:
            run += 1
        best = max(best, run)
    return best


@dataclass(frozen=True)
class Needs:
    """What a phase asks of a week."""

    sessions: int
    fingers: int
    """Finger-intensive sessions."""
    finger_type: tuple[DayType, ...]
    """The type of each finger day, in order (strength first)."""
    finger_intensity: Intensity
    hard_extra: int
    """Hard sessions that spare the fingers (power endurance)."""
    easy_type: DayType
    easy_intensity: Intensity
    easy_role: str
    drills: bool = False
    """Every other easy day is a technique day (skill drills) instead."""


def needs(kind: PhaseKind, *, novice: bool, emphasis: Emphasis | None) -> Needs:
    technique = emphasis == "technique"
    easy = DayType.TECHNIQUE if technique or novice else DayType.ENDURANCE
    sessions = 3 if novice else 4
    if kind is PhaseKind.BASE:
        extra_fingers = 1 if emphasis == "fingers" and not novice else 0
        return Needs(
            sessions, extra_fingers, (DayType.STRENGTH,), Intensity.MODERATE, 0,
            easy, Intensity.MODERATE, "mileage below your max", drills=easy is DayType.ENDURANCE,
        )  # fmt: skip
    if kind is PhaseKind.STRENGTH:
        count = 3 if emphasis in ("fingers", "power") and not novice else 2
        types = (DayType.STRENGTH, DayType.POWER, DayType.POWER)
        if novice:
            types = (DayType.POWER, DayType.POWER, DayType.POWER)
        intensity = Intensity.MODERATE if novice else Intensity.HIGH
        return Needs(
            sessions, count, types, intensity, 0,
            DayType.TECHNIQUE, Intensity.LOW, "skill at an easy grade",
        )  # fmt: skip
    if kind is PhaseKind.POWER_ENDURANCE:
        intensity = Intensity.MODERATE if novice else Intensity.HIGH
        return Needs(
            sessions, 1, (DayType.POWER,), intensity, 2 if emphasis == "endurance" else 1,
            DayType.TECHNIQUE, Intensity.LOW, "skill at an easy grade",
        )  # fmt: skip
    if kind is PhaseKind.RETURN:
        # Back to climbing: easy sessions only, but often enough to keep moving well.
        return Needs(
            3 if not novice else 2, 0, (), Intensity.LOW, 0,
            DayType.TECHNIQUE, Intensity.LOW, "easy climbing to stay moving",
        )  # fmt: skip
    # The rest week: two light sessions, nothing hard.
    return Needs(
        2, 0, (), Intensity.LOW, 0,
        DayType.TECHNIQUE, Intensity.LOW, "light climbing to stay fresh",
    )  # fmt: skip


MINUTES: dict[DayType, int] = {
    DayType.STRENGTH: 75,
    DayType.POWER: 75,
    DayType.ENDURANCE: 90,
    DayType.TECHNIQUE: 60,
}
"""A session's minutes before the week's load target scales them."""


def pattern(kind: PhaseKind, available: Sequence[int], need: Needs) -> list[Slot]:
    """The training days of one week of `kind` on the `available` weekdays."""
    days = _spread(available, need.sessions)
    fingers = finger_days(days, need.fingers)
    slots: dict[int, Slot] = {}
    for index, day in enumerate(fingers):
        kind_of_day = need.finger_type[min(index, len(need.finger_type) - 1)]
        role = "finger strength" if kind_of_day is DayType.STRENGTH else "power at your limit"
        if need.finger_intensity is Intensity.MODERATE and kind_of_day is DayType.POWER:
            role = "bouldering near your hardest grades"
        slots[day] = Slot(day, kind_of_day, need.finger_intensity, MINUTES[kind_of_day], role)
    hard = {d for d, s in slots.items() if s.intensity in (Intensity.HIGH, Intensity.MAX)}
    rest = [d for d in days if d not in slots]
    for _ in range(need.hard_extra):
        # The first free day that keeps hard days at most two in a row.
        fits = [d for d in rest if longest_run(hard | {d}) <= MAX_HARD_IN_A_ROW]
        if not fits:
            break
        day = fits[0]
        rest.remove(day)
        hard.add(day)
        slots[day] = Slot(
            day, DayType.ENDURANCE, Intensity.HIGH, 60, "power endurance (linked hard moves)"
        )
    for index, day in enumerate(rest):
        if need.drills and index % 2:
            slots[day] = Slot(
                day, DayType.TECHNIQUE, need.easy_intensity, MINUTES[DayType.TECHNIQUE],
                "skill drills below your max",
            )  # fmt: skip
            continue
        slots[day] = Slot(
            day, need.easy_type, need.easy_intensity, MINUTES[need.easy_type], need.easy_role
        )
    return [slots[d] for d in sorted(slots)]
