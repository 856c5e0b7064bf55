"""`ClimberAnalytics` as short lines of text: the `/stats` reply, and the facts block a model
is handed later. Descriptive only: figures and the published bands, never a diagnosis or a
risk. A grade converted from another system is shown with "≈".
"""

from __future__ import annotations

from coaching.analytics.adherence import AdherenceFacts, AdherenceWeek
from coaching.analytics.body import BodyFacts, InjuryStatus
from coaching.analytics.common import Period, shown
from coaching.analytics.goals import GoalProgress
from coaching.analytics.grades import GradeFacts, Pyramid
from coaching.analytics.load import CHRONIC_DAYS, LoadFacts
from coaching.analytics.summary import ClimberAnalytics
from coaching.nutrition.insights import NutritionInsights, Versus
from coaching.nutrition.targets import NUTRIENTS, DailyTargets, Nutrient
from core.text import plural
from store.grades import Discipline
from store.records.common import Setting

PLAN_WEEKS_SHOWN = 4
"""Weeks of the active plan `/stats` shows planned against logged, the latest last."""
PERIOD_NAMES = {Period.DAYS_30: "30 days", Period.DAYS_90: "90 days", Period.YEAR: "year"}
MONOTONY_WORDS = {"fine": "fine", "caution": "caution: little variation", "warning": "warning"}
JUMP_WORDS = {
    "below_typical": "below the typical 0.8–1.3",
    "typical": "typical 0.8–1.3",
    "above_typical": "above the typical 0.8–1.3",
    "sharp_jump": "a sharp jump (≥ 1.5)",
}
PHASES = {
    "before_easy_climbing": "before easy climbing",
    "easy_climbing": "easy climbing",
    "building_to_full": "building toward full climbing",
    "full_climbing": "full climbing possible",
}


def _au(value: float) -> str:
    return f"{shown(value)} AU"


def _num(value: float) -> str:
    return shown(value, 1).removesuffix(".0")


def kind_text(discipline: Discipline, setting: Setting | None) -> str:
    """Discipline and setting in words: "boulder indoor", or "boulder (indoor/outdoor not
    given)" for sends logged without a setting."""
    return f"{discipline} {setting}" if setting else f"{discipline} (indoor/outdoor not given)"


def grade_lines(grades: GradeFacts) -> list[str]:
    if not grades.max_grades:
        return ["Grades: no sends logged in this period."]
    tops = []
    for best in grades.max_grades:
        shown = f"≈{best.grade} (logged as {best.logged_as})" if best.logged_as else best.grade
        tops.append(f"{kind_text(best.discipline, best.setting)} {shown} (first {best.first_sent})")
    lines = ["Max grade: " + " · ".join(tops)]
    lines.extend(pyramid_line(pyramid) for pyramid in grades.pyramids)
    sends = grades.sends
    special = (
        (sends.personal_best, "personal best"),
        (sends.project_send, "project"),
    )
    lines.append(
        f"Benchmark sends: {sends.breakthrough} breakthrough, {sends.milestone} milestone, "
        + "".join(f"{count} {words}, " for count, words in special if count)
        + f"{sends.routine} routine"
    )
    for send in sends.notable[:3]:
        name = f' "{send.name}"' if send.name else ""
        how = ", ".join(filter(None, (send.significance.words, send.setting)))
        lines.append(f"- {send.date} {send.grade}{name} ({how})")
    return lines


def pyramid_line(pyramid: Pyramid) -> str:
    tiers = " · ".join(
        f"{row.grade} {row.count}" + (f"/{row.target}" if row.target else "")
        for row in pyramid.rows[:4]
    )
    verdict = (
        "tiers full for a new max (2-4-8)"
        if pyramid.next_max_ready
        else "before a new max (2-4-8): " + ", ".join(pyramid.missing or ["more grades below"])
    )
    return f"Pyramid {kind_text(pyramid.discipline, pyramid.setting)}: {tiers}; {verdict}"


