"""A few computed insights for the climber: what changed, what to watch, and one thing to try.

`insights_for(analytics, plan=…, library=…)` reads the computed analytics (`ClimberAnalytics`),
the active training plan and the exercise library and answers 2–4 `Insight`s, in this order:
what changed (a new top grade, sessions and load against the week before, soreness going up),
what to watch (an open injury's return dates, load rising fast over the climber's own baseline,
under-fuelled training days or a harder week eaten on less food), and exactly one suggestion
(the plan's next session, or one exercise from the library that suits the climber's level and
open injuries).

Pure and deterministic. Every figure in a title or text is one of the insight's `facts`, shown
with `coaching.analytics.common.shown` (so it reads as it does everywhere else); nothing is
estimated here. Comparisons with the climber's own baseline wait for enough logged history
(`coaching.analytics.history`); before that the climber is told from when they can be made.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from coaching.analytics.body import InjuryStatus, SorenessTrend
from coaching.analytics.common import Fact, Period, monday, shown
from coaching.analytics.grades import MaxGrade
from coaching.analytics.history import BASELINE_DAYS
from coaching.analytics.summary import ClimberAnalytics
from coaching.nutrition.insights import UNDER_FUELLED, hard_week
from coaching.plans.exercises import Climber, choose, dose, grade_band, worked_weaknesses
from coaching.plans.inputs import injury_label, inputs_from
from coaching.plans.rules import MAX_WEEKLY_RISE, NOVICE_YEARS
from coaching.plans.view import WEEKDAY_SHORT, PlannedDay, exercise_text, planned_day
from core.text import plural, sentence
from store.records.athlete import AthleteProfile, Goal
from store.records.reference import Exercise
from store.records.training import DayType, Intensity, PlannedExercise, TrainingPlan

InsightKind = Literal["changed", "watch", "suggestion"]
FactValue = int | float | str

PERIOD = Period.DAYS_90
"""The analytics insights read: a new top grade is the hardest in this many days."""
MOST = 4
"""Insights at most: what changed and what to watch share what the suggestion leaves."""
LOOK_AHEAD_DAYS = 7
"""How far ahead the plan's next session is looked for."""


class Insight(Fact):
    """One computed observation. `facts` holds every figure the title and text use, keyed by
    where it came from: a dotted path into the analytics' wire form (`trends.sessions.thisWeek`,
    `body.openInjuries.0.caps.easyClimbingFrom`), `plan.…` (the planned day), `exercise.…` (the
    dosed exercise from the library) or `rule.…` (a threshold of the coaching rules)."""

    kind: InsightKind
    title: str
    text: str
    facts: dict[str, FactValue]


@dataclass(frozen=True)
class _Found:
    """Insights of each kind, most important first, before the cap is applied."""

    changed: list[Insight]
    watch: list[Insight]
    suggestion: Insight


def insights_for(
    analytics: ClimberAnalytics,
    *,
    plan: TrainingPlan | None,
    library: Sequence[Exercise],
    athlete: AthleteProfile | None = None,
    goals: Sequence[Goal] = (),
) -> list[Insight]:
    """2–4 insights from `analytics` (computed for the climber's today), their active `plan`
    (None without one) and the exercise `library` (which the suggestion picks from when there
    is no plan session to suggest); `athlete` and `goals` say the climber's level, years and
    weaknesses for that pick. Never raises for missing data: a climber with nothing logged gets
    what the coach will be able to tell, and something to try."""
    found = _Found(
        changed=_changed(analytics),
        watch=_watch(analytics),
        suggestion=_suggestion(analytics, plan, library, athlete, goals),
    )
    return _capped(found)


def _capped(found: _Found) -> list[Insight]:
    """The first of what changed and of what to watch, then the others, alternating (what to
    watch first), up to `MOST` with the suggestion; in the order changed, watch, suggestion."""
    changed, watch = found.changed[:1], found.watch[:1]
    rest = [*_alternate(found.watch[1:], found.changed[1:])]
    room = MOST - 1 - len(changed) - len(watch)
    for extra in rest[: max(room, 0)]:
        (watch if extra.kind == "watch" else changed).append(extra)
    return [*changed, *watch, found.suggestion]


def _alternate(first: list[Insight], second: list[Insight]) -> Iterable[Insight]:
    for index in range(max(len(first), len(second))):
        yield from first[index : index + 1]
        yield from second[index : index + 1]


# -- what changed -------------------------------------------------------------------------------


def _changed(analytics: ClimberAnalytics) -> list[Insight]:
    found = [*_new_top_grades(analytics)]
    week = _week_over_week(analytics)
    if week is not None:
        found.append(week)
    found.extend(_soreness_rising(analytics))
    return found


