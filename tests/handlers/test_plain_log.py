"""Plain words that only log something are a journaling turn: the proposal(s) and a short reply,
the journaling rate, no AI message, whatever model is configured. A question, or words nothing
can be drafted from, is still a coaching turn. `Chat` with a `Coach` (the scripted model) on a
real table; allowances that count what was asked of them."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime

import pytest

from coaching.safety import REFERRAL
from core.caller import Caller
from core.quota import Allowance, Quota
from handlers.chat import Chat
from handlers.coach import Coach
from handlers.frames import Confirm, Proposal, Reply, Saved, Say, StreamStart
from handlers.proposals import ProposalStore
from handlers.session import AiTicket, Outgoing
from quotas.errors import RateLimited
from store.repos.chat import ChatRepo
from store.repos.journal import JournalRepo
from store.repos.nutrition import NutritionLogRepo
from store.table import Table
from tests.clock import FrozenClock
from tests.handlers.conftest import NOW
from tests.handlers.test_coach import FixedContext, scripted

QUOTA = Quota(
    ai_messages=Allowance(limit=10, used=0, remaining=10, resets_at=NOW),
    journal_entries=Allowance(limit=3, used=0, remaining=3, resets_at=NOW),
)


@dataclass
class Counted:
    """Our own `Allowances`: how many journaling checks and AI reservations a turn made."""

    writes: int = 0
    ai_messages: int = 0
    journal_entries: int = 0
    rate_used_up: bool = False

    async def usage(self, caller: Caller) -> Quota:
        return QUOTA

    async def check_write(self, caller: Caller) -> None:
        if self.rate_used_up:
            raise RateLimited("journal_writes", 1000)
        self.writes += 1

    def journal_entry(self, caller: Caller) -> AbstractAsyncContextManager[object]:
        self.journal_entries += 1
        return nullcontext()

    async def release_journal(self, caller: Caller, logged_at: datetime) -> None:
        return None

    async def reserve_ai(self, caller: Caller) -> AiTicket:
        self.ai_messages += 1
        return "r"

    async def settle_ai(
        self,
        ticket: AiTicket,
        *,
        delivered: bool,
        model: str,
        input_tokens: int,
        output_tokens: int,
    ) -> None:
        return None


class Climber:
    """One climber talking to a `Chat` whose coach is the scripted model."""

    def __init__(self, table: Table) -> None:
        self.clock = FrozenClock(NOW)
        table.clock = self.clock
        self.table = table
        self.allowances = Counted()
        coach = Coach(
            models={"default": scripted(tokens=5)},
            assembler=FixedContext(),
            chat=ChatRepo(table),
            proposals=ProposalStore(table),
            clock=self.clock,
            allowances=self.allowances,
        )
        self.chat = Chat(table, clock=self.clock, allowances=self.allowances, coach=coach)
        self.frames: list[Outgoing] = []

    async def emit(self, outgoing: Outgoing) -> None:
        self.frames.append(outgoing)

    async def say(self, text: str) -> None:
        await self.chat.on_say(Caller("alice"), Say(type="say", id="c1", text=text), self.emit)

    def of(self, kind: type[object]) -> list[object]:
        return [o.frame for o in self.frames if isinstance(o.frame, kind)]

    def proposals(self) -> list[Proposal]:
        return [o.frame for o in self.frames if isinstance(o.frame, Proposal)]

    def replies(self) -> list[Reply]:
        return [o.frame for o in self.frames if isinstance(o.frame, Reply)]


@pytest.fixture
def climber(table: Table) -> Climber:
    return Climber(table)


async def test_a_logged_session_is_proposed_without_an_ai_message(climber: Climber) -> None:
    await climber.say("did 2 hours at the gym, sent two V5s, fingers a bit sore")

    assert climber.of(StreamStart) == []  # no model was asked
    assert climber.allowances.ai_messages == 0
    assert climber.allowances.writes == 1  # the journaling rate, like a slash command
    (proposal,) = climber.proposals()
    assert proposal.kind == "session"
    assert proposal.reply_to == "c1"
    assert proposal.item["duration"] == 120
    assert proposal.item["gradesCompleted"][0]["count"] == 2
    (reply,) = climber.replies()
    assert reply.text == "Here is the session I read from that. Confirm to save it, or dismiss it."
    assert [o.to_all for o in climber.frames if isinstance(o.frame, Proposal)] == [True]
    journal = JournalRepo(climber.table)
    assert (await journal.list("alice")).items == []  # nothing written until confirmed

    confirm = Confirm(type="confirm", proposal=proposal.id)
    await climber.chat.on_confirm(Caller("alice"), confirm, climber.emit)
    (entry,) = (await journal.list("alice")).items
    assert entry.duration_minutes == 120
    assert climber.allowances.ai_messages == 0


async def test_several_things_at_once_are_each_proposed(climber: Climber) -> None:
    await climber.say("did 90 minutes on the board and tweaked my left shoulder")
    assert [p.kind for p in climber.proposals()] == ["session", "injury"]
    assert climber.replies()[0].text.startswith("Here are the session and the injury I read")
    assert climber.allowances.ai_messages == 0


async def test_a_red_flag_gets_the_referral_as_injury_does(climber: Climber) -> None:
    await climber.say("popped my A2 pulley on a crimp in my ring finger")
    assert [p.kind for p in climber.proposals()] == ["injury"]
    assert climber.replies()[0].text.endswith(REFERRAL)
    assert climber.allowances.ai_messages == 0


@pytest.mark.parametrize(
    "text",
    [
        "did 2 hours at the gym, sent two V5s. How was that?",
        "did 2 hours at the gym, should I rest tomorrow",
        "sent V5 after 90 minutes, any tips for V6",
        "feeling good today",  # nothing to draft
        "how was my week",
    ],
)
async def test_questions_and_chat_still_go_to_the_coach(climber: Climber, text: str) -> None:
    await climber.say(text)
    assert len(climber.of(StreamStart)) == 1
    assert climber.allowances.ai_messages == 1
    assert climber.allowances.writes == 0


async def test_over_the_journaling_rate_nothing_is_proposed(climber: Climber) -> None:
    climber.allowances.rate_used_up = True
    with pytest.raises(RateLimited):
        await climber.say("did 2 hours at the gym")
    assert climber.frames == []
    assert (await climber.table.query("USER#alice", sk_prefix="PROPOSAL#")).items == []
    assert climber.allowances.ai_messages == 0


async def test_a_meal_in_plain_words_is_proposed_and_confirmed_onto_the_days_log(
    climber: Climber,
) -> None:
    await climber.say("dinner was a burrito ~900kcal yesterday")
    assert climber.of(StreamStart) == []
    assert (climber.allowances.ai_messages, climber.allowances.writes) == (0, 1)
    (proposal,) = climber.proposals()
    assert proposal.kind == "meal"
    assert proposal.item == {
        "date": "2026-03-10",
        "mealType": "dinner",
        "name": "burrito",
        "calories": 900,
    }
    (reply,) = climber.replies()
    assert reply.text == "Here is the meal I read from that. Confirm to save it, or dismiss it."
    logs = NutritionLogRepo(climber.table)
    assert (await logs.list("alice")).items == []  # nothing written until confirmed

    await climber.chat.on_say(
        Caller("alice"), Say(type="say", id="c0", text="/meal dinner salad yesterday"), climber.emit
    )
    climber.frames.clear()
    confirm = Confirm(type="confirm", proposal=proposal.id)
    await climber.chat.on_confirm(Caller("alice"), confirm, climber.emit)
    (saved,) = climber.of(Saved)
    assert isinstance(saved, Saved)
    assert (saved.kind, saved.reply_to) == ("meal", proposal.id)
    assert [meal["name"] for meal in saved.item["meals"]] == ["salad", "burrito"]
    assert saved.item["totals"]["calories"] == 900
    day = await logs.get("alice", date(2026, 3, 10))
    assert [(meal.name, meal.calories, meal.carbs_g) for meal in day.meals] == [
        ("salad", None, None),
        ("burrito", 900, None),
    ]
    assert climber.allowances.journal_entries == 0  # a meal is not one of the week's entries
    assert climber.allowances.ai_messages == 0

    climber.frames.clear()
    await climber.say(f"/undo {saved.undo}")
    day = await logs.get("alice", date(2026, 3, 10))
    assert [meal.name for meal in day.meals] == ["salad"]  # the day as it was before


@pytest.mark.parametrize(
    "text",
    [
        "should I eat pasta before climbing?",
        "should I eat pasta before climbing",
        "had lunch late and felt weak on the wall",
    ],
)
async def test_food_questions_and_meals_without_numbers_go_to_the_coach(
    climber: Climber, text: str
) -> None:
    await climber.say(text)
    assert climber.proposals() == []
    assert len(climber.of(StreamStart)) == 1
    assert climber.allowances.ai_messages == 1