def load_lines(load: LoadFacts, *, basic: bool = False) -> list[str]:
    """The load figures, each named in plain words beside its figure (a climber need not know
    what monotony or acute:chronic means); before the climber has logged long enough for a
    baseline, the sentence saying when load comparisons start instead of a comparison. `basic`
    (the basic view, `coaching.analytics.levels`): the last 7 days' load only."""
    week = load.last_7_days
    parts = [f"Load, last 7 days: {_au(week.load)} (effort 0–10 × minutes, summed)"]
    if basic:
        return [parts[0], *_unrated_lines(load)]
    if week.monotony is None:
        parts.append(week.note or "monotony undefined")
    else:
        band = MONOTONY_WORDS[week.monotony_band or "fine"]
        parts.append(f"training monotony {week.monotony:.2f} (how alike your days are: {band})")
        if week.strain is not None:
            high = ", above 6,000 AU" if week.strain_high else ""
            parts.append(f"strain {_au(week.strain)} (load × monotony{high})")
    lines = [" · ".join(parts)]
    jump = load.jump
    if jump.baseline_weeks == 0:
        # Too little history to compare: the summary says when comparisons start.
        lines.append(jump.summary)
    else:
        text = f"Load vs baseline: {jump.summary}"
        if jump.ratio is not None and jump.band is not None:
            text += (
                f"; acute:chronic {jump.ratio:.2f}, {JUMP_WORDS[jump.band]} "
                "(this week over your average week"
            )
            if jump.ewma_ratio is not None:
                text += f"; EWMA {jump.ewma_ratio:.2f}, the same with recent days weighted more"
            text += ")"
        lines.append(text)
        if jump.ratio is not None and load.baseline_days < CHRONIC_DAYS:
            days = load.baseline_days
            lines.append(f"(The baseline covers only {plural(days, 'day')} of logs)")
    finger = load.finger_last_7_days
    if finger is not None:
        lines.append(
            f"Finger load, last 7 days: {plural(finger.finger_days, 'finger day')} · "
            f"{finger.hangboard_sessions} hangboard ({finger.hangboard_minutes} min) · "
            f"{finger.board_sessions} board · {plural(finger.near_max_climbs, 'climb')} within "
            "a grade of max"
        )
    return lines + _unrated_lines(load)


def _unrated_lines(load: LoadFacts) -> list[str]:
    if not load.unrated_sessions:
        return []
    unrated = load.unrated_sessions
    counts = "counts" if unrated == 1 else "count"
    return [f"({plural(unrated, 'session')} without an RPE {counts} as 0 load)"]


def injury_line(injury: InjuryStatus) -> str:
    side = f"{injury.side} " if injury.side and injury.side != "both" else ""
    since = plural(injury.days_since_onset, "day")
    text = f"{side}{injury.body_part} ({injury.type}), {since} since onset"
    if injury.caps is not None and injury.phase is not None:
        caps = injury.caps
        full = (
            f"{caps.full_climbing_from}"
            if caps.full_climbing_from == caps.full_climbing_by
            else f"{caps.full_climbing_from}–{caps.full_climbing_by}"
        )
        text += (
            f"; grade {caps.grade} return to climbing: easy from {caps.easy_climbing_from}"
            f" ({caps.easy_from}), full from {full} ({caps.full_from}); now: "
            f"{PHASES[injury.phase]}"
        )
    else:
        text += "; no grade logged, so no return-to-climbing schedule"
    if injury.overdue and injury.expected_back is not None:
        text += f"; open past the expected {injury.expected_back}"
    return text


def body_lines(body: BodyFacts) -> list[str]:
    lines = []
    trends = [
        f"{t.part} {_num(t.last_7_days)}"
        + (f" ({t.direction} {t.change:+.1f})" if t.direction and t.change is not None else "")
        for t in body.soreness
        if t.last_7_days is not None
    ]
    if trends:
        lines.append("Soreness, last 7 days (0–10, vs the 7 before): " + " · ".join(trends))
    lines.extend(f"Open injury: {injury_line(injury)}" for injury in body.open_injuries)
    return lines


