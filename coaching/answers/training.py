"""Answers about training: what to train next (toward a goal), rest or train today or
tomorrow, and the active plan."""

from __future__ import annotations

import re
from datetime import date, timedelta

from coaching.analytics.goals import GoalProgress
from coaching.analytics.render import goal_line, week_line
from coaching.analytics.summary import ClimberAnalytics
from coaching.answers.prescribe import by_day, by_id, climber_of, doses
from coaching.answers.shared import (
    Answer,
    Ask,
    baseline_ready,
    capped,
    injury_limit,
    injury_name,
    max_grade_text,
    number,
    soreness_of,
    week_sessions,
)
from coaching.intent import GRADE_TOKEN
from coaching.plans.exercises import worked_weaknesses
from coaching.plans.view import (
    PlannedDay,
    day_line,
    day_what,
    exercise_text,
    today_sentence,
    week_heading,
)
from core.text import plural
from store.records.training import DayType

# ---- what to train next --------------------------------------------------------------------


def train_next(ask: Ask) -> Answer:
    """What to train next, toward the goal: technique on easy terrain while an injury caps
    intensity; movement and mileage for a newer climber; volume below the max while the
    pyramid has gaps; finger strength and power once it is full."""
    analytics = ask.analytics
    climber = climber_of(ask)
    goal = _grade_goal(analytics)
    # The grade the climber asked about wins over their goal: answer the question asked.
    target = _grade_in(ask.message) or (goal.target_grade if goal else None)
    lead = f"To reach {target}, train" if target else "Train"
    pyramid = analytics.grades.pyramids[0] if analytics.grades.pyramids else None
    limits = capped(analytics)
    if limits:
        status = limits[0]
        until = status.caps.full_climbing_from if status.caps else None
        direct = f"{lead} technique on easy terrain next: your {injury_name(status)} comes first"
        direct += f" until {until}." if until else "."
        exercises = by_day(ask, DayType.TECHNIQUE, climber)
        day = DayType.TECHNIQUE
    elif climber.novice:
        direct = (
            f"{lead} movement and mileage next: for a newer climber, technique and volume build "
            "strength faster and more safely than finger training."
        )
        exercises = by_day(ask, DayType.TECHNIQUE, climber, 1) + by_day(
            ask, DayType.ENDURANCE, climber, 1
        )
        day = DayType.TECHNIQUE
    elif pyramid is None:
        direct = f"{lead} mileage and technique next: I have no sends logged yet to aim from."
        exercises = by_day(ask, DayType.TECHNIQUE, climber)
        day = DayType.TECHNIQUE
    elif pyramid.missing:
        direct = (
            f"{lead} volume just below your max next: your pyramid under {pyramid.max_grade} "
            f"still needs {', '.join(pyramid.missing)}."
        )
        exercises = by_day(ask, DayType.ENDURANCE, climber)
        day = DayType.ENDURANCE
    else:
        direct = (
            f"{lead} finger strength and power next: your pyramid under {pyramid.max_grade} is "
            "full, so harder moves are the next step."
        )
        exercises = by_day(ask, DayType.STRENGTH, climber, 1) + by_day(
            ask, DayType.POWER, climber, 1
        )
        day = DayType.POWER
    facts = [injury_limit(status) for status in limits[:1]]
    if goal is not None:
        facts.append(f"Goal: {goal_line(goal)}.")
    best = max_grade_text(analytics)
    if best:
        facts.append(f"Your max this period: {best}.")
    worked = worked_weaknesses(exercises, climber)
    if worked:
        facts.append(f"Your profile names {', '.join(worked)} as a weakness: these work on it.")
    if ask.profile is None or not ask.profile.years_climbing:
        facts.append(
            "Tell me how long you've climbed (`/profile years 5`) and I'll add finger "
            "training once it suits you."
        )
    step = f"Next: {doses(ask, exercises, climber, day)}." if exercises else ""
    return Answer(direct=direct, facts=facts, step=step)


def _grade_goal(analytics: ClimberAnalytics) -> GoalProgress | None:
    return next(
        (g for g in analytics.goals if g.status == "active" and g.target_grade is not None),
        None,
    )


