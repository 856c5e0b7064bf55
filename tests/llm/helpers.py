"""Small helpers shared by the llm tests."""

from __future__ import annotations

from contextlib import aclosing
from typing import Any

from core.model import Event, Message, Model, ModelError, Prompt, ToolSpec

LOG_TOOL = ToolSpec(
    name="log_session",
    description="Propose a climbing session for the climber to confirm.",
    input_schema={
        "type": "object",
        "properties": {"discipline": {"type": "string"}, "grade": {"type": "string"}},
        "required": ["discipline"],
    },
)


def prompt(
    text: str = "How should I train this week?", *, max_tokens: int = 512, **extra: Any
) -> Prompt:
    return Prompt(
        system="You are V7 Coach. Facts: max boulder grade V5.",
        messages=[Message(role="user", content=text)],
        max_tokens=max_tokens,
        **extra,
    )


async def collect(model: Model, request: Prompt) -> list[Event]:
    async with aclosing(model.stream(request)) as events:
        return [event async for event in events]


async def collect_until_error(model: Model, request: Prompt) -> tuple[list[Event], ModelError]:
    """The events yielded before the stream raised, and the error; fails if it did not raise."""
    seen: list[Event] = []
    try:
        async with aclosing(model.stream(request)) as events:
            async for event in events:
                seen.append(event)
    except ModelError as error:
        return seen, error
    raise AssertionError(f"the stream ended without an error after {seen}")
