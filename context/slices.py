"""The slices of context a coaching turn can show, as lines of text, most important first.

Every figure is a line `coaching.analytics.render` writes (so the model is shown exactly what
`/stats` shows) or a field the climber saved in their profile; nothing here computes a number
beyond the days since the last session. Every climber-authored string (goal descriptions,
injury names and notes, plan names, names of climbs, locations, session notes, profile
strengths and weaknesses) is cleaned and wrapped in `<climber_text>` by `context.fencing.quote`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from coaching.analytics.render import (
    body_lines,
    goal_line,
    grade_lines,
    lines,
    load_lines,
    nutrition_lines,
    nutrition_target_lines,
)
from coaching.analytics.summary import ClimberAnalytics
from coaching.intent import Slice
from coaching.plans.view import (
    PlanWeekView,
    exercise_lines,
    today_sentence,
    week_heading,
    week_lines,
)
from context.fencing import clean_tree, quote
from core.text import plural
from store.grades import Discipline, GradeError, ability_band, parse_grade
from store.records import AthleteProfile, BenchmarkSend, Injury, JournalEntry

RECENT_SESSIONS = 5
"""Sessions listed by date (with location and notes) at the end of the performance slice."""
NOTE_CHARS = 240

TITLES: dict[Slice, str] = {
    "performance": "RECENT PERFORMANCE",
    "goals": "GOALS AND PROGRESS",
    "health": "HEALTH: INJURIES AND SORENESS",
    "nutrition": "NUTRITION, LAST 7 DAYS VS TARGETS",
    "adherence": "PLAN ADHERENCE",
    "profile": "ATHLETE PROFILE",
}

_BANDS = ("beginner", "intermediate", "advanced", "expert")


@dataclass(frozen=True)
class SliceText:
    """One slice: a title and its lines, the most important first (trimming drops the last)."""

    name: Slice
    lines: tuple[str, ...]

    @property
    def title(self) -> str:
        return TITLES[self.name]

    def body(self, keep: int | None = None) -> str:
        """The slice's first `keep` lines (all by default), without its title."""
        return "\n".join(self.lines if keep is None else self.lines[:keep])


def fenced_analytics(analytics: ClimberAnalytics) -> ClimberAnalytics:
    """A copy whose climber-authored strings are cleaned and quoted, for rendering as facts."""
    data: dict[str, Any] = clean_tree(analytics.model_dump(mode="json", by_alias=True))
    for goal in data["goals"]:
        goal["description"] = quote(goal["description"])
    for send in data["grades"]["sends"]["notable"]:
        if send.get("name"):
            send["name"] = quote(send["name"], 120)
    for injury in data["body"]["openInjuries"]:
        injury["type"] = quote(injury["type"], 120)
        injury["bodyPart"] = quote(injury["bodyPart"], 120)
    if data.get("adherence"):
        data["adherence"]["planName"] = quote(data["adherence"]["planName"], 120)
    return ClimberAnalytics.model_validate(data)


def fenced_plan(view: PlanWeekView) -> PlanWeekView:
    """A copy of the plan's week whose texts (a plan may be written by hand through the API)
    are cleaned and quoted, for rendering as facts."""
    data: dict[str, Any] = clean_tree(view.model_dump(mode="json", by_alias=True))
    data["planName"] = quote(data["planName"], 120)
    days = [*data["days"], *([data["today"]] if data.get("today") else [])]
    for day in days:
        for field in ("focus", "notes", "reason"):
            if day.get(field):
                day[field] = quote(day[field], 120)
        for exercise in day.get("exercises", []):
            exercise["name"] = quote(exercise["name"], 120)
            if exercise.get("notes"):
                exercise["notes"] = quote(exercise["notes"], 120)
    return PlanWeekView.model_validate(data)


def plan_lines(view: PlanWeekView | None) -> list[str]:
    """Today's planned session (with its exercises) and this week of the active plan, every
    figure the plan's own."""
    if view is None:
        return []
    fenced = fenced_plan(view)
    out = [f"Active plan {fenced.plan_name}: {week_heading(fenced)}", today_sentence(fenced)]
    if fenced.today is not None and fenced.today.training:
        out += exercise_lines(fenced.today)
    return [*out, "This week:", *week_lines(fenced)]


