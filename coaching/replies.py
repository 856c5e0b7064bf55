"""The offline coach's reply: the climber's computed facts, in words, with the coaching rules.

Contract (what makes it honest):
- every figure comes from `ClimberAnalytics`, written exactly as `coaching.analytics.render`
  writes it (most sentences quote its lines), or from the active plan's week (today's session
  as the plan states it): this module never computes a number. The only other digits are
  inside `code spans`, which are command examples, not claims;
- it says it is the offline coach, first;
- red-flag words in the message (a pop, bowstringing, swelling, severe or ≥ 5/10 pain) put a
  referral to a clinician right after that line; it never diagnoses;
- every open injury is named with its return-to-climbing schedule, and the advice that
  follows stays inside it (no push for a new max while climbing is capped);
- the climber's message only chooses the intent (coaching, nutrition, technique, motivation,
  analysis), through `coaching.intent` (the caller passes it in): it is never quoted or obeyed,
  so "ignore previous instructions" changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from coaching.analytics.body import InjuryStatus
from coaching.analytics.common import shown
from coaching.analytics.load import LoadFacts
from coaching.analytics.render import (
    PERIOD_NAMES,
    goal_line,
    grade_lines,
    injury_line,
    lines,
    nutrition_lines,
)
from coaching.analytics.summary import ClimberAnalytics
from coaching.intent import Intent, asks_about_today
from coaching.plans.view import PlanWeekView, exercise_text, today_sentence
from coaching.safety import REFERRAL, needs_referral
from core.text import plural
from grammar import goal, injury, log, meal, send

OFFLINE = (
    "Offline coach here: no AI model wrote this reply. It is put together from the numbers in "
    "your log and standard coaching rules, so it can only speak to what you have logged."
)
CAPPED = frozenset({"before_easy_climbing", "easy_climbing"})
"""Injury phases in which nothing should push intensity."""


def compose(
    message: str,
    analytics: ClimberAnalytics | None,
    *,
    intent: Intent,
    proposed: Sequence[str] = (),
    plan: PlanWeekView | None = None,
) -> str:
    """The whole reply, paragraphs separated by blank lines. `proposed` names the kinds of
    entries drafted from the message (each shown to the climber to confirm); `plan` is this
    week of their active plan, said when the message asks what to do today. Pure."""
    paragraphs = [OFFLINE]
    if needs_referral(message):
        paragraphs.append(REFERRAL)
    if proposed:
        kinds = " and ".join(f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}" for kind in proposed)
        entries = "entry" if len(proposed) == 1 else "entries"
        paragraphs.append(
            f"I've drafted {kinds} {entries} from what you wrote: check, then confirm to save "
            "or dismiss. Nothing is written until you confirm."
        )
    if plan is not None and asks_about_today(message):
        paragraphs.append(plan_paragraph(plan, analytics))
    if analytics is None:
        paragraphs.append(
            "I can't see your logged numbers right now, so I won't guess any. " + how_to_log()
        )
        return "\n\n".join(paragraphs)
    if is_empty(analytics):
        period = PERIOD_NAMES[analytics.period]
        paragraphs.append(
            f"I can't see any sessions, sends, goals, injuries or meals in your log for the last "
            f"{period} yet, so I have no numbers of yours to coach from, and I won't invent "
            "any. " + how_to_log()
        )
        return "\n\n".join(paragraphs)
    injuries = analytics.body.open_injuries
    if injuries:
        paragraphs.append(injury_paragraph(injuries))
    capped = any(status.phase in CAPPED or status.caps is None for status in injuries)
    body = {
        "coaching": coaching,
        "analysis": analysis,
        "nutrition": nutrition,
        "technique": technique,
        "motivation": motivation,
    }[intent](analytics, capped)
    paragraphs.extend(part for part in body if part)
    return "\n\n".join(paragraphs)


def plan_paragraph(plan: PlanWeekView, analytics: ClimberAnalytics | None) -> str:
    """What the plan holds today, in its own figures, and how to mark it done."""
    text = f'Your plan "{plan.plan_name}" says: {today_sentence(plan)}'
    day = plan.today
    if day is None or not day.training:
        return text
    if day.exercises:
        text += " " + "; ".join(exercise_text(exercise) for exercise in day.exercises[:3]) + "."
    if analytics is not None and analytics.body.open_injuries:
        text += " The injury limits below come first: keep today inside them."
    return text + " When it's done, `/plan done` logs it."


def how_to_log() -> str:
    return (
        f"Log a session with `{log.SHORT_USAGE}`, a notable send with `{send.USAGE}`, a goal "
        f"with `{goal.USAGE}`, an injury with `{injury.USAGE}` or a meal with `{meal.USAGE}`; "
        "or tell me in plain words what you did and I'll draft the entry for you to confirm."
    )


def is_empty(analytics: ClimberAnalytics) -> bool:
    """Nothing logged that the coach could talk about."""
    return (
        analytics.totals.sessions == 0
        and not analytics.grades.max_grades
        and not analytics.goals
        and not analytics.body.open_injuries
        and analytics.nutrition.days_logged == 0
        and analytics.load.jump.ratio is None
    )


# ---- injuries ----------------------------------------------------------------------------

PHASE_ADVICE = {
    "before_easy_climbing": (
        "By that schedule it is too early to climb on it: no climbing, board or hangboard work "
        "that loads it yet. Keep moving in ways that don't hurt, and let a physiotherapist "
        "guide the rehab."
    ),
    "easy_climbing": (
        "That means easy climbing only: well below your max, open-hand grips, no board, "
        "hangboard or hard crimping, and stop if it hurts."
    ),
    "building_to_full": (
        "You can build back toward full climbing: add intensity a little at a time and back "
        "off if the pain returns."
    ),
    "full_climbing": (
        "By that schedule full climbing is possible again; still ramp up gradually, because a "
        "previous injury raises the risk of another."
    ),
}


def injury_paragraph(injuries: Sequence[InjuryStatus]) -> str:
    parts = []
    for status in injuries:
        text = f"Open injury: {injury_line(status)}."
        if status.phase is not None:
            text += " " + PHASE_ADVICE[status.phase]
        else:
            text += (
                " Without a logged grade there is no schedule to go by, so keep every session "
                "easy and pain-free on it, and have a clinician look at it if it isn't settling."
            )
        if status.overdue:
            text += " It has been open longer than you expected, which is worth a clinician's look."
        parts.append(text)
    parts.append("Everything below stays inside those limits. I can't diagnose injuries.")
    return "\n".join(parts)


# ---- the intents -------------------------------------------------------------------------


def _headline(analytics: ClimberAnalytics) -> str:
    return lines(analytics)[0] + "."


JUMP_ADVICE = {
    "sharp_jump": (
        "a sharp jump: hold the volume here rather than adding more, and build your "
        "weekly load gradually from now on."
    ),
    "above_typical": (
        "a little above your usual range: keep the coming week steady rather than adding more."
    ),
    "below_typical": (
        "lighter than your baseline: fine for a recovery week, and if you want to "
        "build, add a little at a time."
    ),
    "typical": "in line with your baseline: a steady base to build on gradually.",
}


def load_advice(load: LoadFacts, *, quote: bool = True) -> list[str]:
    """What the load figures suggest, in the figures' own words (descriptive, never a risk).
    `quote`: lead with the load summary (off when the reply already lists it)."""
    advice = []
    jump = load.jump
    if jump.band is not None:
        summary = jump.summary[:1].upper() + jump.summary[1:]
        lead = f"{summary}. That is " if quote else "Against your 4-week baseline this week is "
        advice.append(lead + JUMP_ADVICE[jump.band])
    week = load.last_7_days
    if week.monotony is not None and week.monotony_band in ("caution", "warning"):
        advice.append(
            f"Your days have been very alike in load (monotony {week.monotony:.2f}): alternate "
            "harder and easier days and keep real rest days."
        )
    if week.strain_high and week.strain is not None:
        advice.append(
            f"Your strain of {shown(week.strain)} AU is above 6,000 AU, a level linked with "
            "illness and overreaching: an easier few days would let you absorb the work."
        )
    if load.unrated_sessions:
        have, they, count = (
            ("has", "it", "counts") if load.unrated_sessions == 1 else ("have", "they", "count")
        )
        advice.append(
            f"{plural(load.unrated_sessions, 'session')} {have} no RPE, so {they} {count} as no "
            "load: add one when you log (`rpe 7`) and the load figures get truer."
        )
    return advice


def finger_advice(analytics: ClimberAnalytics) -> list[str]:
    advice = []
    fingers = next((t for t in analytics.body.soreness if t.part == "fingers"), None)
    if fingers is not None and fingers.direction == "rising" and fingers.last_7_days is not None:
        advice.append(
            f"Your finger soreness is rising (fingers {_num(fingers.last_7_days)} on average "
            "this week): tendons recover more slowly than muscles, so put easier days between "
            "hard finger sessions."
        )
    finger = analytics.load.finger_last_7_days
    if finger.finger_days > 3:
        advice.append(
            f"You had {plural(finger.finger_days, 'finger day')} in the last 7 days: most climbers "
            "do best with fewer, harder finger sessions and rest in between."
        )
    return advice


def pyramid_advice(analytics: ClimberAnalytics, capped: bool) -> list[str]:
    if capped:
        return [
            "A new max can wait until the injury allows full climbing: for now, volume on easy "
            "terrain keeps your movement sharp."
        ]
    advice = []
    for pyramid in analytics.grades.pyramids[:2]:
        # A pyramid of sends logged without indoor/outdoor is just "your boulder pyramid".
        where = " ".join(filter(None, (pyramid.discipline, pyramid.setting)))
        if pyramid.next_max_ready:
            advice.append(
                f"Your {where} pyramid is full under {pyramid.max_grade}: you're set up to try "
                "the next grade."
            )
        elif pyramid.missing:
            advice.append(
                f"Before a new {where} max, your pyramid still needs {', '.join(pyramid.missing)}:"
                " mileage just under your max builds the base a harder send stands on."
            )
    return advice


def goal_paragraph(analytics: ClimberAnalytics) -> str:
    goals = [g for g in analytics.goals if g.status == "active"]
    if not goals:
        return (
            "You have no active goal yet; one gives the numbers something to aim at: "
            f"`{goal.USAGE}`."
        )
    return "Your goals: " + "; ".join(goal_line(g) for g in goals[:3]) + "."


def coaching(analytics: ClimberAnalytics, capped: bool) -> list[str]:
    advice = [_headline(analytics)]
    advice += load_advice(analytics.load)
    advice += finger_advice(analytics)
    advice += pyramid_advice(analytics, capped)
    advice.append(goal_paragraph(analytics))
    return advice


def analysis(analytics: ClimberAnalytics, capped: bool) -> list[str]:
    # render's own list items (notable sends) nest under the line before them.
    shown = "\n".join(
        f"  {line}" if line.startswith("- ") else f"- {line}" for line in lines(analytics)
    )
    return [
        "Here is what your log shows:\n" + shown,
        " ".join(load_advice(analytics.load, quote=False) + finger_advice(analytics)),
        " ".join(pyramid_advice(analytics, capped)),
    ]


def nutrition(analytics: ClimberAnalytics, capped: bool) -> list[str]:
    food = analytics.nutrition
    if food.days_logged == 0:
        return [
            f"I can't see any meals logged from {food.start} to {food.end}, so I can't compare "
            f"your eating with your training. Log meals with `{meal.USAGE}`.",
            "The rule of thumb: fuel your training days first. Many climbers under-eat for the "
            "work they do, and under-fuelling shows up as flat sessions and slow recovery.",
            _headline(analytics),
        ]
    parts = ["\n".join(nutrition_lines(food))]
    if food.under_fuelled_training_days:
        parts.append(
            "Some of your training days were under-fuelled: eat more around those sessions, "
            "especially carbohydrate before and protein after."
        )
    if food.protein_g_per_kg is not None:
        parts.append(
            "Protein in the 1.6–2.2 g/kg range supports recovery from strength work; spread it "
            "over the day's meals."
        )
    parts.append(
        "I won't set weight-loss targets: for climbing, fuelling the training you do comes "
        "first, and iron-rich foods matter, especially for women climbers."
    )
    parts.append(_headline(analytics))
    return parts


def technique(analytics: ClimberAnalytics, capped: bool) -> list[str]:
    terrain = (
        "Keep drills on terrain well inside the injury's limits"
        if capped
        else "Pick climbs a grade or two below your max"
    )
    return [
        "\n".join(grade_lines(analytics.grades)),
        f"{terrain} and repeat them with one focus at a time: silent feet, straight arms on "
        "the easy moves, hips close to the wall on vertical terrain and turned in on steep "
        "terrain. Repeating a climb you have sent, cleaner each time, is how technique sticks.",
        " ".join(pyramid_advice(analytics, capped)),
    ]


def motivation(analytics: ClimberAnalytics, capped: bool) -> list[str]:
    notable = analytics.grades.sends.notable
    wins = ""
    if notable:
        best = notable[0]
        wins = (
            f"Remember your {best.significance} send of {best.grade} on {best.date}: that is "
            "what steady training gets you. "
        )
    return [
        f"{wins}Progress in climbing rarely comes in a straight line: plateaus are normal, and "
        "they usually break with variety (new styles, new walls) and rest, not with more of the "
        "same.",
        goal_paragraph(analytics),
        _headline(analytics),
        " ".join(load_advice(analytics.load)[:1]),
    ]


def _num(value: float) -> str:
    # The same display as render's soreness figures (one decimal, ".0" dropped).
    return shown(value, 1).removesuffix(".0")


__all__ = ["OFFLINE", "compose"]
