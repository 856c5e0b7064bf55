"""Chat history keeps every turn as the climber saw it: commands and their cards, command
output, proposals and their outcomes, coaching replies — and nothing of a failed command.
Sans-I/O: `Chat` on a real table (both engines)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.caller import Caller
from core.errors import HandlerError
from core.model import ToolCall
from handlers.frames import Confirm, Dismiss, Proposal, Reply, Saved, Say
from handlers.session import Emit, Outgoing
from handlers.transcript import Transcript, recording
from store.records.chat import ChatMessage, ChatMessageIn, Role
from store.repos.chat import ChatRepo
from store.table import Table
from tests.clock import FrozenClock
from tests.handlers.conftest import NOW, Harness
from tests.handlers.test_coach import SESSION, Rig, scripted


async def conversation(table: Table, user: str = "alice") -> list[ChatMessage]:
    return list(reversed((await ChatRepo(table).history(user, limit=200)).items))


async def test_a_command_is_kept_with_the_card_it_produced_and_its_undo(chat: Harness) -> None:
    saved = await chat.saved("/log gym 90min rpe 7 sent V4 V5")
    undone = await chat.saved("/undo")
    first, card, second, undo_card = await conversation(chat.table)

    assert (first.role, first.content, first.say_id) == (
        "user",
        "/log gym 90min rpe 7 sent V4 V5",
        "c1",
    )
    assert first.command
    assert not first.spoken
    assert card.role == "assistant"
    # The frame exactly as sent (the quota of that moment left out).
    assert card.frame == saved.model_dump(mode="json", exclude_none=True, exclude={"quota"})
    assert card.frame["undo"] == saved.undo
    assert (second.content, second.say_id) == ("/undo", "c2")
    assert undo_card.frame is not None
    assert undo_card.frame["kind"] == "undo"
    assert undo_card.frame["reply_to"] == "c2"
    assert undo_card.frame["item"] == undone.item
    assert first.ts < card.ts < second.ts < undo_card.ts


async def test_command_output_is_kept_as_its_text_without_the_data(chat: Harness) -> None:
    reply = await chat.reply("/history")
    assert reply.data is not None  # sent to the climber, not kept
    said, answer = await conversation(chat.table)
    assert said.content == "/history"
    assert answer.content == reply.text
    assert answer.frame == {"type": "reply", "reply_to": "c1", "text": reply.text}


async def test_a_failed_command_leaves_nothing_in_history(chat: Harness) -> None:
    error = await chat.error("/log gym")
    assert error.code == "invalid_entry"
    assert await chat.error("/undo") is not None  # nothing to undo yet
    assert await conversation(chat.table) == []


async def test_turns_that_overlap_keep_the_order_they_were_sent_in(table: Table) -> None:
    """A slow command sent first keeps its place although a quicker one answers before it."""
    clock = FrozenClock(NOW)
    chat = ChatRepo(table)
    sent: list[Outgoing] = []

    async def socket(outgoing: Outgoing) -> None:
        sent.append(outgoing)

    def turn(say_id: str, text: str) -> Emit:
        said = Say(type="say", id=say_id, text=text)
        return recording(socket, Transcript(chat, "alice", clock), said)

    slow = turn("c1", "/stats 1y")
    clock.advance(timedelta(seconds=1))
    quick = turn("c2", "/help")
    clock.advance(timedelta(seconds=1))
    await quick(Outgoing(Reply(reply_to="c2", text="The commands are …")))
    clock.advance(timedelta(seconds=1))
    await slow(Outgoing(Reply(reply_to="c1", text="Your year: …")))
    assert [o.frame.reply_to for o in sent if isinstance(o.frame, Reply)] == ["c2", "c1"]
    history = [m.content for m in await conversation(table)]
    assert history == ["/stats 1y", "/help", "The commands are …", "Your year: …"]


async def test_a_proposal_and_its_outcomes_are_kept(table: Table) -> None:
    tool = ToolCall(id="t1", name="propose_entry", arguments=SESSION)
    rig = Rig(table, scripted(tool=tool, tokens=3), None)
    await rig.say("did 2 hours at the gym, was that too much?", say_id="q1")
    await rig.say("and another 2 hours today, should I rest?", say_id="q2")
    first, second = rig.of(Proposal)
    await rig.chat.on_confirm(Caller("alice"), Confirm(type="confirm", proposal=first.id), rig.emit)
    await rig.chat.on_dismiss(
        Caller("alice"), Dismiss(type="dismiss", proposal=second.id), rig.emit
    )
    (saved,) = rig.of(Saved)

    history = await conversation(table)
    shapes = [(m.role.value, (m.frame or {}).get("type"), m.say_id) for m in history]
    assert shapes == [
        ("user", None, "q1"),
        ("assistant", None, "q1"),  # the reply, before the proposal made while it streamed
        ("assistant", "proposal", None),
        ("user", None, "q2"),
        ("assistant", None, "q2"),
        ("assistant", "proposal", None),
        ("assistant", "saved", None),  # the confirmation
        ("assistant", "reply", None),  # the dismissal
    ]
    assert history[1].end_reason == "end"
    assert history[2].frame == first.model_dump(mode="json", exclude_none=True)
    assert history[6].frame is not None
    assert history[6].frame["reply_to"] == first.id
    assert history[6].frame["undo"] == saved.undo
    assert history[7].frame == {
        "type": "reply",
        "reply_to": second.id,
        "text": "Dismissed; nothing was written.",
    }
    # The words are the conversation a model may see; commands and cards are not.
    assert [m.spoken for m in history] == [True, True, False, True, True, False, False, False]


async def test_a_refused_confirm_leaves_nothing_in_history(table: Table) -> None:
    rig = Rig(table, scripted(tokens=3), None)
    with pytest.raises(HandlerError):
        await rig.chat.on_confirm(Caller("alice"), Confirm(type="confirm", proposal="p0"), rig.emit)
    assert await conversation(table) == []


async def test_the_words_of_the_conversation_are_found_past_a_run_of_commands(
    chat: Harness,
) -> None:
    chat_repo = ChatRepo(chat.table)
    await chat_repo.append("alice", ChatMessageIn(role=Role.USER, content="how am I doing?"))
    chat.clock.advance(timedelta(seconds=1))
    await chat_repo.append("alice", ChatMessageIn(role=Role.ASSISTANT, content="Well."))
    for _ in range(30):
        await chat.reply("/help")
    spoken = await chat_repo.recent_spoken("alice", 10)
    assert [m.content for m in spoken] == ["how am I doing?", "Well."]