def level_of(
    analytics: ClimberAnalytics,
    hardest: Sequence[BenchmarkSend],
    profile: AthleteProfile | None,
) -> str | None:
    """The climber's ability band (`store.grades.ability_band`): the highest band of their
    hardest benchmark sends, their period's max grades or the current grades of their profile.
    None when nothing says."""
    grades: list[tuple[Discipline, str]] = [
        (Discipline(best.discipline), best.grade) for best in analytics.grades.max_grades
    ]
    grades += [(send.discipline, send.grade) for send in hardest]
    if profile is not None:
        current = profile.current_grades
        grades += [
            (Discipline.BOULDER if name == "boulder" else Discipline.ROUTE, grade)
            for setting in (current.indoor, current.outdoor)
            for name, grade in setting.model_dump().items()
            if isinstance(grade, str)
        ]
    best = -1
    for discipline, text in grades:
        try:
            grade = parse_grade(text, discipline=discipline)
        except GradeError:
            continue
        band = ability_band((grade.score + grade.score_high) // 2, discipline)
        best = max(best, _BANDS.index(band))
    return _BANDS[best] if best >= 0 else None


def data_age(latest: date | None, today: date) -> int | None:
    """Days since the latest logged session (None: nothing logged)."""
    return None if latest is None else max(0, (today - latest).days)


def build(
    analytics: ClimberAnalytics,
    *,
    recent: Sequence[JournalEntry],
    injuries: Sequence[Injury],
    profile: AthleteProfile | None,
    level: str | None,
    latest: date | None,
    plan: PlanWeekView | None = None,
) -> dict[Slice, SliceText]:
    """Every slice of the climber's context; `plan` is this week of their active plan. Pure."""
    facts = fenced_analytics(analytics)
    every = lines(facts)
    withheld = facts.withheld
    grades, body = grade_lines(facts.grades), body_lines(facts.body)
    load = load_lines(facts.load, basic=withheld is not None)
    goals = [f"Goal: {goal_line(goal)}" for goal in facts.goals]
    food = nutrition_lines(facts.nutrition)
    adherence = every[1 + len(grades) + len(load) + len(body) + len(goals) + len(food) :]
    if withheld is not None:
        # The basic view (the climber's tier): `lines` ends with what the next tier adds; the
        # model is told it beside the load, so it says "not shown" rather than guessing.
        adherence = adherence[:-1]
        load = [*load, f"Not shown to this climber (their tier): {withheld.message}"]
    age = data_age(latest, analytics.end)
    last = (
        "Last logged session: none yet"
        if latest is None or age is None
        else f"Last logged session: {latest} ({plural(age, 'day')} ago)"
    )
    return {
        "performance": SliceText(
            "performance", (every[0], last, *load, *grades, *_sessions(recent))
        ),
        "goals": SliceText("goals", tuple(goals or ["No goals set."])),
        "health": SliceText(
            "health",
            tuple(
                [*body, *_injury_notes(injuries, analytics)]
                or ["No open injuries, and no soreness logged in the last 7 days."]
            ),
        ),
        "nutrition": SliceText(
            "nutrition", (*food, *nutrition_target_lines(facts.nutrition.targets))
        ),
        "adherence": SliceText(
            "adherence", tuple([*plan_lines(plan), *adherence] or ["No active training plan."])
        ),
        "profile": SliceText("profile", tuple(_profile(profile, level))),
    }


def _sessions(recent: Sequence[JournalEntry]) -> list[str]:
    out = []
    for entry in sorted(recent, key=lambda e: e.date, reverse=True)[:RECENT_SESSIONS]:
        text = f"Session {entry.date}: {entry.session_type}, {entry.duration_minutes} min"
        if entry.rpe is not None:
            text += f", RPE {entry.rpe:g}"
        if entry.location:
            text += f", at {quote(entry.location, 120)}"
        if entry.notes:
            text += f"; notes {quote(entry.notes, NOTE_CHARS)}"
        out.append(text)
    return out


def _injury_notes(injuries: Sequence[Injury], analytics: ClimberAnalytics) -> list[str]:
    open_ids = {injury.id for injury in analytics.body.open_injuries}
    return [
        f"Note on {quote(injury.body_part, 120)} ({quote(injury.type, 120)}): "
        + quote(injury.notes, NOTE_CHARS)
        for injury in injuries
        if injury.id in open_ids and injury.notes
    ]


def _profile(profile: AthleteProfile | None, level: str | None) -> list[str]:
    out = [f"Level (ability band of their grades): {level or 'unknown'}"]
    if profile is None:
        return [*out, "No athlete profile saved."]
    body = [
        f"{label} {value:g}{unit}"
        for label, value, unit in (
            ("age", profile.age, ""),
            ("weight", profile.weight_kg, " kg"),
            ("height", profile.height_cm, " cm"),
            ("climbing for", profile.years_climbing, " years"),
            ("ape index", profile.ape_index_cm, " cm"),
        )
        if value is not None
    ]
    if body:
        out.append("Profile: " + ", ".join(body))
    grades = [
        f"{where} {name.replace('_', ' ')} {grade}"
        for where, setting in (
            ("indoor", profile.current_grades.indoor),
            ("outdoor", profile.current_grades.outdoor),
        )
        for name, grade in setting.model_dump().items()
        if isinstance(grade, str)
    ]
    if grades:
        out.append("Current grades (self-reported): " + ", ".join(grades))
    for label, values in (
        ("Strengths", profile.strengths),
        ("Weaknesses", profile.weaknesses),
        ("Dietary restrictions", profile.dietary_restrictions),
    ):
        if values:
            out.append(f"{label}: " + ", ".join(quote(value, 120) for value in values))
    if profile.goals_summary:
        out.append("In their words: " + quote(profile.goals_summary, NOTE_CHARS))
    return out
