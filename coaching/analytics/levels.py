"""The basic view of a climber's analytics: what a tier without advanced analytics is shown.

Which tier gets which view, and the words of what is withheld, are the tier policy's
(`quotas/features.py`); this module only knows which figures are advanced and takes them out:

* week-over-week trends: the previous 7 days and every change (this week's own figures stay);
* acute:chronic load: the ratio, its band, the EWMA ratio and the change against the baseline
  (the last 7 days' load and the weekly loads stay);
* monotony and strain of the last 7 days;
* finger load (hangboard, board, near-max climbs), over 7 days, the period and each week.

The 1-year period is refused before anything is computed (`handlers.analytics`, with the words
of `quotas.features`). Withheld figures become absent (`null`), never zeros: a client and the
coach can tell "not shown" from "none". The 4-week average (`jump.acute`, `jump.chronic`) stays:
the weekly loads a basic chart draws show it anyway.
"""

from __future__ import annotations

from coaching.analytics.load import LoadFacts
from coaching.analytics.summary import ClimberAnalytics, Withheld
from coaching.analytics.trends import Change, GradeChange, Trends

__all__ = ["Withheld", "basic_view"]


def basic_view(analytics: ClimberAnalytics, withheld: Withheld) -> ClimberAnalytics:
    """`analytics` without its advanced figures (module doc), saying what was withheld. Pure."""
    note = withheld.message
    return analytics.model_copy(
        update={
            "load": _basic_load(analytics.load, note),
            "trends": _this_week_only(analytics.trends, note),
            "withheld": withheld,
        }
    )


def _basic_load(load: LoadFacts, note: str) -> LoadFacts:
    week = load.last_7_days.model_copy(
        update={
            "monotony": None,
            "monotony_band": None,
            "strain": None,
            "strain_high": False,
            "note": note,
        }
    )
    jump = load.jump.model_copy(
        update={
            "ratio": None,
            "change_percent": None,
            "band": None,
            "ewma_ratio": None,
            "summary": note,
        }
    )
    return load.model_copy(
        update={
            "last_7_days": week,
            "jump": jump,
            "finger_last_7_days": None,
            "finger_period": None,
            "weeks": [row.model_copy(update={"finger_sessions": None}) for row in load.weeks],
        }
    )


def _this_week_only(trends: Trends, note: str) -> Trends:
    def change(item: Change) -> Change:
        return Change(metric=item.metric, this_week=item.this_week, last_week=None, change=None)

    def grade(item: GradeChange) -> GradeChange:
        return item.model_copy(update={"last_week": None, "steps": None})

    return trends.model_copy(
        update={
            "load": change(trends.load),
            "sessions": change(trends.sessions),
            "minutes": change(trends.minutes),
            "climbs": change(trends.climbs),
            "soreness": [change(item) for item in trends.soreness],
            "max_grade": [grade(item) for item in trends.max_grade],
            "comparable": False,
            "note": note,
        }
    )
