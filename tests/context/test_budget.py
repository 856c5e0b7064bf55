"""The token budget fills in its documented order and drops what does not fit."""

from __future__ import annotations

from collections.abc import Mapping

from coaching.intent import Slice
from context.budget import MIN_MESSAGE_CHARS, SHORTENED, fit
from context.slices import SliceText
from core.model import Message, estimate_tokens

LINE = "x" * 76  # 19 tokens a line with its newline


def render(chosen: Mapping[Slice, str], message: str) -> str:
    return "\n".join([*chosen.values(), message])


def slices() -> list[SliceText]:
    return [
        SliceText("health", tuple(f"health {i} {LINE}" for i in range(4))),
        SliceText("performance", tuple(f"perf {i} {LINE}" for i in range(6))),
        SliceText("goals", (f"goal {LINE}",)),
    ]


TURNS = [
    Message(role="user" if i % 2 == 0 else "assistant", content=f"turn {i} " + LINE)
    for i in range(6)
]


def total(fixed: int, message: str, chosen: Mapping[Slice, str]) -> int:
    return fixed + estimate_tokens(render(chosen, message))


def test_a_roomy_budget_takes_everything() -> None:
    fitted = fit(budget=10_000, fixed_tokens=500, render=render, message="hi",
                 slices=slices(), turns=TURNS)  # fmt: skip
    assert fitted.slices == ["health", "performance", "goals"]
    assert fitted.turns == TURNS
    assert fitted.trimmed() == {"droppedSlices": [], "shortenedSlices": {}, "droppedTurns": 0,
                                "messageShortened": False}  # fmt: skip


def test_slices_come_before_turns_and_turns_go_oldest_first() -> None:
    everything = {s.name: s.body() for s in slices()}
    budget = total(100, "hi", everything) + 2 * estimate_tokens(TURNS[0].content)
    fitted = fit(budget=budget, fixed_tokens=100, render=render, message="hi",
                 slices=slices(), turns=TURNS)  # fmt: skip
    assert fitted.slices == ["health", "performance", "goals"]
    assert fitted.turns == TURNS[-2:]  # the newest two
    assert fitted.turns_dropped == 4
    assert fitted.tokens <= budget


def test_a_tiny_budget_shortens_then_drops_from_the_least_important() -> None:
    health = slices()[0].body()
    # Room for all of health and two lines of performance, not for the whole of it.
    two = "\n".join(slices()[1].lines[:2])
    budget = total(100, "hi", {"health": health, "performance": two})
    fitted = fit(budget=budget, fixed_tokens=100, render=render, message="hi",
                 slices=slices(), turns=TURNS)  # fmt: skip
    assert fitted.slices == ["health", "performance"]
    assert fitted.shortened == {"performance": "kept 2 of 6 lines"}
    assert fitted.dropped == ["goals"]
    assert fitted.turns == []
    assert fitted.turns_dropped == len(TURNS)
    assert "perf 1" in fitted.user
    assert "perf 2" not in fitted.user
    assert fitted.tokens <= budget


def test_a_smaller_later_slice_still_fits_after_a_big_one_is_dropped() -> None:
    big = SliceText("performance", (LINE * 20,))
    small = SliceText("goals", ("goal",))
    budget = total(100, "hi", {"goals": "goal"})
    fitted = fit(budget=budget, fixed_tokens=100, render=render, message="hi",
                 slices=[big, small], turns=[])  # fmt: skip
    assert fitted.dropped == ["performance"]
    assert fitted.slices == ["goals"]


def test_the_fixed_part_is_never_trimmed_and_the_message_is_cut_last() -> None:
    message = "my question " * 200
    fitted = fit(budget=220, fixed_tokens=100, render=render, message=message,
                 slices=slices(), turns=TURNS)  # fmt: skip
    assert fitted.message_shortened
    assert fitted.user.startswith("my question")
    assert fitted.user.endswith(SHORTENED)
    assert fitted.slices == []
    assert fitted.dropped == ["health", "performance", "goals"]
    assert fitted.tokens <= 220
    # Below the floor, the question still reaches the model.
    floor = fit(budget=1, fixed_tokens=100, render=render, message=message, slices=[], turns=[])
    assert len(floor.user) == MIN_MESSAGE_CHARS + len(SHORTENED)