def _grade_in(message: str) -> str | None:
    found = GRADE_TOKEN.search(message)
    return found[0].replace(" ", "").upper() if found and found[0][:1] in "vV" else None


# ---- rest or train ------------------------------------------------------------------------

RECOVERY = ("active-recovery-climbing", "easy-aerobic", "shoulder-mobility")
_ASKS_REST = re.compile(r"\b(?:rest\w*|day off|days off|skip|break)\b", re.IGNORECASE)
_ASKS_TRAIN = re.compile(r"\b(?:train\w*|climb\w*|go)\b", re.IGNORECASE)
_TOMORROW = re.compile(r"\btomorrow\b", re.IGNORECASE)
SORE_FINGERS = 5.0
"""Average finger soreness (0–10) of the week from which a rest day comes first."""
BUSY_WEEK = 5
"""Sessions in 7 days from which a rest day comes first."""
FINGER_DAYS = 3
"""Finger days in 7 days a week holds (coaching.md: 1–3 finger sessions a week)."""


def rest_or_train(ask: Ask) -> Answer:
    """Yes or no first: rest when an injury rules climbing out, the fingers are sore, the week
    is already full, or the plan says rest; otherwise train (inside any injury's limits)."""
    analytics = ask.analytics
    when = "tomorrow" if _TOMORROW.search(ask.message) else "today"
    day = ask.today + timedelta(days=1) if when == "tomorrow" else ask.today
    planned = _planned(ask, day)
    reasons = _reasons_to_rest(analytics, planned, ask.plan.plan_name if ask.plan else "")
    asked_rest = _ASKS_REST.search(ask.message) is not None
    # "train or rest?" asks neither yes nor no: the answer names the choice.
    either = asked_rest and _ASKS_TRAIN.search(ask.message) is not None
    sessions = week_sessions(analytics)
    fingers = soreness_of(analytics, "fingers")
    finger_level = fingers.last_7_days if fingers else None
    easy = [s for s in capped(analytics) if s.phase != "before_easy_climbing"]
    if reasons:
        why = " and ".join(reasons[:2])
        lead = "Rest" if either else "Yes — rest" if asked_rest else "No — rest"
        direct = f"{lead} {when}: {why}."
    else:
        if planned is not None and planned.training and ask.plan is not None:
            why = f'your plan "{ask.plan.plan_name}" has {day_what(planned, intensity=False)}'
        elif sessions:
            why = f"you've logged {plural(sessions, 'session')} this week"
            if finger_level:
                why += f" and your fingers are at {number(finger_level)}/10"
        else:
            why = "nothing in your log says you need a rest"
        if easy:
            why += f", but keep it easy for your {injury_name(easy[0])}"
        lead = (
            f"Train {when}"
            if either
            else f"No need to rest {when}"
            if asked_rest
            else f"Yes — train {when}"
        )
        direct = f"{lead}: {why}."
    facts = [
        injury_limit(status)
        for status in analytics.body.open_injuries[:1]
        if not any(injury_name(status) in reason for reason in reasons)
    ]
    facts.append(f"Sessions this week: {sessions}.")
    if finger_level:
        facts.append(f"Finger soreness this week: {number(finger_level)}/10 on average.")
    finger = analytics.load.finger_last_7_days  # None where the tier withholds it
    finger_days = finger.finger_days if finger else 0
    if finger_days:
        facts.append(f"{plural(finger_days, 'finger day')} this week (hangboard, board, near-max).")
    climber = climber_of(ask)
    if reasons:
        chosen = by_id(ask, RECOVERY, climber, 1)
        step = "If you want to move, keep it light and pain-free."
        if chosen:
            light = doses(ask, chosen, climber, DayType.TECHNIQUE)
            step = f"If you want to move, keep it light: {light}."
    elif planned is not None and planned.training and planned.exercises:
        listed = "; ".join(exercise_text(e) for e in planned.exercises[:3])
        step = f"Next: {listed}. When it's done, `/plan done` logs it."
    else:
        chosen = by_day(ask, DayType.TECHNIQUE, climber)
        step = f"Next: {doses(ask, chosen, climber, DayType.TECHNIQUE)}." if chosen else ""
    return Answer(direct=direct, facts=facts, step=step)