def new_top_grades(analytics: ClimberAnalytics) -> list[Insight]:
    """The "new top grade" insights of the last 7 days (the rule below), for the weekly
    report, which lists every one of them rather than the first."""
    return list(_new_top_grades(analytics))


def _new_top_grades(analytics: ClimberAnalytics) -> Iterable[Insight]:
    """A grade first sent in the last 7 days that is the hardest of the period, when the
    climber sent easier ones in earlier weeks (a first week's sends are not a new max)."""
    recent = analytics.end - timedelta(days=6)
    for index, top in enumerate(analytics.grades.max_grades):
        if top.first_sent < recent:
            continue
        before = _best_before(analytics, top)
        if before is None:
            continue
        series, point, grade = before
        setting = f", {top.setting}" if top.setting else ""
        facts: dict[str, FactValue] = {
            f"grades.maxGrades.{index}.grade": top.grade,
            f"grades.maxGrades.{index}.firstSent": top.first_sent.isoformat(),
            "period": analytics.period.value,
            f"grades.maxByWeek.{series}.points.{point}.grade": grade,
        }
        yield Insight(
            kind="changed",
            title=f"{top.grade}, a new top grade",
            text=(
                f"You sent {top.grade} ({top.discipline.value}{setting}) on "
                f"{_day(top.first_sent)}: your hardest in {analytics.period.days} days, up from "
                f"{grade} in the weeks before."
            ),
            facts=facts,
        )


def _best_before(analytics: ClimberAnalytics, top: MaxGrade) -> tuple[int, int, str] | None:
    """The hardest grade of the same discipline and setting sent in a week before the one
    `top` was first sent in: (series index, point index, grade), or None."""
    first_week = monday(top.first_sent)
    for series_index, series in enumerate(analytics.grades.max_by_week):
        if (series.discipline, series.setting) != (top.discipline, top.setting):
            continue
        earlier = [
            (point.score, point_index, point.grade)
            for point_index, point in enumerate(series.points)
            if point.week_start < first_week
        ]
        if earlier:
            _, point_index, grade = max(earlier)
            return series_index, point_index, grade
    return None


def _week_over_week(analytics: ClimberAnalytics) -> Insight | None:
    """Sessions and load of the last 7 days against the 7 before; for a climber with too little
    history (`coaching.analytics.history`), what they logged so far (None with nothing)."""
    trends = analytics.trends
    now, before = trends.sessions.this_week or 0, trends.sessions.last_week or 0
    load_now, load_before = trends.load.this_week or 0, trends.load.last_week or 0
    if not _comparable(analytics):
        return _first_sessions(analytics, load_now)
    facts: dict[str, FactValue] = {
        "trends.sessions.thisWeek": now,
        "trends.sessions.lastWeek": before,
        "trends.load.thisWeek": load_now,
        "trends.load.lastWeek": load_before,
    }
    if now == before == 0:
        return Insight(
            kind="changed",
            title="A quiet fortnight",
            text="No sessions logged in the last 7 days or the 7 before.",
            facts=facts,
        )
    if now > before:
        title = "More sessions this week"
    elif now < before:
        title = "Fewer sessions this week"
    elif load_now != load_before:
        title = "More load this week" if load_now > load_before else "Less load this week"
    else:
        title = "The same as the week before"
    sessions = f"{plural(int(now), 'session')} in the last 7 days, {_count(before)} the 7 before"
    return Insight(
        kind="changed",
        title=title,
        text=f"{sentence(sessions)}; load {shown(load_now)} AU, against {shown(load_before)} AU.",
        facts=facts,
    )


def _first_sessions(analytics: ClimberAnalytics, load_now: float) -> Insight | None:
    """What a climber without enough history to compare weeks logged so far."""
    sessions = analytics.totals.sessions
    history = analytics.history
    if sessions == 0 or history.first_log is None or history.baseline_ready_on is None:
        return None
    first, compare_from = history.first_log, history.baseline_ready_on
    facts: dict[str, FactValue] = {
        "totals.sessions": sessions,
        "rule.firstLog": first.isoformat(),
        "rule.compareFrom": compare_from.isoformat(),
    }
    load = ""
    if load_now:
        facts["trends.load.thisWeek"] = load_now
        load = f", {shown(load_now)} AU of load in the last 7 days"
    return Insight(
        kind="changed",
        title="Your first sessions",
        text=(
            f"{sentence(plural(sessions, 'session'))} logged since {_day(first)}{load}. From "
            f"{_day(compare_from)} I can compare each week with the one before."
        ),
        facts=facts,
    )


