"""Every message a climber reads from a command starts like a sentence, and counts agree with
their nouns."""

from __future__ import annotations

import re

import pytest

from tests.handlers.conftest import Harness

SENTENCE_START = re.compile(
    r"""^(?:
        [A-Z]                  # a capital letter
      | /[a-z]                 # a command: "/log needs a duration …"
      | ['"@]                  # a quoted word or a place: "'rpe' needs a number"
      | \d                     # a date or a number: "2026-03-20 is in the future"
      | [a-z][A-Za-z.]*:\s     # a field as the API names it, then pydantic's message for it
    )""",
    re.VERBOSE,
)

WRONG = [
    "/log",
    "/log gym 1h rpe 11",
    "/log gym 1h energy 0",
    "/log gym 1h fingers 12",
    "/log gym 1h sent V25",
    "/log gym 1h boulder sent 5.11a",
    "/log gym 1h wobble",
    "/log gym 1h 2026-03-20",
    "/log gym 1h sent 0xV4",
    "/send",
    "/send V7 attempts many",
    "/send V25",
    "/goal by 2027-01-01",
    "/goal V9 by 2025-01-01",
    "/goal done",
    "/goal done 1",
    "/goal done 0123456789abcdef",
    "/injury feels bad",
    "/injury wrist sprain grade 7",
    "/injury recovered 1",
    "/meal",
    "/meal lunch 25:00",
    "/water lots",
    "/profile boulder 5.12a",
    "/profile weight 68st",
    "/profile weight 900",
    "/undo",
    "/undo not-a-token",
    "/history forever",
    "/stats forever",
    "/insights now",
    "/edit",
    "/edit 1 rpe 5",
    "/delete x",
    "/edit 0 rpe 5",
    "/help dance",
    "/lgo",
    "/",
]


@pytest.mark.parametrize("text", WRONG)
async def test_every_refusal_starts_like_a_sentence(chat: Harness, text: str) -> None:
    error = await chat.error(text)
    assert SENTENCE_START.match(error.message), error.message


async def test_every_listing_starts_like_a_sentence(chat: Harness) -> None:
    await chat.saved("/log gym 1h rpe 6 sent V4")
    await chat.saved("/goal V8")
    await chat.saved("/injury left ring finger A2 pulley strain")
    for text in ("/help", "/help log", "/history", "/goal list", "/injury list", "/profile"):
        reply = await chat.reply(text)
        for line in reply.text.splitlines():
            numbered = re.sub(r"^\d+\. ", "", line)
            assert SENTENCE_START.match(numbered), (text, line)
    stats = await chat.reply("/stats")
    assert SENTENCE_START.match(stats.text)


async def test_one_of_a_thing_is_singular(chat: Harness) -> None:
    await chat.saved("/log hangboard 30min rpe 8 yesterday")
    stats = await chat.reply("/stats", tier="pro")  # finger load is advanced
    assert "1 session · " in stats.text
    assert "0 climbs sent" in stats.text
    assert "1 finger day · " in stats.text
    assert "1 sessions" not in stats.text
    await chat.reply("/history")
    too_far = await chat.error("/edit 2 rpe 5")
    assert "showed 1 entry," in too_far.message
