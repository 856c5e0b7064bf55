"""What every offline answer is made of, and the plain-words facts they share.

An answer is a direct answer (one or two sentences that answer exactly what was asked), at most
`MAX_FACTS` supporting facts in plain words (more when the climber asked for detail), and one
concrete next step. `Answer.text` lays it out; `Ask` is everything an answer may read.

Every figure comes from the computed facts (`ClimberAnalytics`, the plan's week, the grade
tables, the exercise library's doses), written with `coaching.analytics.common.shown` as
`/stats` writes it; counted nouns go through `core.text.plural`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from coaching.analytics.body import InjuryStatus, SorenessTrend
from coaching.analytics.common import shown
from coaching.analytics.history import BASELINE_DAYS
from coaching.analytics.render import goal_line
from coaching.analytics.summary import ClimberAnalytics
from coaching.plans.inputs import injury_label
from coaching.plans.view import PlanWeekView
from store.records.athlete import AthleteProfile
from store.records.reference import Exercise

MAX_FACTS = 3
"""Supporting facts in a reply that fits one phone screen."""
DETAILED_FACTS = 6
"""Supporting facts when the climber asked for detail."""
PHONE_SCREEN = 900
"""Characters a reply keeps to unless the climber asked for detail."""
CAPPED = frozenset({"before_easy_climbing", "easy_climbing"})
"""Injury phases in which nothing should push intensity."""

_DETAIL = re.compile(
    r"\b(?:in (?:more )?detail|detailed|explain\w*|why|elaborate|tell me more|more about|"
    r"break (?:it )?down|full (?:picture|breakdown|stats))\b",
    re.IGNORECASE,
)
_JARGON = re.compile(r"\b(?:monotony|strain|acute|chronic|acwr|ewma)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Ask:
    """One question and everything its answer may read."""

    message: str
    analytics: ClimberAnalytics
    plan: PlanWeekView | None
    profile: AthleteProfile | None
    library: tuple[Exercise, ...]

    @property
    def jargon(self) -> bool:
        """Whether the climber named a load metric (monotony, strain, acute:chronic, EWMA)."""
        return _JARGON.search(self.message) is not None

    @property
    def today(self) -> date:
        return self.analytics.end


@dataclass
class Answer:
    """A reply in its three parts; `text` lays them out."""

    direct: str
    facts: list[str] = field(default_factory=list)
    step: str = ""
    after_direct: list[str] = field(default_factory=list)
    """Paragraphs that must follow the direct answer (a referral, a drafted entry)."""

    def text(self, *, detail: bool = False) -> str:
        facts = [fact for fact in self.facts if fact][: DETAILED_FACTS if detail else MAX_FACTS]
        parts = [self.direct, *self.after_direct]
        if facts:
            parts.append("\n".join(f"- {fact}" for fact in facts))
        if self.step:
            parts.append(self.step)
        return "\n\n".join(parts)


def asks_for_detail(message: str) -> bool:
    """Whether the climber asked for detail ("explain", "why", "in detail")."""
    return _DETAIL.search(message) is not None


def is_empty(analytics: ClimberAnalytics) -> bool:
    """Nothing logged that the coach could talk about."""
    return (
        analytics.totals.sessions == 0
        and not analytics.grades.max_grades
        and not analytics.goals
        and not analytics.body.open_injuries
        and analytics.nutrition.days_logged == 0
    )


def baseline_ready(analytics: ClimberAnalytics) -> bool:
    """Whether there are enough logs to compare this week with the usual (the one rule,
    `coaching.analytics.history`): before that, a first week always looks like a jump over the
    empty weeks before it."""
    return analytics.history.enough_for_baseline and analytics.load.jump.ratio is not None


def baseline_ready_on(analytics: ClimberAnalytics) -> date:
    """The day comparisons with the usual start: `BASELINE_DAYS` after the first log (from
    today when nothing is logged yet)."""
    ready = analytics.history.baseline_ready_on
    return ready if ready is not None else analytics.end + timedelta(days=BASELINE_DAYS)


def soreness_of(analytics: ClimberAnalytics, part: str) -> SorenessTrend | None:
    return next((t for t in analytics.body.soreness if t.part == part), None)


def number(value: float) -> str:
    """A 0–10 average as `/stats` shows it: one decimal, ".0" dropped."""
    return shown(value, 1).removesuffix(".0")


def capped(analytics: ClimberAnalytics) -> list[InjuryStatus]:
    """Open injuries that keep every session easy (early phases, or no grade to go by)."""
    return [s for s in analytics.body.open_injuries if s.phase in CAPPED or s.caps is None]


def injury_name(status: InjuryStatus) -> str:
    """ "left ring finger A2 pulley strain": the body part once, even when the type names it."""
    return injury_label(status).split(" (grade ")[0]


def injury_limit(status: InjuryStatus) -> str:
    """What an open injury allows today, with its dates, in plain words."""
    name = injury_label(status)
    caps = status.caps
    if caps is None or status.phase is None:
        return f"Your {name} has no grade logged, so keep every session easy and pain-free on it."
    if status.phase == "before_easy_climbing":
        return (
            f"Your {name} rules out climbing on it until {caps.easy_climbing_from}, then easy "
            "climbing only."
        )
    if status.phase == "easy_climbing":
        return (
            f"Your {name} allows easy climbing only until {caps.full_climbing_from}: open "
            "hand, no hard crimps, board or hangboard."
        )
    if status.phase == "building_to_full":
        return (
            f"Your {name} lets you build back toward full climbing by {caps.full_climbing_by}: "
            "add intensity a little at a time."
        )
    return f"Your {name} is past its return-to-climbing dates: ramp up gently."


def week_sessions(analytics: ClimberAnalytics) -> int:
    """Sessions of the last 7 days, today included."""
    return int(analytics.trends.sessions.this_week or 0)


def max_grade_text(analytics: ClimberAnalytics) -> str | None:
    """ "V6 (boulder indoor)": the hardest max of the period, boulder first."""
    tops = sorted(analytics.grades.max_grades, key=lambda m: (m.discipline != "boulder", -m.score))
    if not tops:
        return None
    best = tops[0]
    where = " ".join(filter(None, (best.discipline, best.setting)))
    grade = f"≈{best.grade}" if best.logged_as else best.grade
    return f"{grade} ({where})"


def active_goal_lines(analytics: ClimberAnalytics) -> list[str]:
    return [goal_line(g) for g in analytics.goals if g.status == "active"]
