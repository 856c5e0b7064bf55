"""`/stats [30d|90d|1y]`: the analytics as a reply, computed in code; never a write."""

from __future__ import annotations

from tests.handlers.conftest import Harness


async def test_stats_on_an_empty_journal(chat: Harness) -> None:
    reply = await chat.reply("/stats", tier="pro")
    assert reply.text.startswith("Last 30 days (2026-02-10 – 2026-03-11): 0 sessions")
    assert "Grades: no sends logged in this period." in reply.text
    assert "monotony and strain are undefined" in reply.text
    assert reply.data is not None
    assert reply.data["period"] == "30d"
    assert await chat.user_items() == []  # a read: nothing written, nothing to undo


async def test_stats_after_logging_through_the_chat(chat: Harness) -> None:
    await chat.saved("/log gym 90min rpe 7 sent V4 V5 V5 tried V6 2026-03-09")
    await chat.saved("/log gym 60min rpe 8 sent V4 V6 2026-03-10")
    await chat.saved("/log board 1h rpe 9 sent V12", user="bob")
    before = await chat.user_items()
    reply = await chat.reply("/stats 30d")
    assert "2 sessions · 2.5 h · 5 climbs sent · 1,110 AU" in reply.text
    assert "Max grade: boulder indoor V6 (first 2026-03-10)" in reply.text
    assert "Pyramid boulder indoor: V6 1/2 · V5 2/4 · V4 2/8" in reply.text
    assert "V12" not in reply.text  # bob's
    assert reply.data is not None
    assert reply.data["load"]["last7Days"]["load"] == 1110
    assert reply.data["grades"]["maxGrades"][0]["grade"] == "V6"
    assert await chat.user_items() == before


async def test_stats_periods_and_their_errors(chat: Harness) -> None:
    await chat.saved("/log outdoor 3h rpe 6 sent 5.11a 2025-06-01")
    year = await chat.reply("/stats 1y", tier="pro")
    assert year.text.startswith("Last year (2025-03-12 – 2026-03-11)")
    assert "route outdoor 5.11a" in year.text
    quarter = await chat.reply("/stats 90 days")
    assert quarter.text.startswith("Last 90 days")
    assert "5.11a" not in quarter.text
    error = await chat.error("/stats forever")
    assert error.code == "invalid_entry"
    assert "30d, 90d or 1y" in error.message


async def test_stats_of_a_new_climber_says_when_load_comparisons_start(chat: Harness) -> None:
    """One 2-hour session on sign-up day is not a load jump: no percentage, no ratio."""
    await chat.saved("/log gym 2h rpe 7")
    reply = await chat.reply("/stats", tier="pro")
    assert "Load, last 7 days: 840 AU" in reply.text
    assert "Load comparisons start on 1 April, three weeks after your first log" in reply.text
    for claim in ("%", "jump", "acute:chronic"):
        assert claim not in reply.text, claim
    assert reply.data is not None
    assert reply.data["load"]["jump"].get("ratio") is None
    assert reply.data["history"]["baselineReadyOn"] == "2026-04-01"


async def test_free_stats_are_the_basic_view_and_say_what_pro_adds(chat: Harness) -> None:
    await chat.saved("/log hangboard 30min rpe 8 2026-03-10")
    reply = await chat.reply("/stats")
    assert "Load, last 7 days: 240 AU" in reply.text
    assert reply.text.endswith(
        "Pro adds week-over-week trends, acute:chronic load, monotony and strain, finger load "
        "and the 1-year period."
    )
    for withheld in ("Finger load", "training monotony", "Load comparisons start"):
        assert withheld not in reply.text, withheld
    assert reply.data is not None
    assert reply.data["withheld"]["tier"] == "pro"
    assert "fingerLast7Days" not in reply.data["load"]
    error = await chat.error("/stats 1y")
    assert error.code == "tier_required"
    assert error.message.startswith("Analytics of the 1-year period come with Pro.")
