"""Pydantic's validation errors as a climber or an API client reads them, written once.

`problems` lists what was wrong, one `FieldProblem` per error; `one_line` joins them as
"field: message; field: message"; `summary` gives the first and how many more ("duration:
Input should be greater than 0 (and 2 more)"). The callers add their own framing: a bad frame
(`handlers/frames.py`), a refused proposal (`handlers/proposals.py`), a slash command's usage
example (`grammar/fields.py`), the message and `fields` of a REST 422 (`server/errors.py`). The
input that failed is never included: it may be a token, a password or another secret.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import ValidationError
from pydantic_core import ErrorDetails


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with the input: the field's dotted path (wire names, list indexes as
    numbers, e.g. "physicalCondition.soreness.fingers", "gradesCompleted.0") and pydantic's
    message for it (e.g. "Input should be less than or equal to 10")."""

    field: str
    message: str


def problems(error: ValidationError, *, skip: int = 0, whole: str = "") -> list[FieldProblem]:
    """The errors in `error`, in pydantic's order. Each field path leaves out the first `skip`
    parts of the location (e.g. 1 for the tag of a tagged union); an error with no location
    left (one about the input as a whole, e.g. a model validator's) is named `whole`."""
    return [
        FieldProblem(".".join(str(part) for part in item["loc"][skip:]) or whole, _message(item))
        for item in error.errors(include_url=False, include_input=False)
    ]


_NOT_AN_OBJECT = frozenset({"model_type", "model_attributes_type", "dict_type"})
"""Pydantic's "not a mapping" errors, whose message names a Python class ("… or instance of
SignInIn"): an API client sent JSON that is not an object."""


def _message(item: ErrorDetails) -> str:
    if item["type"] in _NOT_AN_OBJECT:
        return "Input should be an object"
    if item["type"] == "value_error" and "error" in item.get("ctx", {}):
        # Our own validators' sentences, without pydantic's "Value error, " in front.
        return str(item["ctx"]["error"])
    return item["msg"]


def one_line(found: Iterable[FieldProblem]) -> str:
    """The problems as one line: "field: message; field: message"."""
    return "; ".join(f"{problem.field}: {problem.message}" for problem in found)


def summary(found: Sequence[FieldProblem]) -> str:
    """The first problem as "field: message", then how many more there are: "duration:
    Input should be greater than 0 (and 2 more)". Empty when there are none."""
    if not found:
        return ""
    first = f"{found[0].field}: {found[0].message}"
    return first if len(found) == 1 else f"{first} (and {len(found) - 1} more)"