def _count(sessions: float) -> str:
    return "none" if sessions == 0 else str(int(sessions))


def _soreness_rising(analytics: ClimberAnalytics) -> Iterable[Insight]:
    """Body parts whose average soreness rose by a trend step or more, the biggest rise first."""
    rising = [
        (index, trend)
        for index, trend in enumerate(analytics.body.soreness)
        if trend.direction == "rising"
    ]
    rising.sort(key=lambda pair: -(pair[1].change or 0))
    for index, trend in rising:
        yield _soreness_insight(index, trend)


def _soreness_insight(index: int, trend: SorenessTrend) -> Insight:
    now, before = trend.last_7_days or 0, trend.previous_7_days or 0
    part = {"fingers": "finger", "forearms": "forearm", "shoulders": "shoulder"}.get(
        trend.part, trend.part
    )
    return Insight(
        kind="changed",
        title=f"{sentence(part)} soreness going up",
        text=(
            f"{_figure(now)}/10 on average in the last 7 days, {_figure(before)}/10 the 7 "
            "before. Ease off what makes it worse."
        ),
        facts={
            f"body.soreness.{index}.last7Days": now,
            f"body.soreness.{index}.previous7Days": before,
        },
    )


# -- what to watch ------------------------------------------------------------------------------


def _watch(analytics: ClimberAnalytics) -> list[Insight]:
    found = [
        _injury_insight(index, status) for index, status in enumerate(analytics.body.open_injuries)
    ]
    load = _load_watch(analytics)
    if load is not None:
        found.append(load)
    fuel = _under_fuelled(analytics)
    if fuel is not None:
        found.append(fuel)
    return found


def _injury_insight(index: int, status: InjuryStatus) -> Insight:
    """Where today falls in the injury's return to climbing: the Schöffl dates of its grade,
    or the return date the climber expected."""
    label = injury_label(status)
    path = f"body.openInjuries.{index}"
    facts: dict[str, FactValue] = {f"{path}.onset": status.onset.isoformat()}
    caps = status.caps
    if caps is not None:
        facts |= {
            f"{path}.caps.grade": caps.grade,
            f"{path}.caps.easyClimbingFrom": caps.easy_climbing_from.isoformat(),
            f"{path}.caps.fullClimbingFrom": caps.full_climbing_from.isoformat(),
        }
        easy, full = _day(caps.easy_climbing_from), _day(caps.full_climbing_from)
        if status.phase == "before_easy_climbing":
            text = f"No climbing on it yet: easy climbing from {easy}, full climbing from {full}."
        elif status.phase == "easy_climbing":
            text = f"Easy climbing only until {full}, when full climbing may start."
        else:
            text = (
                f"Past its return dates (full climbing from {full}): build back gradually, "
                "and mark it recovered with /injury recovered N (from /injury list) when it "
                "no longer hurts."
            )
        text += " Stop whatever hurts."
    elif status.expected_back is not None:
        facts[f"{path}.expectedBack"] = status.expected_back.isoformat()
        back = _day(status.expected_back)
        if status.overdue:
            text = (
                f"You expected to be back by {back} and it is still open: if it still hurts, "
                "see a doctor or physiotherapist; if not, /injury recovered N (from /injury "
                "list) closes it."
            )
        else:
            text = f"You expected to be back by {back}: keep it easy until then."
    else:
        text = (
            f"Open since {_day(status.onset)} with no grade or return date: keep to easy "
            "climbing that does not hurt, and see a clinician if it does not settle."
        )
    return Insight(kind="watch", title=sentence(label), text=text, facts=facts)


def _load_watch(analytics: ClimberAnalytics) -> Insight | None:
    """Load rising over the climber's own 4-week baseline, once there is enough history;
    before that, from when the coach can tell."""
    jump = analytics.load.jump
    if not _comparable(analytics):
        return _baseline_later(analytics)
    if jump.band not in ("above_typical", "sharp_jump") or jump.change_percent is None:
        return None
    return Insight(
        kind="watch",
        title="Load rising fast" if jump.band == "sharp_jump" else "Load rising",
        text=(
            f"{shown(jump.acute)} AU in the last 7 days is {shown(jump.change_percent)} % above "
            f"your 4-week average of {shown(jump.chronic)} AU a week. Raising load by about "
            f"{shown(MAX_WEEKLY_RISE * 100)} % a week gives fingers time to keep up."
        ),
        facts={
            "load.jump.acute": jump.acute,
            "load.jump.chronic": jump.chronic,
            "load.jump.changePercent": jump.change_percent,
            "rule.maxWeeklyRisePercent": MAX_WEEKLY_RISE * 100,
        },
    )


