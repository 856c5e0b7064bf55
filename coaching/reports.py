"""The weekly report's figures: one ISO week (Monday to Sunday in the climber's time zone),
computed from the records, pure.

Nothing is counted twice or anew here: the figures are those of the analytics computed for a
window that ends on the week's Sunday (`report_window`), so the last 7 days of that window are
exactly the week and "the week before" is the ISO week before it:

* sessions: the week's sessions (rest days are not sessions), by type, and their minutes;
* load: `coaching.analytics.trends` (RPE × minutes, the week against the one before, compared
  only once `coaching.analytics.history` says there is enough history; before then the change is
  None and `load_note` says when comparisons start);
* sends: the benchmark sends logged in the week per discipline, and the week's hardest grade
  per discipline (journal climbs included, from the trends); new maxes are
  `coaching.insights.new_top_grades` (a grade first sent this week that is the hardest in 90
  days, with easier ones in the weeks before);
* plan adherence: the active plan's row for the week (`coaching.analytics.adherence`), None
  without a plan or without planned days that week;
* nutrition: the week's intake against the daily targets (`coaching.nutrition.insights`), None
  when nothing was logged;
* what to watch, and the ONE suggestion: `coaching.insights.insights_for`'s (load rising over
  the climber's baseline, open injuries, under-fuelling; the plan's next session or one library
  exercise), so the rules live in one place and the report says what `/insights` would have
  said on that Sunday.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta

from coaching.analytics.adherence import adherence_facts
from coaching.analytics.common import Fact, Window, rounded
from coaching.analytics.summary import Inputs, compute
from coaching.insights import PERIOD, Insight, insights_for, new_top_grades
from coaching.nutrition.insights import NutritionInsights
from coaching.nutrition.targets import Nutrient
from coaching.plans.view import current_plan
from store.grades import Discipline
from store.records.journal import SessionType
from store.records.reference import Exercise


class SessionCount(Fact):
    type: SessionType
    count: int


class DisciplineSends(Fact):
    discipline: Discipline
    sends: int
    """Benchmark sends logged in the week."""
    hardest: str | None
    """The week's hardest grade sent (benchmark sends and journal climbs), in the climber's
    grade system; None when nothing was sent in this discipline."""


class NamedSend(Fact):
    """A benchmark send of the week that the climber named (the name is theirs: data)."""

    date: date
    grade: str
    name: str


class WeekAdherence(Fact):
    plan_name: str
    planned_days: int
    done_days: int
    percent: float


class NutrientWeek(Fact):
    average: float | None
    """Per logged day; None when never logged."""
    target: float | None
    percent: float | None
    """Of the target, on the days logged."""


class WeekNutrition(Fact):
    days_logged: int
    calories: NutrientWeek
    protein_g: NutrientWeek


class WeekReport(Fact):
    week: str
    """The ISO week, "2026-W49"."""
    start: date
    end: date
    zone: str | None
    sessions: int
    minutes: int
    by_type: list[SessionCount]
    """Most sessions first (then by type), only the types done."""
    load: float
    """Training load of the week (AU)."""
    load_last_week: float | None
    load_change_percent: float | None
    """None before enough history, or when the week before had no load."""
    load_note: str | None
    """Why there is no comparison yet, and from when there will be."""
    unrated_sessions: int
    """Sessions without an RPE: they carry no load, so a low load is never silently low."""
    climbs: int
    """Climbs sent as the journal's sessions recorded them."""
    sends: list[DisciplineSends]
    named_sends: list[NamedSend]
    new_maxes: list[Insight]
    adherence: WeekAdherence | None
    nutrition: WeekNutrition | None
    watch: list[Insight]
    suggestion: Insight

    @property
    def empty(self) -> bool:
        """Nothing logged this week: no session, no send, no food."""
        return (
            self.sessions == 0
            and self.climbs == 0
            and not any(row.sends for row in self.sends)
            and self.nutrition is None
        )