def goal_line(goal: GoalProgress) -> str:
    text = goal.description
    if goal.target_grade is not None:
        where = f" {goal.named_setting}" if goal.named_setting else ""
        if goal.best_grade is None:
            text += f" — no {goal.discipline or ''}{where} sends yet".replace("  ", " ")
        else:
            best = f"≈{goal.best_grade}" if goal.best_logged_as else goal.best_grade
            text += f" — best{where} {best}, "
            steps = goal.grades_to_go or 0
            text += "reached" if goal.reached else f"{plural(steps, 'grade')} to go"
    if goal.status != "active":
        return f"{text} ({goal.status})"
    if goal.days_left is not None:
        text += (
            f"; {plural(goal.days_left, 'day')} left"
            if goal.days_left >= 0
            else f"; target date passed {plural(-goal.days_left, 'day')} ago"
        )
    return text


NUTRIENT_NAMES = {
    "calories": "calories",
    "protein_g": "protein",
    "carbs_g": "carbs",
    "fat_g": "fat",
    "water_ml": "water",
}
EATEN: tuple[Nutrient, ...] = ("calories", "protein_g", "carbs_g", "fat_g")


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _against(row: Versus, unit: str = "") -> str:
    """ "(99 % of 2,220; under on 4 days)": the average against the target, when there is one."""
    if row.percent is None or row.target is None:
        return ""
    under = f"; under on {plural(row.days_under, 'day')}" if row.days_under else ""
    return f" ({shown(row.percent)} % of {shown(row.target)}{unit}{under})"


def nutrition_lines(food: NutritionInsights) -> list[str]:
    """The days' eating against the daily targets, as `/stats` shows it and the coach is told:
    averages per logged day (today's meals so far included), the finished days under each
    target, protein per kg, hydration, where the targets came from, and the flags (each worded
    as a possibility)."""
    days = (food.end - food.start).days + 1
    if food.days_logged == 0:
        return [f"Nutrition: nothing logged {food.start} – {food.end}."]
    rows = {row.nutrient: row for row in food.rows}
    eaten = [
        ("" if n == "calories" else f"{NUTRIENT_NAMES[n]} ")
        + f"{shown(row.average)} {row.unit}{_against(row)}"
        for n in EATEN
        if (row := rows[n]).average is not None
    ]
    unlogged = [NUTRIENT_NAMES[n] for n in EATEN if rows[n].average is None]
    head = f"Nutrition, {food.days_logged} of {days} days logged (to today, {food.end}), a day: "
    head += " · ".join(eaten) if eaten else "meals without figures"
    if eaten and unlogged:
        head += f" ({_and(unlogged)} not logged)"
    lines = [head]
    if food.protein_g_per_kg is not None:
        text = f"Protein {food.protein_g_per_kg:.2f} g/kg a day (1.6–2.2 g/kg for strength work"
        if food.protein_range_g is not None:
            low, high = food.protein_range_g
            text += f": {shown(low)}–{shown(high)} g"
        lines.append(text + ")")
    water = rows["water_ml"]
    if water.average is not None:
        lines.append(
            f"Hydration {shown(water.average)} ml a day over "
            f"{plural(water.days_logged, 'logged day')}{_against(water, ' ml')}"
        )
    else:
        target = f" (target {shown(water.target)} ml a day)" if water.target else ""
        lines.append(f"Hydration: not logged{target}")
    lines += _target_sources(food.targets)
    return [*lines, *food.flags]


