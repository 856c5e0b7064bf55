"""Goals with progress toward their grade and their date.

A grade goal's best is the hardest send of its discipline (and setting, when the goal names
one: "outdoors", "on rock", "in the gym") among the period's sessions and sends and the
hardest benchmark sends of all time. The best is placed on the target's own grading system,
so "2 grades to go" is counted in the grades the climber chose; a best logged in another
system is approximate ("≈").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from coaching.analytics.common import Fact, Window, rounded
from coaching.analytics.ladder import rung_of
from coaching.analytics.where import SendSettings
from store.grades import Discipline, GradeError, GradeSystem, discipline_of, parse_grade
from store.records.athlete import Goal, GoalDiscipline, GoalStatus, GoalType
from store.records.common import Setting
from store.records.journal import JournalEntry
from store.records.sends import BenchmarkSend

_OUTDOOR = re.compile(r"\b(outdoors?|outside|on rock|at the crag|crag)\b", re.IGNORECASE)
_INDOOR = re.compile(r"\b(indoors?|in the gym|gym)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Best:
    """The hardest climb of a discipline × setting: its rung on the display ladder and how it
    was logged."""

    rung: int
    system: GradeSystem
    score: int
    text: str


Bests = dict[tuple[Discipline, Setting | None], Best]
"""By discipline and setting (None: sends logged without indoor/outdoor that no session places)."""


class GoalProgress(Fact):
    id: str
    type: GoalType
    description: str
    status: GoalStatus
    target_grade: str | None = None
    discipline: GoalDiscipline | None = None
    named_setting: Setting | None = None
    """Indoor or outdoor when the description names one (then only sends there count). Not
    `setting`: on the wire that is `type`, which here is the goal's."""
    best_grade: str | None = None
    """The best send so far on the target's system."""
    best_logged_as: str | None = None
    """The best as logged, when in another system (then `best_grade` is "≈")."""
    grades_to_go: int | None = None
    reached: bool | None = None
    tries_at_target: int = 0
    """Climbs sent or tried at the target grade or harder in the period."""
    target_date: date | None = None
    days_left: int | None = None
    days_since_set: int
    time_used_percent: float | None = None
    """Share of the time from setting the goal to its date already gone."""


def setting_named(description: str) -> Setting | None:
    """The setting a goal's words name ("outdoors", "in the gym"), None if neither or both."""
    outdoor, indoor = bool(_OUTDOOR.search(description)), bool(_INDOOR.search(description))
    if outdoor == indoor:
        return None
    return Setting.OUTDOOR if outdoor else Setting.INDOOR


def best_sends(
    entries: Sequence[JournalEntry],
    sends: Iterable[BenchmarkSend],
    systems: Mapping[Discipline, GradeSystem],
) -> Bests:
    """The hardest send per discipline × setting among `entries`' completed grades and `sends`."""
    bests: Bests = {}

    def offer(setting: Setting | None, system: GradeSystem, score: int, text: str) -> None:
        discipline = discipline_of(system)
        rung = rung_of(score, system, systems[discipline]).index
        key = (discipline, setting)
        if key not in bests or rung > bests[key].rung:
            bests[key] = Best(rung, system, score, text)

    for entry in entries:
        for ref in entry.grades_completed:
            offer(entry.setting, ref.system, ref.score, ref.grade)
    where = SendSettings(entries)
    for send in sends:
        offer(where.of(send), send.grade_system, send.numeric_grade, send.grade)
    return bests


def _discipline(goal: Goal) -> Discipline | None:
    if goal.discipline is not None:
        return Discipline.BOULDER if goal.discipline is GoalDiscipline.BOULDER else Discipline.ROUTE
    if goal.target_grade is None:
        return None
    try:
        return parse_grade(goal.target_grade).discipline
    except GradeError:
        return None


def goal_progress(
    goal: Goal,
    bests: Bests,
    entries: Sequence[JournalEntry],
    window: Window,
) -> GoalProgress:
    today = window.today
    setting = setting_named(goal.description)
    progress = GoalProgress(
        id=goal.id,
        type=goal.type,
        description=goal.description,
        status=goal.status,
        target_grade=goal.target_grade,
        discipline=goal.discipline,
        named_setting=setting,
        target_date=goal.target_date,
        days_left=None if goal.target_date is None else (goal.target_date - today).days,
        days_since_set=(today - window.day_of(goal.created_at)).days,
    )
    if goal.target_date is not None:
        span = (goal.target_date - window.day_of(goal.created_at)).days
        used = (today - window.day_of(goal.created_at)).days
        progress.time_used_percent = rounded(min(used / span, 1) * 100, 1) if span > 0 else 100.0
    discipline = _discipline(goal)
    if goal.target_grade is None or discipline is None:
        return progress
    target = parse_grade(goal.target_grade, discipline=discipline)
    target_rung = rung_of(target.score, target.system, target.system).index
    candidates = [
        best
        for (kind, where), best in bests.items()
        if kind is discipline and (setting is None or where is setting)
    ]
    if candidates:
        on_target = [rung_of(b.score, b.system, target.system) for b in candidates]
        rung, best = max(zip(on_target, candidates, strict=True), key=lambda pair: pair[0].index)
        progress.best_grade = rung.text
        progress.best_logged_as = None if best.system is target.system else best.text
        progress.grades_to_go = max(target_rung - rung.index, 0)
        progress.reached = rung.index >= target_rung
    progress.tries_at_target = sum(
        ref.count
        for entry in entries
        if window.contains(entry.date) and (setting is None or entry.setting is setting)
        for ref in (*entry.grades_completed, *entry.grades_attempted)
        if discipline_of(ref.system) is discipline
        and rung_of(ref.score, ref.system, target.system).index >= target_rung
    )
    return progress


def goal_facts(
    goals: Iterable[Goal], bests: Bests, entries: Sequence[JournalEntry], window: Window
) -> list[GoalProgress]:
    """Active goals (soonest target date first, undated last), then those achieved in the
    period."""
    chosen = [
        goal
        for goal in goals
        if goal.status is GoalStatus.ACTIVE
        or (
            goal.status is GoalStatus.ACHIEVED
            and goal.achieved_at is not None
            and window.contains(window.day_of(goal.achieved_at))
        )
    ]
    chosen.sort(
        key=lambda g: (
            g.status is not GoalStatus.ACTIVE,
            g.target_date or date.max,
            g.created_at,
        )
    )
    return [goal_progress(goal, bests, entries, window) for goal in chosen]
