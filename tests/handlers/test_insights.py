"""`/insights`: a few insights computed from the climber's own log, as a reply (what changed,
what to watch, one thing to try); a read that writes nothing and costs no AI message."""

from __future__ import annotations

from tests.handlers.conftest import Harness


async def test_insights_on_an_empty_journal_say_what_the_coach_will_tell(chat: Harness) -> None:
    reply = await chat.reply("/insights")
    lines = reply.text.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Watch: Load baseline. Log your sessions with an effort")
    assert lines[1].startswith("Try: ")
    assert reply.data is not None
    kinds = [insight["kind"] for insight in reply.data["insights"]]
    assert kinds == ["watch", "suggestion"]
    assert reply.data["insights"][0]["facts"] == {"rule.historyDays": 21}
    assert await chat.user_items() == []  # a read: nothing written, nothing to undo


async def test_insights_follow_what_was_logged_through_the_chat(chat: Harness) -> None:
    await chat.saved("/log gym 90min rpe 7 sent V4 V5 2026-03-09")
    await chat.saved("/log gym 60min rpe 8 sent V5 2026-03-10")
    await chat.saved("/injury ring finger A2 pulley strain grade 2 2026-03-10")
    await chat.saved("/log board 1h rpe 9 sent V12", user="bob")
    before = await chat.user_items()
    reply = await chat.reply("/insights")
    assert reply.data is not None
    titles = [insight["title"] for insight in reply.data["insights"]]
    assert titles[:2] == ["Your first sessions", "Ring finger A2 pulley strain (grade II)"]
    assert reply.text.splitlines()[0] == (
        "Changed: Your first sessions. 2 sessions logged since Mon 9 Mar, 1,110 AU of load in "
        "the last 7 days. From Mon 30 Mar I can compare each week with the one before."
    )
    assert "easy climbing from Tue 7 Apr, full climbing from Tue 21 Apr" in reply.text
    assert "V12" not in reply.text  # bob's
    assert await chat.user_items() == before


async def test_insights_take_nothing_after_the_command(chat: Harness) -> None:
    assert (await chat.reply("/INSIGHT")).data is not None  # an alias, any case
    error = await chat.error("/insights 90d")
    assert error.code == "invalid_entry"
    assert error.message == "/insights takes nothing after it — e.g. /insights"
    assert await chat.user_items() == []
