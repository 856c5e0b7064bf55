"""Max grade, grade pyramid and max grade by week per discipline × setting; sends by significance.

A climb sent in a session (`gradesCompleted`) is often also logged as a benchmark send. To
count neither twice nor never, each day × discipline × setting × rung counts the larger of the
two tallies: 5 × V4 in the session and 3 × V4 as sends that day are 5 climbs at V4; sends
logged without a session still count. A send logged without indoor/outdoor is placed by
`coaching.analytics.where`; one it cannot place forms a group of its own, setting None.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from pydantic import Field

from coaching.analytics.common import Fact, Window, monday
from coaching.analytics.ladder import Rung, display_systems, rung_at, rung_of
from coaching.analytics.where import SendSettings
from store.grades import Discipline, GradeSystem, discipline_of
from store.records.common import Setting
from store.records.journal import JournalEntry
from store.records.sends import BenchmarkSend, Significance

HORST_TARGETS = (2, 4, 8)
"""Climbs at max, max−1 and max−2 before a new max (Horst); each tier twice the one above."""
PYRAMID_ROWS = 6
NOTABLE_LIMIT = 10

Cell = tuple[date, Discipline, Setting | None, int]
"""Day, discipline, setting (None: not given) and rung of the climbs counted together."""


class GradeCount(Fact):
    grade: str
    score: int
    count: int
    target: int | None = None
    """Horst's count for this tier before a new max (max: 2, max−1: 4, max−2: 8)."""


class Pyramid(Fact):
    discipline: Discipline
    setting: Setting | None
    """None: sends logged without indoor/outdoor that no session of their day places."""
    system: GradeSystem
    max_grade: str
    rows: list[GradeCount]
    """The hardest rungs from the max down, one row per grade (zero counts included)."""
    below: int
    """Climbs easier than the last row."""
    total: int
    next_max_ready: bool
    """Whether every Horst tier is filled: 2 at max, 4 at max−1, 8 at max−2."""
    missing: list[str]
    """What the tiers still lack, e.g. "3 more at V5"."""


class MaxGrade(Fact):
    discipline: Discipline
    setting: Setting | None
    """None: sends logged without indoor/outdoor that no session of their day places."""
    grade: str
    system: GradeSystem
    score: int
    first_sent: date
    times: int
    logged_as: str | None = None
    """The grade as logged when it was in another system (the max is then "≈")."""


class WeekGrade(Fact):
    week_start: date
    grade: str
    score: int


class MaxGradeSeries(Fact):
    discipline: Discipline
    setting: Setting | None
    """None: sends logged without indoor/outdoor that no session of their day places."""
    system: GradeSystem
    points: list[WeekGrade]
    """Weeks with at least one send, oldest first: the hardest grade sent that week."""


class NotableSend(Fact):
    date: date
    grade: str
    discipline: Discipline
    setting: Setting | None
    """As the climber logged it: None when they did not say indoor or outdoor."""
    significance: Significance
    name: str | None = None


class SendCounts(Fact):
    """Sends of the window per significance (`store.records.sends.Significance`)."""

    routine: int = 0
    milestone: int = 0
    breakthrough: int = 0
    personal_best: int = 0
    project_send: int = 0
    notable: list[NotableSend] = Field(default_factory=list)
    """Every send but the routine ones, newest first (at most 10)."""


class GradeFacts(Fact):
    systems: dict[Discipline, GradeSystem]
    max_grades: list[MaxGrade]
    pyramids: list[Pyramid]
    max_by_week: list[MaxGradeSeries]
    sends: SendCounts


@dataclass
class _Tally:
    journal: dict[Cell, int] = field(default_factory=lambda: defaultdict(int))
    sends: dict[Cell, int] = field(default_factory=lambda: defaultdict(int))
    logged_as: dict[Cell, str] = field(default_factory=dict)

    def merged(self) -> dict[Cell, int]:
        cells = dict(self.journal)
        for cell, count in self.sends.items():
            cells[cell] = max(cells.get(cell, 0), count)
        return cells


def systems_for(
    entries: Iterable[JournalEntry], sends: Iterable[BenchmarkSend]
) -> dict[Discipline, GradeSystem]:
    """The display system of each discipline over these climbs (see `coaching.analytics.ladder`)."""
    pairs: list[tuple[GradeSystem, int]] = []
    for entry in entries:
        pairs.extend((ref.system, ref.count) for ref in entry.grades_completed)
        pairs.extend((ref.system, ref.count) for ref in entry.grades_attempted)
    pairs.extend((send.grade_system, 1) for send in sends)
    return display_systems(pairs)


def _tally(
    entries: Sequence[JournalEntry],
    sends: Iterable[BenchmarkSend],
    window: Window,
    systems: Mapping[Discipline, GradeSystem],
) -> _Tally:
    tally = _Tally()

    def add(
        into: dict[Cell, int],
        day: date,
        setting: Setting | None,
        system: GradeSystem,
        score: int,
        text: str,
        count: int,
    ) -> None:
        discipline = discipline_of(system)
        display = systems[discipline]
        rung = rung_of(score, system, display)
        cell = (day, discipline, setting, rung.index)
        into[cell] += count
        if system is not display:
            tally.logged_as.setdefault(cell, text)

    # From the first whole week on: the weekly series covers whole weeks; the max and the
    # pyramid keep to the period itself.
    def wanted(day: date) -> bool:
        return window.first_week <= day <= window.today

    for entry in entries:
        if wanted(entry.date):
            for ref in entry.grades_completed:
                add(
                    tally.journal,
                    entry.date,
                    entry.setting,
                    ref.system,
                    ref.score,
                    ref.grade,
                    ref.count,
                )
    where = SendSettings(entries)
    for send in sends:
        if wanted(send.date):
            add(
                tally.sends,
                send.date,
                where.of(send),
                send.grade_system,
                send.numeric_grade,
                send.grade,
                1,
            )
    return tally