def _reasons_to_rest(
    analytics: ClimberAnalytics, planned: PlannedDay | None, plan_name: str
) -> list[str]:
    reasons = []
    for status in analytics.body.open_injuries:
        if status.phase == "before_easy_climbing" and status.caps is not None:
            reasons.append(
                f"your {injury_name(status)} rules out climbing on it until "
                f"{status.caps.easy_climbing_from}"
            )
    fingers = soreness_of(analytics, "fingers")
    if fingers and fingers.last_7_days is not None and fingers.last_7_days >= SORE_FINGERS:
        reasons.append(f"your fingers are at {number(fingers.last_7_days)}/10")
    elif fingers and fingers.direction == "rising" and baseline_ready(analytics):
        reasons.append("your finger soreness is rising")
    sessions = week_sessions(analytics)
    if sessions >= BUSY_WEEK:
        reasons.append(f"you've already climbed {plural(sessions, 'session')} this week")
    finger = analytics.load.finger_last_7_days
    finger_days = finger.finger_days if finger else 0
    if finger_days > FINGER_DAYS:
        reasons.append(f"you've had {plural(finger_days, 'finger day')} this week")
    if analytics.load.last_7_days.strain_high:
        reasons.append("this week's load is already very high")
    if planned is not None and not planned.training:
        reasons.append(f'your plan "{plan_name}" has a rest day')
    return reasons


def _planned(ask: Ask, day: date) -> PlannedDay | None:
    plan = ask.plan
    if plan is None or plan.status != "running":
        return None
    return next((d for d in plan.days if d.date == day), None)


# ---- the plan -------------------------------------------------------------------------------


def plan(ask: Ask) -> Answer:
    """What the active plan holds today (or tomorrow, or this week), how the week is going
    against it, and today's exercises; without a plan, how to get one."""
    analytics = ask.analytics
    view = ask.plan
    if view is None:
        target = _grade_goal(analytics)
        command = f"`/plan new {target.target_grade}`" if target else "`/plan new`"
        facts = []
        best = max_grade_text(analytics)
        if best:
            facts.append(f"A plan would start from your max, {best}.")
        goal = _grade_goal(analytics)
        if goal is not None:
            facts.append(f"And aim at your goal: {goal_line(goal)}.")
        facts += [injury_limit(status) for status in analytics.body.open_injuries[:1]]
        return Answer(
            direct="You have no active training plan yet, so there is nothing planned today.",
            facts=facts,
            step=f"Next: {command} builds one from your log (Pro), or write your own in the "
            "Plan view.",
        )
    tomorrow = _TOMORROW.search(ask.message) is not None
    day = _planned(ask, ask.today + timedelta(days=1)) if tomorrow else None
    if day is not None:
        said = (
            f"Tomorrow is {day_what(day, intensity=False)}."
            if day.training
            else "Tomorrow is a rest day."
        )
        direct = f'Your plan "{view.plan_name}": {said}'
    else:
        # The plan's week in the facts ends today on a Sunday: tomorrow is the next week's.
        later = " Tomorrow starts a new week: `/plan` shows it then." if tomorrow else ""
        direct = f'Your plan "{view.plan_name}": {today_sentence(view)}{later}'
        day = view.today
    heading = week_heading(view)
    facts = [heading + "."] if ":" in heading else []
    if view.phase_purpose:
        facts.append(view.phase_purpose)
    facts += [injury_limit(status) for status in analytics.body.open_injuries[:1]]
    if analytics.adherence is not None and analytics.adherence.by_week:
        facts.append(week_line(analytics.adherence.by_week[-1]) + ".")
    if day is not None and day.training and day.exercises:
        listed = "; ".join(exercise_text(e) for e in day.exercises[:3])
        step = f"The session: {listed}. When it's done, `/plan done` logs it."
    else:
        upcoming = [d for d in view.days if d.date > ask.today and d.training]
        step = f"Next: {day_line(upcoming[0])}." if upcoming else "Next: rest, and enjoy it."
    return Answer(direct=direct, facts=facts, step=step)


__all__ = ["plan", "rest_or_train", "train_next"]