def _baseline_later(analytics: ClimberAnalytics) -> Insight:
    """What the coach will tell once there is enough history, and from when."""
    history = analytics.history
    facts: dict[str, FactValue] = {"rule.historyDays": BASELINE_DAYS}
    if history.first_log is None or history.baseline_ready_on is None:
        text = (
            "Log your sessions with an effort (/log gym 90min rpe 7): after "
            f"{BASELINE_DAYS} days of logs I can tell you when your load rises faster than your "
            "own baseline."
        )
    else:
        facts["history.baselineReadyOn"] = history.baseline_ready_on.isoformat()
        text = history.note or (
            f"From {_day(history.baseline_ready_on)} I can tell you when your load rises "
            "faster than your own baseline."
        )
    return Insight(kind="watch", title="Load baseline", text=text, facts=facts)


def _under_fuelled(analytics: ClimberAnalytics) -> Insight | None:
    """Training days under 80 % of the calorie target, and a harder week eaten on less food
    (`coaching.nutrition.insights.hard_week`), as one insight: each a possibility to look at."""
    food = analytics.nutrition
    calories = next(row for row in food.rows if row.nutrient == "calories")
    before, this = food.weeks
    harder = hard_week(before, this)
    days = food.under_fuelled_training_days if calories.target is not None else 0
    if not days and not harder:
        return None
    texts: list[str] = []
    facts: dict[str, FactValue] = {}
    if days and calories.target is not None:
        texts.append(
            f"On {_how_many(days, food.training_days_logged)} with food logged from "
            f"{_day(food.start)} to {_day(food.end)}, you ate under "
            f"{shown(UNDER_FUELLED * 100)} % of your {shown(calories.target)} kcal target."
        )
        facts |= {
            "nutrition.underFuelledTrainingDays": days,
            "nutrition.trainingDaysLogged": food.training_days_logged,
            "nutrition.start": food.start.isoformat(),
            "nutrition.end": food.end.isoformat(),
            f"nutrition.rows.{food.rows.index(calories)}.target": calories.target,
            "rule.underFuelledPercent": UNDER_FUELLED * 100,
        }
    if harder and this.average_calories is not None and before.average_calories is not None:
        texts.append(
            f"The last 7 days carried {shown(this.training_load)} AU of training against "
            f"{shown(before.training_load)} AU the 7 before, while you ate "
            f"{shown(this.average_calories)} kcal a day against {shown(before.average_calories)}."
        )
        facts |= {
            "nutrition.weeks.1.trainingLoad": this.training_load,
            "nutrition.weeks.0.trainingLoad": before.training_load,
            "nutrition.weeks.1.averageCalories": this.average_calories,
            "nutrition.weeks.0.averageCalories": before.average_calories,
        }
    texts.append(
        "Possibly under-fuelled: eating enough for the work is what lets the training pay off."
    )
    return Insight(
        kind="watch",
        title="Under-fuelled training days" if days else "A harder week on less food",
        text=" ".join(texts),
        facts=facts,
    )


# -- one suggestion -----------------------------------------------------------------------------


def _suggestion(
    analytics: ClimberAnalytics,
    plan: TrainingPlan | None,
    library: Sequence[Exercise],
    athlete: AthleteProfile | None,
    goals: Sequence[Goal],
) -> Insight:
    planned = None if plan is None else _next_planned(plan, analytics.end)
    if planned is not None:
        return _plan_insight(planned, analytics.end)
    picked = _exercise_insight(analytics, library, athlete, goals)
    if picked is not None:
        return picked
    return Insight(
        kind="suggestion",
        title="Log your next session",
        text="Log it with an effort, e.g. /log gym 90min rpe 7: every insight here comes from it.",
        facts={},
    )


def _next_planned(plan: TrainingPlan, today: date) -> PlannedDay | None:
    """The plan's first training day from today on, within `LOOK_AHEAD_DAYS`."""
    for offset in range(LOOK_AHEAD_DAYS):
        day = planned_day(plan, today + timedelta(days=offset))
        if day.training:
            return day
    return None


