"""Record validation: field-level errors, camelCase wire names, computed fields never forged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from store.grades import Discipline, GradeSystem, parse_grade
from store.records import (
    AthleteProfileIn,
    BenchmarkSend,
    BenchmarkSendIn,
    GoalIn,
    InjuryIn,
    JournalEntry,
    JournalEntryIn,
    NutritionLog,
    NutritionLogIn,
    Preferences,
    Subscription,
    SubscriptionStatus,
    Tier,
    TrainingPlanIn,
    User,
    UserIn,
)
from store.records.base import Record
from store.records.common import at_ingest, stamps
from store.records.usage import UsageLedger

NOW = datetime(2026, 3, 11, 15, tzinfo=UTC)
"""The instant these tests validate input at."""


def written(now: datetime) -> dict[str, datetime]:
    return {"createdAt": now, "updatedAt": now}


def wire(record: Record) -> Any:
    """The wire form of `record`, typed loosely so tests can index into it."""
    return record.to_wire()


def session(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "date": "2026-03-14",
        "sessionType": "gym",
        "discipline": "boulder",
        "duration": 90,
        "rpe": 7,
    }
    return {**base, **changes}


def errors_by_field(error: ValidationError) -> dict[str, str]:
    return {".".join(str(part) for part in e["loc"]): e["msg"] for e in error.errors()}


def test_journal_wire_names_are_camel_case() -> None:
    entry = JournalEntryIn.model_validate(
        session(
            gradesCompleted=["V4"],
            physicalCondition={"energy": 6, "soreness": {"fingers": 4}},
        )
    )
    body = wire(entry)
    assert body["sessionType"] == "gym"
    assert body["duration"] == 90
    assert body["gradesCompleted"][0]["grade"] == "V4"
    assert body["physicalCondition"]["soreness"]["fingers"] == 4
    assert "session_type" not in body


def test_grades_are_normalised_from_plain_strings() -> None:
    entry = JournalEntryIn.model_validate(
        session(gradesCompleted=["v5", {"grade": "V6", "count": 3}], gradesAttempted=["V7"])
    )
    expected = parse_grade("V5")
    first = entry.grades_completed[0]
    assert (first.grade, first.system, first.score, first.count) == (
        expected.text,
        expected.system,
        expected.score,
        1,
    )
    assert entry.grades_completed[1].count == 3
    assert entry.grades_attempted[0].score == parse_grade("V7").score


def test_grade_score_in_input_is_recomputed() -> None:
    entry = JournalEntryIn.model_validate(
        session(gradesCompleted=[{"grade": "V5", "system": "v", "score": 107}])
    )
    assert entry.grades_completed[0].score == parse_grade("V5").score


def test_route_grade_in_boulder_session_is_a_field_error_naming_the_index() -> None:
    with pytest.raises(ValidationError) as caught:
        JournalEntryIn.model_validate(session(gradesCompleted=["V4", "5.11a"]))
    errors = errors_by_field(caught.value)
    assert set(errors) == {"gradesCompleted"}
    assert "item 1" in errors["gradesCompleted"]
    assert "5.11a" in errors["gradesCompleted"]


def test_mixed_session_accepts_both_disciplines() -> None:
    entry = JournalEntryIn.model_validate(
        session(discipline="mixed", gradesCompleted=["V4", "5.11a", "6b+"])
    )
    assert [g.system for g in entry.grades_completed] == [
        GradeSystem.V,
        GradeSystem.YDS,
        GradeSystem.FRENCH,
    ]


def test_invalid_grade_message_comes_from_the_grade_parser() -> None:
    with pytest.raises(ValidationError) as caught:
        JournalEntryIn.model_validate(session(gradesAttempted=["V4", "V4", "V99"]))
    message = errors_by_field(caught.value)["gradesAttempted"]
    assert "item 2" in message
    assert "V99" in message


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"duration": 0}, "duration"),
        ({"duration": -5}, "duration"),
        ({"duration": 1441}, "duration"),
        ({"rpe": 10.5}, "rpe"),
        ({"rpe": -1}, "rpe"),
        ({"sessionType": "spa"}, "sessionType"),
        (
            {"physicalCondition": {"soreness": {"fingers": 11}}},
            "physicalCondition.soreness.fingers",
        ),
        ({"physicalCondition": {"energy": 0}}, "physicalCondition.energy"),
        ({"notes": "x" * 5001}, "notes"),
        ({"type": "space"}, "type"),
    ],
)
def test_out_of_range_values_are_field_errors(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        JournalEntryIn.model_validate(session(**changes))
    assert field in errors_by_field(caught.value)


@pytest.mark.parametrize(
    "now",
    [
        NOW,
        datetime(2026, 12, 31, 23, 59, 58, tzinfo=UTC),
        datetime(2028, 2, 29, 12, tzinfo=UTC),
        datetime(2027, 3, 28, 3, 30, tzinfo=ZoneInfo("Europe/Berlin")),
    ],
)
def test_input_dated_in_the_future_is_refused_but_tomorrow_is_allowed(now: datetime) -> None:
    # "Tomorrow" in UTC is already today somewhere (UTC+14); later is not.
    today = now.astimezone(UTC).date()
    tomorrow = session(date=(today + timedelta(days=1)).isoformat())
    JournalEntryIn.model_validate(tomorrow, context=at_ingest(now))
    with pytest.raises(ValidationError) as caught:
        JournalEntryIn.model_validate(
            session(date=(today + timedelta(days=2)).isoformat()), context=at_ingest(now)
        )
    assert "future" in errors_by_field(caught.value)["date"]


def test_a_stored_record_is_read_back_whatever_the_clock_says() -> None:
    # "Not in the future" is a rule for input at a known instant: a record stored with a date
    # that a slow clock would call the future is still read back.
    later = (NOW + timedelta(days=30)).date()
    entry = JournalEntry.model_validate({**session(date=later.isoformat()), **written(NOW)})
    assert entry.date == later


def test_server_fields_are_ignored_and_unknown_fields_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        JournalEntryIn.model_validate(
            session(id="mine", userId="someone-else", version=7, sessionTypo="gym")
        )
    assert set(errors_by_field(caught.value)) == {"sessionTypo"}
    given = JournalEntryIn.model_validate(session(id="mine", userId="someone-else", version=7))
    assert not {"id", "userId", "version"} & set(wire(given))


def test_session_load_is_rpe_times_minutes() -> None:
    assert JournalEntryIn.model_validate(session(rpe=7, duration=60)).session_load == 420
    assert JournalEntryIn.model_validate(session(rpe=None)).session_load is None


def test_stored_entry_gets_server_fields() -> None:
    data = JournalEntryIn.model_validate(session())
    body = {**data.model_dump(by_alias=True), **stamps(JournalEntry, NOW)}
    first = JournalEntry.model_validate(body)
    second = JournalEntry.model_validate(body)
    assert first.id != second.id
    assert first.created_at == first.updated_at == NOW
    with pytest.raises(ValidationError) as caught:  # stamps come from a clock, never defaulted
        JournalEntry.model_validate(data.model_dump(by_alias=True))
    assert {"createdAt", "updatedAt"} <= set(errors_by_field(caught.value))


def test_send_numeric_grade_cannot_be_forged() -> None:
    given = BenchmarkSendIn.model_validate({"grade": "V7", "date": "2026-01-02", "gradeNumeric": 3})
    assert "gradeNumeric" not in wire(given)

    forged = BenchmarkSend.model_validate(
        {"grade": "v7", "date": "2026-01-02", "gradeNumeric": 3, **written(NOW)}
    )
    real = parse_grade("V7")
    assert forged.numeric_grade == real.score
    assert (forged.grade, forged.grade_system, forged.discipline) == (
        real.text,
        real.system,
        real.discipline,
    )
    assert wire(forged)["gradeNumeric"] == real.score
    with pytest.raises(ValidationError) as caught:
        BenchmarkSend.model_validate(
            {"grade": "V7", "date": "2026-01-02", "gradeType": "font", **written(NOW)}
        )
    assert "grade" in errors_by_field(caught.value)


def test_send_grade_error_names_the_grade_field() -> None:
    with pytest.raises(ValidationError) as caught:
        BenchmarkSendIn.model_validate({"grade": "V99", "date": "2026-01-02"})
    assert "V99" in errors_by_field(caught.value)["grade"]
    with pytest.raises(ValidationError) as caught:
        BenchmarkSendIn.model_validate(
            {"grade": "5.12a", "discipline": "boulder", "date": "2026-01-02"}
        )
    assert "grade" in errors_by_field(caught.value)


def test_nutrition_totals_are_computed_not_trusted() -> None:
    given = NutritionLogIn.model_validate({"date": "2026-01-02", "totals": {"calories": 1}})
    assert "totals" not in wire(given)

    log = NutritionLog.model_validate(
        {
            "updatedAt": NOW,
            "date": "2026-01-02",
            "meals": [
                {"mealType": "breakfast", "calories": 450, "proteinG": 20, "carbsG": 60},
                {"mealType": "post_workout", "calories": 300, "proteinG": 35, "fatG": 5},
            ],
            "totals": {"calories": 99999, "proteinG": 0, "carbsG": 0, "fatG": 0},
        }
    )
    assert log.totals.calories == 750
    assert log.totals.protein_g == 55
    assert wire(log)["totals"]["proteinG"] == 55
    assert all(meal.id for meal in log.meals)


def test_meal_calories_must_not_be_negative() -> None:
    with pytest.raises(ValidationError) as caught:
        NutritionLogIn.model_validate(
            {"date": "2026-01-02", "meals": [{"mealType": "lunch", "calories": -1}]}
        )
    assert "meals.0.calories" in errors_by_field(caught.value)


def test_athlete_grades_are_validated_per_discipline_and_stored_canonical() -> None:
    profile = AthleteProfileIn.model_validate(
        {"currentGrades": {"indoor": {"boulder": "v6", "sport": "5.11C"}}}
    )
    assert profile.current_grades.indoor.boulder == parse_grade("V6").text
    assert profile.current_grades.indoor.sport == parse_grade("5.11c").text
    with pytest.raises(ValidationError) as caught:
        AthleteProfileIn.model_validate(
            {"age": 9, "weight": 300, "currentGrades": {"outdoor": {"trad": "V5"}}}
        )
    errors = errors_by_field(caught.value)
    assert {"age", "weight", "currentGrades.outdoor.trad"} <= set(errors)


def test_user_email_normalised_and_timezone_checked() -> None:
    user = UserIn.model_validate({"email": "  Ada@Example.COM "})
    assert user.email == "ada@example.com"
    with pytest.raises(ValidationError) as caught:
        UserIn.model_validate(
            {"email": "not-an-email", "preferences": {"timezone": "Mars/Olympus"}}
        )
    errors = errors_by_field(caught.value)
    assert {"email", "preferences.timezone"} <= set(errors)
    with pytest.raises(ValidationError):
        Preferences.model_validate({"boulderGradeSystem": "yds"})


def test_clients_cannot_set_their_subscription() -> None:
    given = UserIn.model_validate({"email": "a@b.co", "subscription": {"tier": "premium"}})
    assert "subscription" not in wire(given)


def test_effective_tier_falls_back_to_free() -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    later = now + timedelta(days=30)

    def tier(**subscription: Any) -> Tier:
        user = User.model_validate(
            {
                **written(now),
                "id": "u",
                "email": "a@b.co",
                "subscription": Subscription(**subscription),
            }
        )
        return user.effective_tier(now)

    assert tier(tier=Tier.PRO, status=SubscriptionStatus.ACTIVE, expires_at=later) is Tier.PRO
    assert tier(tier=Tier.PREMIUM, status=SubscriptionStatus.TRIALING) is Tier.PREMIUM
    assert tier(tier=Tier.PRO, status=SubscriptionStatus.ACTIVE, expires_at=now) is Tier.FREE
    assert tier(tier=Tier.PRO, status=SubscriptionStatus.PAST_DUE) is Tier.FREE
    assert tier(tier=Tier.PRO, status=SubscriptionStatus.CANCELLED) is Tier.FREE


def test_injury_rules() -> None:
    base = {"type": "A2 pulley strain", "bodyPart": "ring finger", "date": "2026-02-01"}
    injury = InjuryIn.model_validate({**base, "severity": 2, "side": "left"})
    assert wire(injury)["bodyPart"] == "ring finger"
    with pytest.raises(ValidationError) as caught:
        InjuryIn.model_validate({**base, "severity": 5, "recoveredDate": "2026-01-01"})
    errors = errors_by_field(caught.value)
    assert {"severity", "recoveredDate"} <= set(errors)
    future = (NOW + timedelta(days=5)).date().isoformat()
    with pytest.raises(ValidationError) as caught:
        InjuryIn.model_validate({**base, "date": future}, context=at_ingest(NOW))
    assert "date" in errors_by_field(caught.value)


def test_goal_target_grade_checked_against_discipline() -> None:
    goal = GoalIn.model_validate(
        {"type": "grade", "description": "Send V8", "targetGrade": "v8", "discipline": "boulder"}
    )
    assert goal.target_grade == parse_grade("V8", discipline=Discipline.BOULDER).text
    with pytest.raises(ValidationError):
        GoalIn.model_validate(
            {"type": "grade", "description": "x", "targetGrade": "V8", "discipline": "sport"}
        )


def test_plan_end_not_before_start() -> None:
    with pytest.raises(ValidationError) as caught:
        TrainingPlanIn.model_validate(
            {"name": "Base", "startDate": "2026-03-01", "endDate": "2026-02-01"}
        )
    assert "endDate" in errors_by_field(caught.value)
    plan = TrainingPlanIn.model_validate(
        {
            "name": "Base",
            "startDate": "2026-03-01",
            "weeklyStructure": {"monday": {"type": "board", "intensity": "high"}},
        }
    )
    assert wire(plan)["weeklyStructure"]["monday"]["type"] == "board"


def test_usage_month_format() -> None:
    assert UsageLedger(month="2026-11").month == "2026-11"
    with pytest.raises(ValidationError):
        UsageLedger(month="2026-13")
