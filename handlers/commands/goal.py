"""`/goal`: add a goal, list the active ones, mark one achieved (or dropped).

`/goal V8 boulder by 2027-06-30` adds (the discipline is inferred from the grade when not
given); `/goal list` lists active goals numbered 1…; `/goal done 1` (or an id) marks achieved;
`/goal drop 1` abandons."""

from __future__ import annotations

from grammar.goal import DONE, DROP, LIST, USAGE, parse_goal
from grammar.picking import pick
from handlers.commands.context import Turn
from handlers.undo import UndoAction
from store.records import Goal, GoalStatus


async def active_goals(turn: Turn) -> list[Goal]:
    """The user's active goals, oldest first: the numbering `/goal list` shows."""
    return await turn.repos.goals.list_goals(turn.user_id, GoalStatus.ACTIVE)


def describe(goal: Goal) -> str:
    parts = [goal.description]
    if goal.target_grade and goal.target_grade not in goal.description:
        parts.append(f"({goal.target_grade})")
    if goal.target_date:
        parts.append(f"by {goal.target_date.isoformat()}")
    return " ".join(parts)


async def run(turn: Turn, args: str) -> None:
    head, _, rest = args.partition(" ")
    verb = head.lower()
    if not args or verb in LIST:
        await _list(turn)
    elif verb in DONE or verb in DROP:
        await _close(turn, rest, GoalStatus.ACHIEVED if verb in DONE else GoalStatus.ABANDONED)
    else:
        goal = await turn.repos.goals.create(turn.user_id, parse_goal(args, turn.today))
        await turn.saved(
            UndoAction("goal", "goal", goal.id, "delete", goal.version), goal.to_wire()
        )


async def _list(turn: Turn) -> None:
    goals = await active_goals(turn)
    if not goals:
        await turn.reply(f"No active goals. Add one: {USAGE}", {"goals": []})
        return
    lines = [f"{n}. {describe(goal)}" for n, goal in enumerate(goals, start=1)]
    text = "Active goals:\n" + "\n".join(lines) + "\nMark one achieved: /goal done 1"
    await turn.reply(text, {"goals": [goal.to_wire() for goal in goals]})


async def _close(turn: Turn, ref: str, status: GoalStatus) -> None:
    goal = pick(await active_goals(turn), ref, what="goal", usage="/goal done 1")
    previous = goal.to_wire()

    def change(current: Goal) -> Goal:
        achieved = turn.now if status is GoalStatus.ACHIEVED else None
        return current.model_copy(update={"status": status, "achieved_at": achieved})

    updated = await turn.repos.goals.modify(
        turn.user_id, goal.id, change, expected_version=goal.version
    )
    await turn.saved(
        UndoAction("goal", "goal", goal.id, "restore", updated.version, previous),
        updated.to_wire(),
    )