def _plan_insight(day: PlannedDay, today: date) -> Insight:
    facts: dict[str, FactValue] = {
        "plan.date": day.date.isoformat(),
        "plan.type": day.type.value,
        "plan.duration": day.duration_minutes,
        "plan.intensity": day.intensity,
    }
    if day.focus:
        facts["plan.focus"] = day.focus
    when = "Today" if day.date == today else "Next"
    focus = f" — {day.focus}" if day.focus else ""
    text = (
        f"{when} in your plan ({_day(day.date)}): {day.type.value}, {day.duration_minutes} min, "
        f"{day.intensity}{focus}."
    )
    if day.exercises:
        first = day.exercises[0]
        facts |= _dose_facts("plan.exercises.0", first)
        text += f" Start with {exercise_text(first)}."
    return Insight(kind="suggestion", title="Your next planned session", text=text, facts=facts)


def _exercise_insight(
    analytics: ClimberAnalytics,
    library: Sequence[Exercise],
    athlete: AthleteProfile | None,
    goals: Sequence[Goal],
) -> Insight | None:
    """One technique drill (a recovery exercise first while something hurts or load is
    rising) that suits the climber's level, years and open injuries, dosed from its ranges."""
    inputs = inputs_from(analytics.end, analytics, athlete, goals)
    years = inputs.years_climbing if inputs.years_climbing is not None else 0.0
    climber = Climber(
        level=inputs.level,
        years=years,
        novice=years < NOVICE_YEARS,
        ruled_out=frozenset().union(*(injury.rules_out for injury in inputs.injuries)),
        weaknesses=inputs.weaknesses,
        emphasis=None,
    )
    easy = bool(analytics.body.open_injuries) or _strained(analytics)
    ordered = sorted(library, key=lambda exercise: exercise.id)  # the plans' order
    chosen = choose(ordered, DayType.TECHNIQUE, climber, recovery=easy, count=1)
    if not chosen:
        return None
    exercise = chosen[0]
    intensity = Intensity.LOW if easy else Intensity.MODERATE
    dosed = dose(exercise, easy=easy, band=grade_band(inputs.level, DayType.TECHNIQUE, intensity))
    worked = worked_weaknesses([exercise], climber)
    if analytics.body.open_injuries:
        why = "easy on the body while your injury heals"
    elif easy:
        why = "an easy session while your body catches up"
    elif worked:
        why = f"it works on {worked[0]}, a weakness in your profile"
    else:
        why = "it suits your level"
    what = _first_sentence(exercise.description)
    how = exercise_text(dosed).removeprefix(f"{dosed.name}: ")
    return Insight(
        kind="suggestion",
        title=exercise.name,
        text=f"{sentence(how)} — {why}. {what}",
        facts={
            "exercise.id": exercise.id,
            "exercise.description": what,
            **_dose_facts("exercise", dosed),
        },
    )


def _first_sentence(text: str) -> str:
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


def _strained(analytics: ClimberAnalytics) -> bool:
    rising = any(trend.direction == "rising" for trend in analytics.body.soreness)
    jump = analytics.load.jump.band in ("above_typical", "sharp_jump")
    return rising or (jump and _comparable(analytics))


def _dose_facts(prefix: str, exercise: PlannedExercise) -> dict[str, FactValue]:
    """The dose's figures, as `exercise_text` says them."""
    wire = exercise.to_wire()
    keys = (
        "sets",
        "reps",
        "hangSeconds",
        "duration",
        "restSeconds",
        "edgeMm",
        "intensityPercent",
        "gradeTarget",
    )
    return {f"{prefix}.{key}": wire[key] for key in keys if wire.get(key)}


# -- shared -------------------------------------------------------------------------------------


def _how_many(some: int, days: int) -> str:
    """ "2 of the 3 training days", "all 3 training days", "the 1 training day"."""
    counted = plural(days, "training day")
    if some == days:
        return "the 1 training day" if days == 1 else f"all {counted}"
    return f"{some} of the {counted}"


def _comparable(analytics: ClimberAnalytics) -> bool:
    """Whether this week may be compared with the climber's own history: the one rule,
    `coaching.analytics.history` (three weeks since the first log)."""
    return analytics.history.enough_for_baseline


def _figure(value: float) -> str:
    """A 0–10 average as a climber reads it: "5", "4.5"."""
    return shown(value) if value == int(value) else shown(value, 1)


def _day(day: date) -> str:
    """ "Thu 10 Dec", as the plan view writes days."""
    return f"{WEEKDAY_SHORT[day.weekday()]} {day.day} {day.strftime('%b')}"


def render(insights: Sequence[Insight]) -> str:
    """The insights as the chat shows them, one a line: "Changed: title. text"."""
    labels = {"changed": "Changed", "watch": "Watch", "suggestion": "Try"}
    return "\n".join(
        f"{labels[insight.kind]}: {insight.title}. {insight.text}" for insight in insights
    )
