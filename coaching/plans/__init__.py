"""Training plans generated in code: the cycle, the weeks, the exercises, and why."""

from __future__ import annotations

from coaching.plans.generate import generate
from coaching.plans.inputs import (
    EMPHASES,
    Customisation,
    Emphasis,
    GoalTarget,
    Level,
    OpenInjury,
    PlanInputs,
    goal_target,
    inputs_from,
)

__all__ = [
    "EMPHASES",
    "Customisation",
    "Emphasis",
    "GoalTarget",
    "Level",
    "OpenInjury",
    "PlanInputs",
    "generate",
    "goal_target",
    "inputs_from",
]
