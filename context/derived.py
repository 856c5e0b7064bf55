"""What a coaching turn computes from the climber's records, apart from their message: the
analytics, their level, the data's triggers, this week of their plan, and per tier the figures
shown, the slices rendered from them and the inputs the exercises are chosen from.

It depends only on the records read (`context.reads`), the latest session, the climber's date
and time zone, and the tier: `context.cache` keeps it between turns on exactly that key (and
the generation of the records, `context.generations`). Everything in it is read, never
changed, by the turns that share it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from coaching.analytics.common import Window
from coaching.analytics.summary import ClimberAnalytics, Inputs, compute
from coaching.intent import Slice
from coaching.plans import PlanInputs, inputs_from
from coaching.plans.view import PlanWeekView, current_plan, plan_week
from context.fencing import clean_tree
from context.slices import RECENT_SESSIONS, SliceText, build, level_of
from context.templates import data_triggers
from store.records.athlete import AthleteProfile, Goal

Shown = Callable[[str, ClimberAnalytics], ClimberAnalytics]
"""The analytics as a tier shows them: (tier, every figure) → what that tier is shown."""


@dataclass(frozen=True)
class Facing:
    """What one tier's turn is given: the figures it shows (`analytics`), the slices rendered
    from them, the inputs exercises are chosen from, and the facts' JSON dumps (cleaned)."""

    analytics: ClimberAnalytics
    slices: dict[Slice, SliceText]
    plan_inputs: PlanInputs
    analytics_facts: dict[str, Any]
    profile_facts: Any
    plan_facts: Any


@dataclass(frozen=True)
class Derived:
    """The computation from the climber's records for one day (`today`, in their zone)."""

    today: date
    analytics: ClimberAnalytics
    """Every figure, whatever the tier (the data's triggers read them all)."""
    athlete: AthleteProfile | None
    goals: Sequence[Goal]
    week: PlanWeekView | None
    latest: date | None
    level: str | None
    raised: frozenset[str]
    _slices_of: Callable[[ClimberAnalytics], dict[Slice, SliceText]]
    _tiers: dict[str, Facing] = field(default_factory=dict)

    def facing(self, tier: str, shown: Shown) -> Facing:
        """What `tier` is given (computed once per tier; `shown` must not change between
        calls on one `Derived`)."""
        known = self._tiers.get(tier)
        if known is not None:
            return known
        analytics = shown(tier, self.analytics)
        profile = (
            None if self.athlete is None else self.athlete.model_dump(mode="json", by_alias=True)
        )
        week = None if self.week is None else self.week.model_dump(mode="json", by_alias=True)
        facing = Facing(
            analytics=analytics,
            slices=self._slices_of(analytics),
            plan_inputs=inputs_from(self.today, analytics, self.athlete, self.goals),
            analytics_facts=clean_tree(analytics.model_dump(mode="json", by_alias=True)),
            profile_facts=clean_tree(profile),
            plan_facts=clean_tree(week),
        )
        self._tiers[tier] = facing
        return facing


def derive(inputs: Inputs, window: Window, latest: date | None) -> Derived:
    """The computation from `inputs` (read for `window`) and the latest session's date. Pure."""
    analytics = compute(inputs, window)
    today = window.today
    plan = current_plan(inputs.plans)
    week = plan_week(plan, today) if plan is not None else None
    level = level_of(analytics, inputs.hardest, inputs.athlete)
    # Only what the slices read is kept (not `inputs`: a long history is most of its size):
    # the newest sessions they list, in the order they would pick them.
    in_window = [entry for entry in inputs.entries if window.contains(entry.date)]
    recent = sorted(in_window, key=lambda entry: entry.date, reverse=True)[:RECENT_SESSIONS]
    injuries = list(inputs.injuries)
    athlete = inputs.athlete

    def slices_of(shown: ClimberAnalytics) -> dict[Slice, SliceText]:
        return build(
            shown,
            recent=recent,
            injuries=injuries,
            profile=athlete,
            level=level,
            latest=latest,
            plan=week,
        )

    return Derived(
        today=today,
        analytics=analytics,
        athlete=athlete,
        goals=list(inputs.goals),
        week=week,
        latest=latest,
        level=level,
        raised=frozenset(raised(analytics)),
        _slices_of=slices_of,
    )


def raised(analytics: ClimberAnalytics) -> set[str]:
    """The data's triggers. A load jump has a band only once the climber has logged long
    enough for a baseline (`coaching.analytics.history`): a new climber's second session is
    not a jump worth a warning template."""
    load = analytics.load
    return data_triggers(
        open_injury=bool(analytics.body.open_injuries),
        load_jump=load.jump.band == "sharp_jump",
        high_monotony=load.last_7_days.monotony_band == "warning",
        high_strain=bool(load.last_7_days.strain_high),
        new_pr=analytics.grades.sends.breakthrough > 0,
        under_fuelled=bool(analytics.nutrition.under_fuelled_training_days),
    )
