"""Training load (Foster session-RPE family): session load, daily and weekly load, monotony,
strain, the acute:chronic ratio (coupled 4-week and EWMA) and a finger-load count.

Conventions (coaching.md): session load = RPE (CR-10) × minutes, in AU; a day's load is the sum
of its sessions' loads, rest days 0; monotony = mean / population SD of 7 daily loads; strain =
weekly load × monotony, from the unrounded monotony. A session without an RPE has no load: it
counts as 0 and is reported as unrated, so a low figure is never silently low.

The acute:chronic ratio is reported as a load jump against the 4-week baseline, never as a risk
(its value as an injury predictor is disputed: Lolli 2017, Impellizzeri 2020). It needs history:
before `history.BASELINE_DAYS` of logs the jump carries no ratio and says when it will; with
fewer than 28 days logged the baseline averages the days logged, not zeros before the first log.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from coaching.analytics.common import Fact, Window, monday, percent_change, rounded, shown
from coaching.analytics.history import HistoryDepth
from coaching.analytics.ladder import rung_of
from store.grades import Discipline, GradeSystem, discipline_of
from store.records.journal import JournalEntry, SessionType

MonotonyBand = Literal["fine", "caution", "warning"]
JumpBand = Literal["below_typical", "typical", "above_typical", "sharp_jump"]

STRAIN_HIGH = 6000
"""Strain above this (AU) is linked with illness and overreaching (Foster)."""
ACUTE_DAYS, CHRONIC_DAYS = 7, 28
WARM_UP_DAYS = 84
"""Days of history read before today for the EWMA, whatever the period (its weight on the
starting value is then under 2 %)."""


class LoadWeek(Fact):
    """Seven days of load ending `end`."""

    start: date
    end: date
    load: float
    mean: float
    sd: float
    monotony: float | None
    monotony_band: MonotonyBand | None
    strain: float | None
    strain_high: bool
    note: str | None = None
    """Why monotony and strain are undefined, when they are."""


class LoadJump(Fact):
    """The last 7 days against the 4-week baseline (coupled: the 4 weeks include this one).

    `ratio`, `change_percent`, `band` and `ewma_ratio` are None until the climber has logged
    for `history.BASELINE_DAYS` (then `summary` says when comparisons start), and when nothing
    was logged in the last 4 weeks."""

    acute: float
    chronic: float
    """Average weekly load of the last 4 weeks (AU); with fewer than 28 days logged, of the
    days logged (at least a week's worth), so days before the first log are not zeros."""
    ratio: float | None
    change_percent: float | None
    band: JumpBand | None
    ewma_ratio: float | None
    """Acute:chronic of exponentially weighted daily loads (λ = 2/(N+1), N = 7 and 28)."""
    summary: str
    baseline_weeks: int = 4
    """The weeks the baseline covers (3 while the history is 22 to 27 days long)."""


class WeekRow(Fact):
    """One ISO week: what the charts of volume and weekly load plot."""

    week_start: date
    days: int
    """Days of the week up to today (7 except the current week)."""
    sessions: int
    minutes: int
    climbs: int
    attempts: int
    load: float
    unrated: int
    """Sessions without an RPE (no load counted)."""
    finger_sessions: int | None
    """None in the basic view (`coaching.analytics.levels`)."""


class FingerLoad(Fact):
    """What RPE × minutes under-weights: hangboard and board work and near-max climbs."""

    days: int
    hangboard_sessions: int
    hangboard_minutes: int
    board_sessions: int
    near_max_climbs: int
    """Climbs sent or tried within one grade of the discipline's max of the period."""
    finger_days: int
    """Days with any of the above."""


class LoadFacts(Fact):
    last_7_days: LoadWeek
    jump: LoadJump
    finger_last_7_days: FingerLoad | None
    finger_period: FingerLoad | None
    """Finger load is an advanced figure: None in the basic view (`coaching.analytics.levels`)."""
    weeks: list[WeekRow]
    unrated_sessions: int
    baseline_days: int
    """Days from the climber's first logged session to today, both counted, up to 28 (under
    28: a short baseline)."""


def session_load(entry: JournalEntry) -> float | None:
    """RPE × minutes (AU), None without an RPE."""
    return entry.session_load


def daily_loads(entries: Iterable[JournalEntry], start: date, end: date) -> list[float]:
    """The load of each day `start`..`end` (index 0 is `start`), rest days 0. O(n + days)."""
    span = (end - start).days + 1
    loads = [0.0] * max(span, 0)
    for entry in entries:
        offset = (entry.date - start).days
        if 0 <= offset < span and entry.rpe is not None:
            loads[offset] += entry.rpe * entry.duration_minutes
    return loads


def monotony_band(monotony: float) -> MonotonyBand:
    """< 1.5 fine, 1.5–2.0 caution, > 2.0 warning (on the displayed, 2-decimal value)."""
    shown = rounded(monotony, 2)
    if shown < 1.5:
        return "fine"
    return "caution" if shown <= 2.0 else "warning"


def week_load(daily: Sequence[float], end: date) -> LoadWeek:
    """Load, mean, population SD, monotony and strain of 7 daily loads ending `end`.

    With no variation (SD 0: all rest days, or the same load every day) monotony and strain
    are undefined and `note` says why, instead of dividing by zero. Raises `ValueError` unless
    there are exactly 7 loads.
    """
    if len(daily) != ACUTE_DAYS:
        raise ValueError(f"a week has 7 daily loads, not {len(daily)}")
    total = float(sum(daily))
    mean = statistics.fmean(daily)
    sd = statistics.pstdev(daily)
    monotony = mean / sd if sd > 0 else None
    note = None
    if monotony is None:
        note = (
            "no load logged in these 7 days: monotony and strain are undefined"
            if total == 0
            else "the same load every day (SD 0): monotony and strain are undefined"
        )
    strain = None if monotony is None else total * monotony
    return LoadWeek(
        start=end - timedelta(days=ACUTE_DAYS - 1),
        end=end,
        load=rounded(total),
        mean=rounded(mean, 1),
        sd=rounded(sd, 1),
        monotony=None if monotony is None else rounded(monotony, 2),
        monotony_band=None if monotony is None else monotony_band(monotony),
        strain=None if strain is None else rounded(strain),
        strain_high=strain is not None and strain > STRAIN_HIGH,
        note=note,
    )


def jump_band(ratio: float) -> JumpBand:
    """0.8–1.3 typical, ≥ 1.5 a sharp jump (on the displayed, 2-decimal value)."""
    shown = rounded(ratio, 2)
    if shown < 0.8:
        return "below_typical"
    if shown <= 1.3:
        return "typical"
    return "above_typical" if shown < 1.5 else "sharp_jump"


def baseline_average(weekly: Sequence[float], logged_days: int = CHRONIC_DAYS) -> float:
    """The average week of the 4 weekly loads `weekly`, of which only the last `logged_days`
    days (up to 28) follow the first log: their total over that many days, as a week's worth
    (never fewer than 7 days: a first week is not stretched into a weekly rate). With 28 days
    logged it is the plain mean of the 4 weeks."""
    if logged_days >= CHRONIC_DAYS:
        return statistics.fmean(weekly)
    return float(sum(weekly)) * ACUTE_DAYS / max(logged_days, ACUTE_DAYS)


def load_jump(
    weekly: Sequence[float], ewma: float | None = None, *, logged_days: int = CHRONIC_DAYS
) -> LoadJump:
    """The coupled 4-week acute:chronic ratio from 4 weekly loads, the last 7 days first;
    `logged_days`: how many of those 28 days follow the climber's first log (see
    `baseline_average`; callers make no comparison under `history.BASELINE_DAYS`).

    Raises `ValueError` unless there are exactly 4 weeks.
    """
    if len(weekly) != 4:
        raise ValueError(f"the baseline is 4 weekly loads, not {len(weekly)}")
    acute = float(weekly[0])
    chronic = baseline_average(weekly, logged_days)
    weeks = min(max(logged_days // ACUTE_DAYS, 1), 4)
    baseline = f"{weeks}-week baseline"
    ratio = acute / chronic if chronic > 0 else None
    change = percent_change(acute, chronic)
    if ratio is None:
        summary = "no load logged in the last 4 weeks, so there is no baseline to compare with"
    elif change is not None and change >= 0.5:
        summary = (
            f"your load rose {shown(change)} % over your {baseline} "
            f"({shown(acute)} AU this week vs {shown(chronic, 1)} AU a week on average)"
        )
        if jump_band(ratio) == "sharp_jump":
            summary = summary.replace("rose", "jumped", 1)
    elif change is not None and change <= -0.5:
        summary = (
            f"your load is {shown(-change)} % below your {baseline} "
            f"({shown(acute)} AU this week vs {shown(chronic, 1)} AU a week on average)"
        )
    else:
        summary = f"your load matches your {baseline} ({shown(acute)} AU this week)"
    return LoadJump(
        acute=rounded(acute),
        chronic=rounded(chronic, 1),
        ratio=None if ratio is None else rounded(ratio, 2),
        change_percent=change,
        band=None if ratio is None else jump_band(ratio),
        ewma_ratio=None if ewma is None else rounded(ewma, 2),
        summary=summary,
        baseline_weeks=weeks,
    )


def too_soon(weekly: Sequence[float], logged_days: int, note: str) -> LoadJump:
    """The jump of a climber without `history.BASELINE_DAYS` of logs: this week's load and the
    average of the days logged, but no ratio, change or band; `note` (the history's) is the
    summary, saying when comparisons start."""
    return LoadJump(
        acute=rounded(float(weekly[0])),
        chronic=rounded(baseline_average(weekly, logged_days), 1),
        ratio=None,
        change_percent=None,
        band=None,
        ewma_ratio=None,
        summary=note,
        baseline_weeks=0,
    )


def ewma_ratio(daily: Sequence[float], *, from_first_log: bool = False) -> float | None:
    """Acute:chronic ratio of exponentially weighted daily loads, oldest day first, starting
    from 0 (λ = 2/(N+1): N = 7 acute, 28 chronic). None when the chronic average is 0.

    `from_first_log`: `daily` begins on the climber's first logged day, so the 0 both averages
    start from is not history; each is divided by the weight its days carry, 1 − (1 − λ)^n (a
    bias-corrected EWMA), so a steady load reads 1.0 from the start instead of a jump."""
    acute_l, chronic_l = 2 / (ACUTE_DAYS + 1), 2 / (CHRONIC_DAYS + 1)
    acute = chronic = 0.0
    for load in daily:
        acute = load * acute_l + (1 - acute_l) * acute
        chronic = load * chronic_l + (1 - chronic_l) * chronic
    if from_first_log and daily:
        acute /= 1 - (1 - acute_l) ** len(daily)
        chronic /= 1 - (1 - chronic_l) ** len(daily)
    return acute / chronic if chronic > 0 else None


def weekly_rows(entries: Iterable[JournalEntry], window: Window) -> list[WeekRow]:
    """Sessions, minutes, climbs, attempts and load of every week of the window."""
    weeks = window.weeks()
    tallies = {week: _Week() for week in weeks}
    for entry in entries:
        tally = tallies.get(monday(entry.date))
        if tally is not None and entry.date <= window.today:
            tally.add(entry)
    return [
        WeekRow(
            week_start=week,
            days=min((window.today - week).days + 1, 7),
            sessions=tally.sessions,
            minutes=tally.minutes,
            climbs=tally.climbs,
            attempts=tally.attempts,
            load=rounded(tally.load),
            unrated=tally.unrated,
            finger_sessions=tally.finger_sessions,
        )
        for week, tally in tallies.items()
    ]


@dataclass
class _Week:
    sessions: int = 0
    minutes: int = 0
    climbs: int = 0
    attempts: int = 0
    load: float = 0.0
    unrated: int = 0
    finger_sessions: int = 0

    def add(self, entry: JournalEntry) -> None:
        resting = entry.session_type is SessionType.REST
        if not resting:
            self.sessions += 1
            self.minutes += entry.duration_minutes
            if entry.rpe is None:
                self.unrated += 1
        if entry.rpe is not None:
            self.load += entry.rpe * entry.duration_minutes
        self.climbs += sum(ref.count for ref in entry.grades_completed)
        self.attempts += sum(ref.count for ref in entry.grades_attempted)
        if entry.session_type in (SessionType.BOARD, SessionType.HANGBOARD):
            self.finger_sessions += 1


def finger_load(
    entries: Iterable[JournalEntry],
    start: date,
    end: date,
    near_max: Mapping[Discipline, int],
    systems: Mapping[Discipline, GradeSystem],
) -> FingerLoad:
    """Finger work of days `start`..`end`. `near_max` is the lowest rung (of `systems`' ladder)
    that counts as within one grade of max, per discipline."""
    hang = hang_minutes = board = near = 0
    finger_days: set[date] = set()
    for entry in entries:
        if not start <= entry.date <= end:
            continue
        busy = False
        if entry.session_type is SessionType.HANGBOARD:
            hang += 1
            hang_minutes += entry.duration_minutes
            busy = True
        elif entry.session_type is SessionType.BOARD:
            board += 1
            busy = True
        for ref in (*entry.grades_completed, *entry.grades_attempted):
            discipline = discipline_of(ref.system)
            floor = near_max.get(discipline)
            if floor is not None and rung_of(ref.score, ref.system, systems[discipline]).index >= (
                floor
            ):
                near += ref.count
                busy = True
        if busy:
            finger_days.add(entry.date)
    return FingerLoad(
        days=(end - start).days + 1,
        hangboard_sessions=hang,
        hangboard_minutes=hang_minutes,
        board_sessions=board,
        near_max_climbs=near,
        finger_days=len(finger_days),
    )


def load_facts(
    entries: Sequence[JournalEntry],
    window: Window,
    near_max: Mapping[Discipline, int],
    systems: Mapping[Discipline, GradeSystem],
    history: HistoryDepth,
) -> LoadFacts:
    """Every load figure for `window` from sessions read back to at least `WARM_UP_DAYS`
    before today; `history` (as of the window's today) decides whether the last 7 days are
    compared with a baseline. O(n + days)."""
    today = window.today
    history_start = min(window.first_week, today - timedelta(days=WARM_UP_DAYS - 1))
    daily = daily_loads(entries, history_start, today)
    weekly = [sum(daily[len(daily) - 7 * (k + 1) : len(daily) - 7 * k]) for k in range(4)]
    logged_days = min(history.days + 1, CHRONIC_DAYS)
    last_week_start = today - timedelta(days=ACUTE_DAYS - 1)
    if not history.enough_for_baseline:
        jump = too_soon(weekly, logged_days, history.note or "")
    elif history.first_log is not None and history.first_log > history_start:
        since_first = daily[(history.first_log - history_start).days :]
        jump = load_jump(
            weekly, ewma_ratio(since_first, from_first_log=True), logged_days=logged_days
        )
    else:
        jump = load_jump(weekly, ewma_ratio(daily), logged_days=logged_days)
    return LoadFacts(
        last_7_days=week_load(daily[-ACUTE_DAYS:], today),
        jump=jump,
        finger_last_7_days=finger_load(entries, last_week_start, today, near_max, systems),
        finger_period=finger_load(entries, window.start, today, near_max, systems),
        weeks=weekly_rows(entries, window),
        unrated_sessions=sum(
            1
            for entry in entries
            if window.contains(entry.date)
            and entry.rpe is None
            and entry.session_type is not SessionType.REST
        ),
        baseline_days=logged_days,
    )
