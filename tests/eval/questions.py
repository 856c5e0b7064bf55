"""The evaluation set's questions (`questions.toml`), read and checked once.

A question names the climber who asks it (a key of `histories.HISTORIES`), the intent a coach
must hear in it, whether it reports a red flag, and whether it asks for detail.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tests.eval.histories import HISTORIES

Intent = Literal[
    "review",
    "train_next",
    "pain",
    "rest_or_train",
    "technique",
    "plan",
    "nutrition",
    "motivation",
    "grades",
    "app",
    "unknown",
]
INTENTS: tuple[Intent, ...] = get_args(Intent)

QUESTIONS_FILE = Path(__file__).with_name("questions.toml")


class Question(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    history: str
    intent: Intent
    text: str = Field(min_length=1)
    red_flag: bool = False
    """It reports a red flag: the reply must send the climber to a clinician."""
    detail: bool = False
    """It asks for detail: the reply may run longer (`checks.LENGTH`)."""

    @field_validator("history")
    @classmethod
    def _known_history(cls, value: str) -> str:
        if value not in HISTORIES:
            raise ValueError(f"unknown history {value!r}; known: {', '.join(HISTORIES)}")
        return value


class QuestionFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    question: list[Question]


@cache
def load_questions(path: Path = QUESTIONS_FILE) -> tuple[Question, ...]:
    """Every question of `path`, in file order. Raises `ValueError` (a pydantic
    `ValidationError`) naming a bad entry, or on a repeated id."""
    questions = QuestionFile.model_validate(tomllib.loads(path.read_text("utf-8"))).question
    seen: set[str] = set()
    for question in questions:
        if question.id in seen:
            raise ValueError(f"{path.name}: question id {question.id!r} is used twice")
        seen.add(question.id)
    return tuple(questions)
