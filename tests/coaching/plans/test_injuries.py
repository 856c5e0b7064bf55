"""An open injury's dates in a plan: Schöffl's dates for a graded one; for an ungraded one the
return date the climber expected, while it is still ahead; else easy to the end."""

from __future__ import annotations

from datetime import date, timedelta

from coaching.analytics.body import injury_status
from coaching.plans import PlanInputs, generate
from coaching.plans.inputs import open_injury
from store.records import Injury
from store.records.training import Intensity
from store.seed import load_reference

TODAY = date(2027, 3, 5)  # a Friday: the plan starts on Monday 8 March
LIBRARY = load_reference().exercises


def _shoulder(onset: date, expected_days: int | None, severity: int | None = None) -> Injury:
    return Injury.model_validate(
        {
            "id": "i1",
            "type": "strain",
            "bodyPart": "shoulder",
            "side": "left",
            "date": onset,
            "severity": severity,
            "expectedDurationDays": expected_days,
            "createdAt": "2027-01-01T00:00:00Z",
            "updatedAt": "2027-01-01T00:00:00Z",
        }
    )


def _plan(injury: Injury) -> tuple[PlanInputs, list[tuple[date, Intensity]]]:
    inputs = PlanInputs(
        today=TODAY,
        years_climbing=6,
        recent_weekly_load=1500,
        injuries=(open_injury(injury_status(injury, TODAY, previously=False)),),
    )
    plan = generate(inputs, LIBRARY)
    days = [
        (week.start_date + timedelta(days=i), week.days.day(i).intensity)
        for week in plan.weeks
        for i in range(7)
        if week.days.day(i).training
    ]
    return inputs, days


def test_an_ungraded_injury_keeps_the_plan_easy_until_the_date_the_climber_expected() -> None:
    back = TODAY + timedelta(days=14)  # Friday 19 March
    inputs, days = _plan(_shoulder(TODAY - timedelta(days=7), expected_days=21))
    assert inputs.injuries[0].full_from == back
    assert all(intensity is Intensity.LOW for day, intensity in days if day < back)
    assert any(intensity is not Intensity.LOW for day, intensity in days if day >= back)
    plan = generate(inputs, LIBRARY)
    assert any("the date you expected to be back" in line for line in plan.assumptions)
    assert any(back.isoformat() in line for line in plan.assumptions)


def test_an_ungraded_injury_past_its_expected_date_keeps_the_whole_plan_easy() -> None:
    inputs, days = _plan(_shoulder(TODAY - timedelta(days=60), expected_days=21))
    assert inputs.injuries[0].full_from is None
    assert days
    assert all(intensity is Intensity.LOW for _, intensity in days)
    plan = generate(inputs, LIBRARY)
    assert any("mark it recovered" in line for line in plan.assumptions)


def test_a_graded_injury_follows_schoffl_not_the_expected_date() -> None:
    injury = _shoulder(TODAY - timedelta(days=7), expected_days=3, severity=2)
    inputs, _ = _plan(injury)
    status = injury_status(injury, TODAY, previously=False)
    assert status.caps is not None
    assert inputs.injuries[0].full_from == status.caps.full_climbing_from
    assert inputs.injuries[0].expected is False
