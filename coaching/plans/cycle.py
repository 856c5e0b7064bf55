"""The cycle: how many weeks, which phases in which order, and which weeks deload.

Phases follow coaching.md's order (Hörst's 4-3-2-1, Anderson's linear cycle): skill and
stamina, strength and power, power endurance, rest. An open injury puts a return-to-climbing
phase first, until its full-climbing date. A goal date 4–16 weeks away sets where the cycle
ends (its week is the rest week: peak, then rest); otherwise a standard 10-week cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from coaching.plans.inputs import PlanInputs
from coaching.plans.rules import (
    BUILD_WEEKS_BEFORE_DELOAD,
    LONGEST_CYCLE,
    SHORTEST_CYCLE,
    STANDARD_WEEKS,
)


class PhaseKind(StrEnum):
    RETURN = "return"
    BASE = "base"
    STRENGTH = "strength"
    POWER_ENDURANCE = "power_endurance"
    REST = "rest"


ORDER = (PhaseKind.RETURN, PhaseKind.BASE, PhaseKind.STRENGTH, PhaseKind.POWER_ENDURANCE)
"""The order phases come in; `REST` always ends a cycle."""

_RATIOS = {
    None: (4, 3, 2),
    "endurance": (4, 2, 3),
    "fingers": (3, 4, 2),
    "power": (3, 4, 2),
    "technique": (5, 2, 2),
}
"""Weeks of base : strength : power endurance (4-3-2 by default, shifted by an emphasis)."""


@dataclass(frozen=True)
class PhaseSpec:
    kind: PhaseKind
    weeks: int


@dataclass(frozen=True)
class Cycle:
    start: date
    """The Monday the plan starts."""
    phases: tuple[PhaseSpec, ...]
    why: str
    """Why this many weeks, for the plan's assumptions."""

    @property
    def weeks(self) -> int:
        return sum(phase.weeks for phase in self.phases)

    @property
    def end(self) -> date:
        return self.start + timedelta(weeks=self.weeks, days=-1)


def plan_start(today: date) -> date:
    """Plans start on a Monday: today if it is one, else the next."""
    return today + timedelta(days=(7 - today.weekday()) % 7)


def weeks_until(start: date, day: date) -> int:
    """How many plan weeks from `start` (a Monday) up to and including the week of `day`."""
    return (day - start).days // 7 + 1


def _length(inputs: PlanInputs, start: date) -> tuple[int, str]:
    custom = inputs.customisation
    if custom and custom.phase_weeks:
        weeks = min(sum(custom.phase_weeks) + 1, LONGEST_CYCLE)
        return weeks, f"{weeks} weeks, as you chose the phases"
    target = inputs.goal.target_date if inputs.goal else None
    if target is None or target < start:
        return STANDARD_WEEKS, f"a standard {STANDARD_WEEKS}-week cycle (no goal date)"
    weeks = weeks_until(start, target)
    if weeks < SHORTEST_CYCLE:
        return weeks, f"{weeks} weeks to your goal date: a short block that ends fresh"
    if weeks <= LONGEST_CYCLE:
        return weeks, f"{weeks} weeks, ending in the week of your goal date"
    return (
        STANDARD_WEEKS,
        f"your goal date is {weeks} weeks away: this {STANDARD_WEEKS}-week cycle is the first "
        "of several",
    )


def _return_weeks(inputs: PlanInputs, start: date, total: int) -> int:
    """Weeks of return to climbing: until the last open injury allows full climbing (the
    whole plan when an injury has no date to return by)."""
    if any(injury.full_from is None for injury in inputs.injuries):
        return total
    ends = [i.full_from for i in inputs.injuries if i.full_from and i.full_from > start]
    if not ends:
        return 0
    # The week that holds the full-climbing date stays easy: full training starts the week after.
    return min(total, weeks_until(start, max(ends)))


def _split(weeks: int, inputs: PlanInputs) -> list[PhaseSpec]:
    """The training phases of `weeks` weeks, rest week included."""
    custom = inputs.customisation
    kinds = (PhaseKind.BASE, PhaseKind.STRENGTH, PhaseKind.POWER_ENDURANCE)
    if weeks <= 0:
        return []
    if weeks < 4:
        # Near a goal: keep the sharpest phases, always end with rest.
        short = kinds[4 - weeks :]
        return [*(PhaseSpec(kind, 1) for kind in short), PhaseSpec(PhaseKind.REST, 1)]
    if custom and custom.phase_weeks:
        counts = _scaled(custom.phase_weeks, weeks - 1)
    else:
        ratios = _RATIOS[custom.emphasis if custom else None]
        counts = _scaled(ratios, weeks - 1)
    return [
        *(PhaseSpec(kind, count) for kind, count in zip(kinds, counts, strict=True) if count),
        PhaseSpec(PhaseKind.REST, 1),
    ]


def _scaled(ratios: tuple[int, int, int], weeks: int) -> tuple[int, int, int]:
    """`weeks` split by `ratios` (largest remainder), every phase at least one week."""
    total = sum(ratios)
    exact = [weeks * r / total for r in ratios]
    counts = [max(1, int(x)) for x in exact]
    order = sorted(range(3), key=lambda i: (-(exact[i] - int(exact[i])), i))
    index = 0
    while sum(counts) < weeks:
        counts[order[index % 3]] += 1
        index += 1
    while sum(counts) > weeks:
        biggest = max(range(3), key=lambda i: (counts[i], -i))
        counts[biggest] -= 1
    return counts[0], counts[1], counts[2]


def cycle_of(inputs: PlanInputs) -> Cycle:
    start = plan_start(inputs.today)
    total, why = _length(inputs, start)
    back = _return_weeks(inputs, start, total)
    phases = [PhaseSpec(PhaseKind.RETURN, back)] if back else []
    phases += _split(total - back, inputs)
    return Cycle(start, tuple(phases), why)


def deload_weeks(phases: tuple[PhaseSpec, ...]) -> list[bool]:
    """For each week, whether it deloads: after `BUILD_WEEKS_BEFORE_DELOAD` build weeks in a
    row, the next week deloads (the rest phase is one)."""
    flags: list[bool] = []
    built = 0
    for phase in phases:
        for _ in range(phase.weeks):
            if phase.kind is PhaseKind.REST or built >= BUILD_WEEKS_BEFORE_DELOAD:
                flags.append(True)
                built = 0
            else:
                flags.append(False)
                built += 1
    return flags
