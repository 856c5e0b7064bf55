"""The seed's names on the wire: what every record emits and accepts (`store.records.base`).
The same through the real protocol, and items stored under the earlier names on both engines,
are in tests/server/test_seed_client.py and tests/server/test_legacy_items.py."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from store.records import (
    AthleteProfileIn,
    BenchmarkSend,
    BenchmarkSendIn,
    DayPlan,
    JournalEntryIn,
    NutritionProfileIn,
    Significance,
)
from store.records.base import SEED_NAMES, Record, by_wire_name
from store.records.training import PlannedExercise

SESSION = {"date": "2026-01-05", "sessionType": "gym"}
SEND = {"date": "2026-01-05", "grade": "7a"}
STAMPS = {"createdAt": "2026-01-05T10:00:00Z", "updatedAt": "2026-01-05T10:00:00Z"}

# (model, the rest of a valid body, the seed's name, a valid value)
CASES: list[tuple[type[BaseModel], dict[str, Any], str, Any]] = [
    (JournalEntryIn, SESSION, "duration", 60),
    (JournalEntryIn, {**SESSION, "duration": 60}, "type", "outdoor"),
    (BenchmarkSendIn, SEND, "type", "outdoor"),
    (BenchmarkSendIn, SEND, "gradeType", "french"),
    (AthleteProfileIn, {}, "weight", 68.5),
    (NutritionProfileIn, {}, "weight", 68.5),
    (NutritionProfileIn, {}, "targetWeight", 66),
    (DayPlan, {"type": "strength"}, "duration", 45),
    (PlannedExercise, {"exerciseId": "max-hangs", "name": "Max hangs"}, "duration", 20),
]


def earlier_name(seed: str, model: type[BaseModel]) -> str:
    """The name the wire used for `seed` before, on `model`."""
    for field, names in SEED_NAMES.items():
        if names[0] == seed and field in model.model_fields:
            return names[1]
    raise AssertionError(f"{model.__name__} has no field named {seed} on the wire")


@pytest.mark.parametrize(("model", "rest", "seed", "value"), CASES)
def test_the_seed_name_is_emitted_and_every_earlier_spelling_accepted(
    model: type[Record], rest: dict[str, Any], seed: str, value: Any
) -> None:
    earlier = earlier_name(seed, model)
    for spelling in (seed, earlier):
        record = model.model_validate({**rest, spelling: value})
        wire = record.to_wire()
        assert wire[seed] == value
        if earlier != seed and earlier not in rest:
            assert earlier not in wire
    assert model.model_json_schema(by_alias=True)["properties"].keys() >= {seed}


@pytest.mark.parametrize(("model", "rest", "seed", "value"), CASES)
def test_two_spellings_of_one_field_are_refused(
    model: type[Record], rest: dict[str, Any], seed: str, value: Any
) -> None:
    earlier = earlier_name(seed, model)
    with pytest.raises(ValidationError) as caught:
        model.model_validate({**rest, seed: value, earlier: value})
    assert [error["loc"] for error in caught.value.errors()] == [(earlier,)]


def test_a_stored_send_answers_with_its_grade_type_and_grade_numeric() -> None:
    send = BenchmarkSend.model_validate({**SEND, **STAMPS, "system": "french", "setting": "indoor"})
    wire = send.to_wire()
    assert (wire["gradeType"], wire["gradeNumeric"], wire["type"]) == ("french", 72, "indoor")
    assert not {"system", "numericGrade", "setting"} & wire.keys()


@pytest.mark.parametrize("value", ["personal-best", "project-send", "milestone"])
def test_a_send_may_be_a_personal_best_or_a_project_send(value: str) -> None:
    send = BenchmarkSendIn.model_validate({**SEND, "significance": value})
    assert send.to_wire()["significance"] == value
    assert Significance(value).words in ("personal best", "project", "milestone")


def test_partial_changes_in_any_spelling_replace_the_field() -> None:
    assert by_wire_name(JournalEntryIn, {"durationMinutes": 5, "setting": "outdoor"}) == {
        "duration": 5,
        "type": "outdoor",
    }
    assert by_wire_name(BenchmarkSendIn, {"system": None, "grade_system": "v", "notes": "x"}) == {
        "gradeType": "v",
        "notes": "x",
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [("duration", True), ("duration", "60"), ("duration", 60.5), ("duration", 60.0)],
)
def test_integer_fields_take_integers_only(field: str, value: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        JournalEntryIn.model_validate({**SESSION, "duration": 60, field: value})
    assert caught.value.errors()[0]["loc"] == (field,)
    assert caught.value.errors()[0]["msg"] == "Input should be a valid integer"


@pytest.mark.parametrize(
    ("value", "refused"), [(7, False), (7.5, False), (True, True), ("7", True)]
)
def test_number_fields_take_integers_and_floats_but_not_booleans_or_text(
    value: Any, refused: bool
) -> None:
    body = {**SESSION, "duration": 60, "rpe": value}
    if refused:
        with pytest.raises(ValidationError):
            JournalEntryIn.model_validate(body)
    else:
        assert JournalEntryIn.model_validate(body).rpe == value


def test_numbers_inside_lists_and_nested_records_are_strict_too() -> None:
    for body in (
        {**SESSION, "duration": 60, "physicalCondition": {"soreness": {"fingers": True}}},
        {**SESSION, "duration": 60, "gradesCompleted": [{"grade": "V4", "count": "2"}]},
    ):
        with pytest.raises(ValidationError):
            JournalEntryIn.model_validate(body)


def test_two_fields_with_one_wire_name_are_caught_when_the_model_is_defined() -> None:
    with pytest.raises(TypeError, match="'type'"):

        class Clash(Record):
            type: str
            setting: str
