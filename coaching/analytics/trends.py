"""Week-over-week changes: the last 7 days (ending today) against the 7 days before them.

Load, sessions, minutes and climbs are sums over days, so a week before the climber's first log
would read as zero and every new climber's second week as a rise: those comparisons wait for
`history.BASELINE_DAYS` of logs (before then `last_week` and the changes are None and `note`
says when they start). Soreness and hardest grades compare what was logged in each week (a week
without sessions is None, never 0), so they need sessions in both weeks, not a long history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from coaching.analytics.body import soreness_trends
from coaching.analytics.common import Fact, Period, Window, percent_change, rounded
from coaching.analytics.history import HistoryDepth
from coaching.analytics.ladder import rung_at, rung_of
from store.grades import Discipline, GradeSystem, discipline_of
from store.records.journal import JournalEntry, SessionType
from store.records.sends import BenchmarkSend


class Change(Fact):
    metric: str
    this_week: float | None
    last_week: float | None
    change: float | None
    change_percent: float | None = None


class GradeChange(Fact):
    discipline: Discipline
    system: GradeSystem
    this_week: str | None
    last_week: str | None
    steps: int | None
    """Grades up (positive) or down between the two weeks' hardest sends."""


class Trends(Fact):
    this_week_start: date
    last_week_start: date
    end: date
    load: Change
    sessions: Change
    minutes: Change
    climbs: Change
    soreness: list[Change]
    """Average soreness (0–10) per body part over the sessions of each week."""
    max_grade: list[GradeChange]
    comparable: bool = True
    """Enough history for the load, sessions, minutes and climbs to be compared."""
    note: str | None = None
    """When those comparisons start, while they cannot be made."""


def _change(metric: str, now: float | None, before: float | None) -> Change:
    if now is None or before is None:
        return Change(metric=metric, this_week=now, last_week=before, change=None)
    return Change(
        metric=metric,
        this_week=now,
        last_week=before,
        change=rounded(now - before, 1),
        change_percent=percent_change(now, before),
    )


def trends(
    entries: Sequence[JournalEntry],
    sends: Sequence[BenchmarkSend],
    today: date,
    systems: Mapping[Discipline, GradeSystem],
    history: HistoryDepth,
) -> Trends:
    """The last 7 days against the 7 before; `history` as of `today`."""
    this_start = today - timedelta(days=6)
    last_start = this_start - timedelta(days=7)
    totals = [[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]  # load, sessions, minutes, climbs
    best: list[dict[Discipline, int]] = [{}, {}]

    def week_of(day: date) -> int | None:
        if this_start <= day <= today:
            return 0
        return 1 if last_start <= day < this_start else None

    def offer(week: int, system: GradeSystem, score: int) -> None:
        discipline = discipline_of(system)
        rung = rung_of(score, system, systems[discipline]).index
        best[week][discipline] = max(best[week].get(discipline, -1), rung)

    for entry in entries:
        week = week_of(entry.date)
        if week is None:
            continue
        row = totals[week]
        row[0] += (entry.rpe or 0) * entry.duration_minutes
        if entry.session_type is not SessionType.REST:
            row[1] += 1
            row[2] += entry.duration_minutes
        for ref in entry.grades_completed:
            row[3] += ref.count
            offer(week, ref.system, ref.score)
    for send in sends:
        week = week_of(send.date)
        if week is not None:
            offer(week, send.grade_system, send.numeric_grade)
    grades = []
    for discipline in sorted(set(best[0]) | set(best[1])):
        display = systems[discipline]
        now, before = best[0].get(discipline), best[1].get(discipline)
        grades.append(
            GradeChange(
                discipline=discipline,
                system=display,
                this_week=None if now is None else rung_at(now, display).text,
                last_week=None if before is None else rung_at(before, display).text,
                steps=None if now is None or before is None else now - before,
            )
        )
    names = ("load", "sessions", "minutes", "climbs")
    comparable = history.enough_for_baseline
    changes = [
        _change(name, rounded(totals[0][i]), rounded(totals[1][i]) if comparable else None)
        for i, name in enumerate(names)
    ]
    return Trends(
        this_week_start=this_start,
        last_week_start=last_start,
        end=today,
        load=changes[0],
        sessions=changes[1],
        minutes=changes[2],
        climbs=changes[3],
        soreness=[
            _change(trend.part, trend.last_7_days, trend.previous_7_days)
            for trend in soreness_trends(entries, Window(Period.DAYS_30, today))
        ],
        max_grade=grades,
        comparable=comparable,
        note=history.note,
    )
