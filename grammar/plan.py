"""`/plan`: the training plan in the chat.

`/plan` (or `/plan week`, `/plan today`) shows this week of the active plan and today's session;
`/plan new [GOAL]` generates a plan, GOAL in `/goal`'s words (`V8 by 2027-06-30`, `V8 boulder`, a
few words), with Premium's choices `days mon wed fri` and `emphasis fingers|power|endurance|
technique`; `/plan done [WHAT /log TAKES]` logs today's planned session (its type and minutes
from the plan unless the words say otherwise, e.g. `/plan done rpe 7 fingers 3`). Pure: "today"
is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from core.errors import InvalidEntry
from grammar.goal import parse_goal
from grammar.log import parse_log, read_log
from grammar.tokens import Cursor, tokenize
from grammar.weekdays import take_weekdays
from store.records import GoalIn, JournalEntryIn
from store.records.journal import SessionType

USAGE = "/plan new V8 by 2027-06-30"
EXAMPLE = "/plan"
"""`/help`'s example: one that works as written for every climber (a new plan needs Pro)."""
DONE_USAGE = "/plan done rpe 7"
CUSTOM_USAGE = "/plan new V8 by 2027-06-30 days mon wed fri sat emphasis fingers"

GRAMMAR = (
    "/plan (this week and today's session) · /plan new [GOAL like /goal's: GRADE "
    "[boulder|sport] [by DATE]] [days mon wed fri] [emphasis fingers|power|endurance|technique] "
    "(days and emphasis: Premium) · /plan done [rpe N, soreness, notes: … as /log takes them]"
)

Action = Literal["show", "new", "done"]

ACTIONS: dict[str, Action] = {
    "": "show",
    "show": "show",
    "week": "show",
    "today": "show",
    "view": "show",
    "new": "new",
    "generate": "new",
    "make": "new",
    "create": "new",
    "done": "done",
    "did": "done",
    "completed": "done",
    "complete": "done",
}

EMPHASES: dict[str, str] = {
    "fingers": "fingers",
    "finger": "fingers",
    "strength": "fingers",
    "power": "power",
    "endurance": "endurance",
    "stamina": "endurance",
    "technique": "technique",
    "skill": "technique",
}
"""Words for a custom plan's emphasis → the generator's emphasis (`coaching.plans.EMPHASES`)."""

EMPHASIS_WORDS = frozenset({"emphasis", "emphasise", "emphasize", "focus"})


@dataclass(frozen=True)
class PlanRequest:
    """What `/plan …` asks for. For `new`: the goal it names (None: the climber's nearest
    active goal), and Premium's choices (None when not given)."""

    action: Action
    goal: GoalIn | None = None
    days: tuple[str, ...] | None = None
    """Weekday names ("monday", …)."""
    emphasis: str | None = None
    rest: str = ""
    """For `done`: the words after it, in `/log`'s grammar."""

    @property
    def custom(self) -> bool:
        """Whether the climber chose anything only a custom (Premium) plan offers."""
        return self.days is not None or self.emphasis is not None


def plan_action(args: str) -> Action:
    """What `/plan args` does, from its first word. Raises `InvalidEntry` for another word."""
    first = args.split(maxsplit=1)[0].lower() if args.split() else ""
    action = ACTIONS.get(first)
    if action is None:
        raise InvalidEntry(
            f"/plan did not understand {first!r}; it takes /plan, /plan new [GOAL] or /plan done "
            f"— e.g. {USAGE}"
        )
    return action


def parse_plan(args: str, today: date) -> PlanRequest:
    """The request `args` of `/plan` make. Raises `InvalidEntry` saying what was expected."""
    action = plan_action(args)
    parts = args.split(maxsplit=1)
    rest = parts[1].strip() if len(parts) > 1 else ""
    if action == "show":
        return PlanRequest("show")
    if action == "done":
        return PlanRequest("done", rest=rest)
    return _new(rest, today)


def _new(text: str, today: date) -> PlanRequest:
    cursor = Cursor(tokenize(text))
    goal_words: list[str] = []
    days: tuple[str, ...] | None = None
    emphasis: str | None = None
    while not cursor.done:
        word = cursor.word()
        if word == "days" or (word == "training" and cursor.word(1) == "days"):
            cursor.take(2 if word == "training" else 1)
            days = tuple(take_weekdays(cursor, example=CUSTOM_USAGE))
            if not days:
                raise InvalidEntry(f"A plan needs at least one training day — e.g. {CUSTOM_USAGE}")
        elif word in EMPHASIS_WORDS:
            cursor.take()
            chosen = EMPHASES.get(cursor.word())
            if chosen is None:
                raise InvalidEntry(
                    "The emphasis is one of fingers, power, endurance or technique "
                    f"— e.g. {CUSTOM_USAGE}"
                )
            cursor.take()
            emphasis = chosen
        else:
            token = cursor.take()[0]
            goal_words.append(f'"{token.text}"' if token.quoted else token.text)
    goal = parse_goal(" ".join(goal_words), today) if goal_words else None
    return PlanRequest("new", goal=goal, days=days, emphasis=emphasis)


def planned_session(
    words: str, today: date, session_type: SessionType, minutes: int
) -> JournalEntryIn:
    """Today's planned session as a journal entry: `session_type` and `minutes` from the plan
    unless `words` (in `/log`'s grammar) name their own, plus whatever else they name. Raises
    `InvalidEntry` for words `/log` cannot read, and for a date: the plan's session is today's."""
    named = read_log(words, today)
    if named.data.get("date", today) != today:
        raise InvalidEntry(
            f"/plan done logs today's planned session; for another day use /log — e.g. {DONE_USAGE}"
        )
    defaults = []
    if "sessionType" not in named.data:
        defaults.append(session_type.value)
    if "duration" not in named.data:
        defaults.append(f"{minutes}min")
    return parse_log(" ".join([*defaults, words]).strip(), today)