def week_of(week: str) -> date:
    """The Monday of ISO week `week` ("2026-W49"); raises `ValueError` for anything else."""
    year, _, number = week.partition("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def iso_week(day: date) -> str:
    """The ISO week `day` falls in, as "2026-W49"."""
    year, number, _ = day.isocalendar()
    return f"{year}-W{number:02d}"


def report_window(monday: date, zone: str | None) -> Window:
    """The analytics window whose last 7 days are the week starting `monday`: what is read
    (`context.reads.read_inputs`) and computed for its report."""
    return Window(PERIOD, monday + timedelta(days=6), zone)


def week_report(
    inputs: Inputs, monday: date, zone: str | None, library: Sequence[Exercise]
) -> WeekReport:
    """The report of the ISO week starting `monday`, from `inputs` read for
    `report_window(monday, zone)` and the exercise `library`. Pure; O(n) over the inputs."""
    window = report_window(monday, zone)
    sunday = window.today
    analytics = compute(inputs, window)
    week = [e for e in inputs.entries if monday <= e.date <= sunday]
    active = [e for e in week if e.session_type is not SessionType.REST]
    types = Counter(e.session_type for e in active)
    trends = analytics.trends
    week_sends = sorted(
        (s for s in inputs.sends if monday <= s.date <= sunday), key=lambda s: (s.date, s.grade)
    )
    sent = Counter(s.discipline for s in week_sends)
    hardest = {row.discipline: row.this_week for row in trends.max_grade}
    found = insights_for(
        analytics,
        plan=current_plan(inputs.plans),
        library=library,
        athlete=inputs.athlete,
        goals=inputs.goals,
    )
    return WeekReport(
        week=iso_week(monday),
        start=monday,
        end=sunday,
        zone=zone,
        sessions=len(active),
        minutes=sum(e.duration_minutes for e in active),
        by_type=[
            SessionCount(type=kind, count=count)
            for kind, count in sorted(types.items(), key=lambda item: (-item[1], item[0].value))
        ],
        load=trends.load.this_week or 0.0,
        load_last_week=trends.load.last_week,
        load_change_percent=trends.load.change_percent,
        load_note=None if trends.comparable else trends.note,
        unrated_sessions=sum(1 for e in active if e.rpe is None),
        climbs=int(trends.climbs.this_week or 0),
        sends=[
            DisciplineSends(
                discipline=discipline, sends=sent[discipline], hardest=hardest.get(discipline)
            )
            for discipline in Discipline
            if sent[discipline] or hardest.get(discipline) is not None
        ],
        named_sends=[
            NamedSend(date=s.date, grade=s.grade, name=s.name) for s in week_sends if s.name
        ],
        new_maxes=new_top_grades(analytics),
        adherence=_adherence(inputs, monday, zone),
        nutrition=_nutrition(analytics.nutrition),
        watch=[insight for insight in found if insight.kind == "watch"],
        suggestion=next(insight for insight in found if insight.kind == "suggestion"),
    )


def _adherence(inputs: Inputs, monday: date, zone: str | None) -> WeekAdherence | None:
    """The week's row of plan adherence. Computed as of the Monday after, so that the Sunday
    counts even when nothing was logged on it (adherence leaves an unlogged today out)."""
    facts = adherence_facts(
        inputs.plans, inputs.entries, Window(PERIOD, monday + timedelta(days=7), zone)
    )
    if facts is None:
        return None
    row = next((row for row in facts.by_week if row.week_start == monday), None)
    if row is None or row.planned == 0:
        return None
    return WeekAdherence(
        plan_name=facts.plan_name,
        planned_days=row.planned,
        done_days=row.done,
        percent=rounded(row.done / row.planned * 100),
    )


def _nutrition(food: NutritionInsights) -> WeekNutrition | None:
    """The week's energy and protein against their targets; None with no food logged."""
    if food.days_logged == 0:
        return None
    rows = {row.nutrient: row for row in food.rows}

    def of(name: Nutrient) -> NutrientWeek:
        row = rows[name]
        return NutrientWeek(average=row.average, target=row.target, percent=row.percent)

    return WeekNutrition(
        days_logged=food.days_logged, calories=of("calories"), protein_g=of("protein_g")
    )