def _target_sources(targets: DailyTargets) -> list[str]:
    by_source: dict[str, list[str]] = {}
    for nutrient in NUTRIENTS:
        by_source.setdefault(targets.of(nutrient).source, []).append(NUTRIENT_NAMES[nutrient])
    computed, yours = by_source.get("computed", []), by_source.get("yours", [])
    missing = by_source.get("missing", [])
    how = "from your profile and training: /nutrition shows how)"
    out = []
    if computed and yours:
        out.append(f"(Targets: {_and(yours)} yours; {_and(computed)} computed {how}")
    elif computed:
        out.append(f"(Targets computed {how}")
    elif yours:
        out.append("(Targets: your own)")
    if missing:
        out.append(f"(No {_and(missing)} target yet: /nutrition says what to add)")
    return out


def nutrition_target_lines(targets: DailyTargets) -> list[str]:
    """Each daily target with where it came from and how it was computed, the training it is
    scaled to and the notes (the cut's floor, a target weight the coach won't work toward): what
    the coach is told so it can explain a target rather than invent one."""
    out = []
    for nutrient in NUTRIENTS:
        target = targets.of(nutrient)
        name = NUTRIENT_NAMES[nutrient].capitalize()
        if target.value is None:
            out.append(f"{name} target: none yet ({target.how})")
        elif target.source == "yours":
            out.append(f"{name} target {shown(target.value)} {target.unit}: their own")
        else:
            out.append(f"{name} target {shown(target.value)} {target.unit}, computed: {target.how}")
    training = targets.training
    scaled = f"Training the targets are scaled to: {training.hours_per_day:g} h a day"
    if training.logged:
        out.append(f"{scaled}, logged {training.start} – {training.end}")
    else:
        out.append(f"{scaled}, typical of their activity level (no session logged in 28 days)")
    return out + [f"Note: {note}" for note in targets.notes]


def lines(analytics: ClimberAnalytics) -> list[str]:
    """Every line of the summary, in the order `/stats` shows them."""
    totals = analytics.totals
    out = [
        f"Last {PERIOD_NAMES[analytics.period]} ({analytics.start} – {analytics.end}): "
        f"{plural(totals.sessions, 'session')} · {_num(totals.hours)} h · "
        f"{plural(totals.climbs, 'climb')} sent · "
        f"{_au(totals.load)}",
    ]
    out += grade_lines(analytics.grades)
    out += load_lines(analytics.load, basic=analytics.withheld is not None)
    out += body_lines(analytics.body)
    out += [f"Goal: {goal_line(goal)}" for goal in analytics.goals]
    out += nutrition_lines(analytics.nutrition)
    out += adherence_lines(analytics.adherence)
    if analytics.withheld is not None:
        out.append(analytics.withheld.message)
    return out


def adherence_lines(plan: AdherenceFacts | None) -> list[str]:
    """The active plan against the log: the period's total, then each of its last
    `PLAN_WEEKS_SHOWN` weeks. Nothing before the plan has a day to count."""
    if plan is None or not plan.planned_days:
        return []
    out = [
        f'Plan "{plan.plan_name}": {plan.done_days} of '
        f"{plural(plan.planned_days, 'planned day')} trained ({plan.percent:.0f} %), "
        f"{plan.as_planned_days} as planned"
        + (
            f"; {plural(plan.extra_sessions, 'session')} on rest days"
            if plan.extra_sessions
            else ""
        )
    ]
    return out + [week_line(week) for week in plan.by_week[-PLAN_WEEKS_SHOWN:]]


def week_line(week: AdherenceWeek) -> str:
    """ "Plan week of 2026-03-16: 2 of 3 planned days trained, 2 as planned; 150 of 210 planned
    minutes logged"."""
    head = f"Plan week of {week.week_start}: "
    if not week.planned:
        return head + "rest, no training planned"
    return (
        head + f"{week.done} of {plural(week.planned, 'planned day')} trained, "
        f"{week.as_planned} as planned; {week.logged_minutes:,} of "
        f"{plural(week.planned_minutes, 'planned minute')} logged"
    )


def render_text(analytics: ClimberAnalytics) -> str:
    return "\n".join(lines(analytics))
