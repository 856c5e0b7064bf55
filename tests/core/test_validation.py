"""`core.validation`: pydantic's errors as the field paths and messages every caller shows."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core.validation import FieldProblem, one_line, problems, summary


class Soreness(BaseModel):
    fingers: Annotated[int, Field(ge=0, le=10)]


class Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str
    grades: list[int] = []
    soreness: Soreness | None = None

    @model_validator(mode="after")
    def _not_whole(self) -> Entry:
        if self.token == "whole":
            raise ValueError("the entry as a whole is wrong")
        return self


def error_of(data: object) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        Entry.model_validate(data)
    return caught.value


def test_each_problem_names_its_dotted_field_in_pydantics_order() -> None:
    error = error_of({"token": "eyJsecret", "grades": [1, "x"], "soreness": {"fingers": 11}})
    assert problems(error) == [
        FieldProblem(
            "grades.1", "Input should be a valid integer, unable to parse string as an integer"
        ),
        FieldProblem("soreness.fingers", "Input should be less than or equal to 10"),
    ]
    assert "eyJsecret" not in one_line(problems(error))  # the input is never echoed


def test_skip_drops_the_leading_parts_of_each_field() -> None:
    error = error_of({"token": "t", "soreness": {"fingers": -1}})
    assert problems(error, skip=1) == [
        FieldProblem("fingers", "Input should be greater than or equal to 0")
    ]


def test_a_problem_with_the_whole_input_is_named_as_the_caller_says() -> None:
    error = error_of({"token": "whole"})
    assert problems(error, whole="entry") == [
        FieldProblem("entry", "the entry as a whole is wrong")
    ]
    assert problems(error) == [FieldProblem("", "the entry as a whole is wrong")]


def test_one_line_joins_field_and_message_pairs_with_semicolons() -> None:
    error = error_of({"grades": ["x"], "extra": 1})
    assert one_line(problems(error)) == (
        "token: Field required; "
        "grades.0: Input should be a valid integer, unable to parse string as an integer; "
        "extra: Extra inputs are not permitted"
    )
    assert one_line([]) == ""


def test_summary_names_the_first_problem_and_counts_the_rest() -> None:
    error = error_of({"grades": ["x"], "extra": 1})
    assert summary(problems(error)) == "token: Field required (and 2 more)"
    one = error_of({"token": "t", "soreness": {"fingers": 11}})
    assert summary(problems(one)) == "soreness.fingers: Input should be less than or equal to 10"
    assert summary([]) == ""


def test_input_that_is_not_an_object_says_so_without_naming_a_class() -> None:
    error = error_of(["eyJsecret"])
    assert problems(error, whole="body") == [FieldProblem("body", "Input should be an object")]
    nested = error_of({"token": "t", "soreness": "sore"})
    assert problems(nested) == [FieldProblem("soreness", "Input should be an object")]