def grade_facts(
    entries: Sequence[JournalEntry],
    sends: Sequence[BenchmarkSend],
    window: Window,
    systems: Mapping[Discipline, GradeSystem],
) -> GradeFacts:
    """Every grade figure of the window; entries and sends outside it are ignored. O(n)."""
    tally = _tally(entries, sends, window, systems)
    cells = tally.merged()
    groups: dict[tuple[Discipline, Setting | None], dict[Cell, int]] = defaultdict(dict)
    for cell, count in cells.items():
        groups[(cell[1], cell[2])][cell] = count
    max_grades, pyramids, series = [], [], []
    # Indoor, then outdoor, then the sends whose setting is unknown, per discipline.
    for (discipline, setting), weekly in sorted(
        groups.items(), key=lambda group: (group[0][0], group[0][1] or "~")
    ):
        display = systems[discipline]
        series.append(_by_week(discipline, setting, display, weekly))
        group = {cell: count for cell, count in weekly.items() if window.contains(cell[0])}
        if group:
            max_grades.append(_max_grade(discipline, setting, display, group, tally.logged_as))
            pyramids.append(_pyramid(discipline, setting, display, group))
    return GradeFacts(
        systems=dict(systems),
        max_grades=max_grades,
        pyramids=pyramids,
        max_by_week=series,
        sends=send_counts(sends, window),
    )


def _max_grade(
    discipline: Discipline,
    setting: Setting | None,
    display: GradeSystem,
    group: Mapping[Cell, int],
    logged_as: Mapping[Cell, str],
) -> MaxGrade:
    top = max(cell[3] for cell in group)
    at_top = sorted(cell for cell in group if cell[3] == top)
    rung = rung_at(top, display)
    return MaxGrade(
        discipline=discipline,
        setting=setting,
        grade=rung.text,
        system=display,
        score=rung.score,
        first_sent=at_top[0][0],
        times=sum(group[cell] for cell in at_top),
        logged_as=next((logged_as[c] for c in at_top if c in logged_as), None),
    )


def _pyramid(
    discipline: Discipline, setting: Setting | None, display: GradeSystem, group: Mapping[Cell, int]
) -> Pyramid:
    by_rung: dict[int, int] = defaultdict(int)
    for cell, count in group.items():
        by_rung[cell[3]] += count
    top = max(by_rung)
    lowest = max(top - PYRAMID_ROWS + 1, 0)
    rows: list[GradeCount] = []
    missing: list[str] = []
    for index in range(top, lowest - 1, -1):
        rung = rung_at(index, display)
        tier = top - index
        target = HORST_TARGETS[tier] if tier < len(HORST_TARGETS) else None
        count = by_rung.get(index, 0)
        rows.append(GradeCount(grade=rung.text, score=rung.score, count=count, target=target))
        if target is not None and count < target:
            missing.append(f"{target - count} more at {rung.text}")
    # A ladder shorter than the Horst tiers (a max at the easiest grades) cannot fill them.
    unfillable = top < len(HORST_TARGETS) - 1
    return Pyramid(
        discipline=discipline,
        setting=setting,
        system=display,
        max_grade=rung_at(top, display).text,
        rows=rows,
        below=sum(count for index, count in by_rung.items() if index < lowest),
        total=sum(by_rung.values()),
        next_max_ready=not missing and not unfillable,
        missing=missing,
    )


def _by_week(
    discipline: Discipline, setting: Setting | None, display: GradeSystem, group: Mapping[Cell, int]
) -> MaxGradeSeries:
    best: dict[date, int] = {}
    for cell in group:
        week = monday(cell[0])
        best[week] = max(best.get(week, -1), cell[3])
    points = []
    for week in sorted(best):
        rung: Rung = rung_at(best[week], display)
        points.append(WeekGrade(week_start=week, grade=rung.text, score=rung.score))
    return MaxGradeSeries(discipline=discipline, setting=setting, system=display, points=points)


def send_counts(sends: Iterable[BenchmarkSend], window: Window) -> SendCounts:
    """Benchmark sends of the window by significance, and the notable ones, newest first."""
    counts = dict.fromkeys(Significance, 0)
    notable: list[BenchmarkSend] = []
    for send in sends:
        if not window.contains(send.date):
            continue
        counts[send.significance] += 1
        if send.significance is not Significance.ROUTINE:
            notable.append(send)
    notable.sort(key=lambda send: (send.date, send.created_at), reverse=True)
    return SendCounts(
        routine=counts[Significance.ROUTINE],
        milestone=counts[Significance.MILESTONE],
        breakthrough=counts[Significance.BREAKTHROUGH],
        personal_best=counts[Significance.PERSONAL_BEST],
        project_send=counts[Significance.PROJECT_SEND],
        notable=[
            NotableSend(
                date=send.date,
                grade=send.grade,
                discipline=send.discipline,
                setting=send.setting,
                significance=send.significance,
                name=send.name,
            )
            for send in notable[:NOTABLE_LIMIT]
        ],
    )


def near_max_rungs(facts: GradeFacts) -> dict[Discipline, int]:
    """The lowest rung within one grade of each discipline's max (any setting), for the
    finger-load count."""
    tops: dict[Discipline, int] = {}
    for pyramid in facts.pyramids:
        index = rung_of(pyramid.rows[0].score, pyramid.system, pyramid.system).index
        tops[pyramid.discipline] = max(tops.get(pyramid.discipline, 0), index)
    return {discipline: max(top - 1, 0) for discipline, top in tops.items()}
