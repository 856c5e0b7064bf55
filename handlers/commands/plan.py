"""`/plan`: the climber's training plan in the chat (grammar in `grammar/plan.py`).

- `/plan` shows this week of the active plan and today's session, as a `reply` whose `data` is
  the week (`coaching.plans.view.PlanWeekView`: every day, today's with its exercises).
- `/plan new [GOAL]` generates a plan from the climber's own log (`handlers.training_plans`, as
  REST does) for a tier that includes plans (`quotas.features`), makes it the one active plan
  (`store.repos.plan_switch`) and
  answers with a `saved` frame of kind `plan`; `/undo` deletes it and reactivates the plan it
  replaced. A GOAL named here aims this plan only: it is not written as a `/goal` (one command,
  one write, and undo takes back exactly that write).
- `/plan done` logs today's planned session as a journal entry (type and minutes from the
  plan), counted like `/log`; adherence then counts the day done.
"""

from __future__ import annotations

from typing import Any

from coaching.analytics.adherence import FITS, LOGGED_AS
from coaching.plans import EMPHASES, Customisation, Emphasis, goal_target
from coaching.plans.view import (
    current_plan,
    exercise_lines,
    plan_week,
    today_sentence,
    week_heading,
    week_lines,
)
from core.errors import InvalidEntry, NothingFound
from grammar.plan import DONE_USAGE, USAGE, PlanRequest, parse_plan, planned_session
from handlers.commands.context import Repos, Turn
from handlers.training_plans import generate_plan
from handlers.undo import UndoAction
from quotas.policy import load_policy
from store.errors import ConditionFailed
from store.records.common import WEEKDAY_NAMES
from store.records.training import TrainingPlan
from store.repos.plan_switch import PlanSwitch
from store.repos.plans import PlanRepo
from store.repos.versioned import fingerprint

NO_PLAN = f"You have no active training plan. /plan new makes one from your log — e.g. {USAGE}"


async def run(turn: Turn, args: str) -> None:
    request = parse_plan(args, turn.today)
    if request.action == "show":
        await _show(turn)
    elif request.action == "new":
        await _new(turn, request)
    else:
        await _done(turn, request)


async def _current(turn: Turn) -> TrainingPlan | None:
    return current_plan(await PlanRepo(turn.repos.table).active(turn.user_id))


async def _show(turn: Turn) -> None:
    plan = await _current(turn)
    if plan is None:
        await turn.reply(NO_PLAN, {"week": None})
        return
    view = plan_week(plan, turn.today)
    lines = [f'Plan "{plan.name}" — {week_heading(view)}', today_sentence(view)]
    if view.today is not None and view.today.training:
        lines += exercise_lines(view.today)
        if view.today.reason:
            lines.append(f"Why: {view.today.reason}")
    lines += ["This week:", *week_lines(view)]
    if view.today is not None and view.today.training:
        lines.append(f"Done it? {DONE_USAGE} logs it (type and minutes from the plan).")
    await turn.reply("\n".join(lines), {"week": view.to_wire()})


async def _new(turn: Turn, request: PlanRequest) -> None:
    customisation = None
    if request.custom:
        days = tuple(WEEKDAY_NAMES.index(day) for day in request.days or ()) or None
        customisation = Customisation(days=days, emphasis=_emphasis(request.emphasis))
    started = await generate_plan(
        turn.repos.table,
        turn.policy or load_policy(),
        turn.caller,
        turn.today,
        customisation=customisation,
        goal=goal_target(request.goal) if request.goal else None,
    )
    plan = started.plan
    replaced = {"reactivate": [previous.id for previous in started.deactivated]}
    action = UndoAction("plan", "plan", plan.id, "delete", plan.version, replaced)
    await turn.saved(action, plan.to_wire())


def _emphasis(word: str | None) -> Emphasis | None:
    """The generator's emphasis the grammar's word names (the same four words)."""
    return next((emphasis for emphasis in EMPHASES if emphasis == word), None)


async def _done(turn: Turn, request: PlanRequest) -> None:
    plan = await _current(turn)
    if plan is None:
        raise NothingFound(NO_PLAN)
    view = plan_week(plan, turn.today)
    day = view.today
    if day is None:
        raise InvalidEntry(f"{today_sentence(view)} Log what you did with /log.")
    if not day.training:
        raise InvalidEntry(
            f"Today ({day.weekday.capitalize()}) is a rest day in your plan, so there is no "
            "session to mark done. Log what you did with /log."
        )
    logged = await turn.repos.journal.list(turn.user_id, start=turn.today, end=turn.today)
    fitting = [entry for entry in logged.items if entry.session_type in FITS[day.type]]
    if fitting:
        first = fitting[0]
        raise InvalidEntry(
            f"Today's {day.type.value} session is already logged ({first.session_type.value}, "
            f"{first.duration_minutes} min), so nothing new was written; /history shows it."
        )
    entry_in = planned_session(request.rest, turn.today, LOGGED_AS[day.type], day.duration_minutes)
    entry = await turn.repos.journal.create(turn.user_id, entry_in)
    await turn.saved(
        UndoAction("session", "journal", entry.id, "delete", entry.version), entry.to_wire()
    )


async def take_back(repos: Repos, user_id: str, action: UndoAction) -> None:
    """Undo `/plan new`: delete the plan, while it is as the write left it, and reactivate the
    plans it replaced. Raises `ConditionFailed` (nothing changed) when the plan changed or is
    gone, or anything changed meanwhile."""
    plan = await PlanRepo(repos.table).get(user_id, action.item_id)
    if fingerprint(plan.to_wire()) != action.after:
        raise ConditionFailed("PLAN", action.item_id, "changed since the write")
    previous: dict[str, Any] = action.previous or {}
    await PlanSwitch(repos.table).take_back(user_id, plan, previous.get("reactivate", []))
