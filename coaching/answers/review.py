"""Answers about how things are going: the week's review, and motivation (plateau, fear,
lost motivation)."""

from __future__ import annotations

import re

from coaching.analytics.common import shown
from coaching.analytics.render import week_line
from coaching.answers.prescribe import by_id, climber_of, doses
from coaching.answers.shared import (
    Answer,
    Ask,
    active_goal_lines,
    baseline_ready,
    baseline_ready_on,
    injury_limit,
    max_grade_text,
    number,
    soreness_of,
    week_sessions,
)
from coaching.plans.view import day_line
from core.text import plural
from store.records.training import DayType


def review(ask: Ask) -> Answer:
    """ "This week you logged …" first (the last 7 days, today included), then load against the
    usual week (only with three weeks of logs), the hardest send, the body, and next week."""
    analytics = ask.analytics
    week = analytics.trends
    sessions = week_sessions(analytics)
    if sessions == 0:
        direct = "This week you haven't logged a session yet, so there is no week to review."
    else:
        minutes = shown(week.minutes.this_week or 0)
        climbs = int(week.climbs.this_week or 0)
        sent = f"sent {plural(climbs, 'climb')}" if climbs else "logged no climbs as sent"
        direct = f"This week you logged {plural(sessions, 'session')} ({minutes} min) and {sent}."
    facts = [injury_limit(status) for status in analytics.body.open_injuries[:1]]
    if ask.jargon:
        facts += jargon_lines(ask)
    facts.append(load_fact(ask))
    for change in week.max_grade:
        if change.this_week is not None:
            facts.append(f"Hardest send this week: {change.this_week} ({change.discipline}).")
            break
    fingers = soreness_of(analytics, "fingers")
    # 0 is also what a session logged without soreness holds: only a figure above it says much.
    if fingers is not None and fingers.last_7_days:
        facts.append(f"Finger soreness averaged {number(fingers.last_7_days)}/10 this week.")
    if analytics.adherence is not None and analytics.adherence.by_week:
        facts.append(week_line(analytics.adherence.by_week[-1]) + ".")
    return Answer(direct=direct, facts=facts, step=next_week(ask))


def load_fact(ask: Ask) -> str:
    """This week's load against the usual week, in plain words, or when that comparison
    starts."""
    analytics = ask.analytics
    load = analytics.load
    if analytics.withheld is not None and analytics.history.enough_for_baseline:
        # There is a usual week to compare with; the climber's tier does not show the
        # comparison. Saying when comparisons "start" would name a day already past.
        return (
            f"Your training load (effort × minutes) was {shown(load.jump.acute)} AU this week. "
            f"{analytics.withheld.message}"
        )
    if not baseline_ready(analytics):
        return (
            f"Comparisons with your usual week start on {baseline_ready_on(analytics)}, once "
            "you have three weeks of logs."
        )
    jump = load.jump
    change = jump.change_percent or 0.0
    effort = f"Your training load (effort × minutes) was {shown(jump.acute)} AU"
    if jump.band == "typical" or abs(change) < 0.5:
        return f"{effort}, in line with your usual week."
    side = "above" if change > 0 else "below"
    text = f"{effort}, {shown(abs(change))} % {side} your usual week"
    if jump.band == "sharp_jump":
        text += ": a sharp jump, so hold the volume rather than adding more"
    return text + "."


def jargon_lines(ask: Ask) -> list[str]:
    """The load metrics by name, each explained once (only when the climber asked for them)."""
    week = ask.analytics.load.last_7_days
    lines = []
    if week.monotony is not None:
        lines.append(
            f"Monotony {week.monotony:.2f}: how alike your days' loads are (under 1.5 is fine)."
        )
    if week.strain is not None:
        lines.append(f"Strain {shown(week.strain)} AU: the week's load × monotony.")
    jump = ask.analytics.load.jump
    if baseline_ready(ask.analytics) and jump.ratio is not None:
        lines.append(
            f"Acute:chronic {jump.ratio:.2f}: this week's load over your 4-week average "
            "(0.8–1.3 is typical)."
        )
    return lines


def next_week(ask: Ask) -> str:
    """The next planned training day, or one thing to aim for next week."""
    plan = ask.plan
    if plan is not None and plan.status == "running":
        upcoming = [d for d in plan.days if d.date > ask.today and d.training]
        if upcoming:
            return f"Next: your plan has {day_line(upcoming[0])}."
    if week_sessions(ask.analytics) == 0:
        return "Next: log your next session (`/log gym 90min rpe 7`) and I'll review the week."
    for pyramid in ask.analytics.grades.pyramids[:1]:
        if pyramid.missing:
            return f"Next week: aim for {pyramid.missing[0]} to fill your pyramid."
    return "Next week: keep a rest day between your hardest sessions."


_FEAR = re.compile(r"\b(?:fear\w*|scared|afraid|nervous|falling|anxi\w*)\b", re.IGNORECASE)
_LOST = re.compile(
    r"\b(?:motivat\w*|unmotivated|bored|boring|can'?t be bothered|burn\w*|quit\w*|psych\w*)\b",
    re.IGNORECASE,
)
NEW_STYLE_DRILLS = ("drop-knee-drill", "flagging-drill", "slab-footwork", "hover-hands")
FALLING_DRILLS = ("falling-practice", "downclimbing")


def motivation(ask: Ask) -> Answer:
    """Fear, lost motivation or a plateau: a direct word on it, the climber's own wins, and a
    fresh drill (falls practised safely, or a style they rarely climb)."""
    analytics = ask.analytics
    fear = _FEAR.search(ask.message) is not None
    ids: tuple[str, ...]
    if fear:
        direct = (
            "Fear of falling is normal and trainable: practise small, safe falls until they "
            "feel routine, then take them a little higher."
        )
        ids = FALLING_DRILLS
    elif _LOST.search(ask.message) and "plateau" not in ask.message.lower():
        direct = (
            "Losing motivation happens to every climber: make the next few sessions fun and "
            "low-pressure rather than forcing them."
        )
        ids = NEW_STYLE_DRILLS
    else:
        direct = (
            "A plateau is normal, and it usually breaks with variety and rest, not with more "
            "of the same."
        )
        ids = NEW_STYLE_DRILLS
    facts = []
    best = max_grade_text(analytics)
    if best:
        facts.append(f"Your max this period is {best}.")
    notable = analytics.grades.sends.notable
    if notable:
        send = notable[0]
        facts.append(
            f"Your {send.significance.words} send of {send.grade} on {send.date} shows it works."
        )
    facts += [f"Goal: {line}." for line in active_goal_lines(analytics)[:1]]
    facts += [injury_limit(status) for status in analytics.body.open_injuries[:1]]
    climber = climber_of(ask)
    chosen = by_id(ask, ids, climber)
    step = "Next: set yourself one small, fun target for the next session."
    if chosen:
        step = f"Next: try something new — {doses(ask, chosen, climber, DayType.TECHNIQUE)}."
    return Answer(direct=direct, facts=facts, step=step)
