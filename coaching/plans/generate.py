"""Generating a periodised training plan in code, from the climber's own data.

`generate(inputs, library)` is pure and deterministic: the same inputs and library give the same
plan. It lays out the cycle (`cycle`), fills each week with the phase's pattern of sessions
(`week`) on the climber's days, caps every day by the injuries open on it, scales the week to
its load target (at most 10 % above the last build week, a deload of 45 % after three build
weeks), checks finger spacing and hard days across week boundaries, and chooses the exercises
(`exercises`). Every day says why it holds what it holds; the plan lists what it assumed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from coaching.plans.cycle import Cycle, PhaseKind, cycle_of, deload_weeks
from coaching.plans.exercises import (
    CATEGORIES,
    WARM_UP,
    Climber,
    choose,
    dose,
    grade_band,
    worked_weaknesses,
)
from coaching.plans.inputs import OpenInjury, PlanInputs
from coaching.plans.rules import (
    DELOAD_FACTOR,
    FINGER_REST_DAYS,
    FLOOR_WEEK_LOAD,
    LONGEST_SESSION,
    MAX_HARD_IN_A_ROW,
    MAX_WEEKLY_RISE,
    NOVICE_YEARS,
    RULES_VERSION,
    SESSION_RPE,
    SHORTEST_SESSION,
    SHORTEST_TRAINING_SESSION,
    day_load,
    is_finger_day,
    is_hard_day,
)
from coaching.plans.week import DEFAULT_DAYS, NOVICE_DAYS, Slot, needs, pattern
from store.records.reference import Exercise
from store.records.training import (
    WEEKDAYS,
    DayPlan,
    DayType,
    Generation,
    Intensity,
    PlanPhase,
    PlanWeek,
    TrainingPlanIn,
    WeeklyStructure,
)

PHASE_NAMES = {
    PhaseKind.RETURN: "Return to climbing",
    PhaseKind.BASE: "Skill and stamina",
    PhaseKind.STRENGTH: "Strength and power",
    PhaseKind.POWER_ENDURANCE: "Power endurance",
    PhaseKind.REST: "Rest",
}
PURPOSES = {
    PhaseKind.RETURN: "Easy climbing only, rising slowly, until every open injury allows full "
    "training (Schöffl's return-to-climbing dates).",
    PhaseKind.BASE: "Lots of mileage one to two grades below your max, skill drills, no "
    "projecting: the base the harder phases build on.",
    PhaseKind.STRENGTH: "Maximum strength and power: hard bouldering and finger strength, "
    "finger days 48 h apart.",
    PhaseKind.POWER_ENDURANCE: "Anaerobic endurance: linked hard moves and intervals, one "
    "power day to keep the strength.",
    PhaseKind.REST: "Rest and light climbing so the training sinks in (and you arrive fresh).",
}
PREFER: dict[tuple[PhaseKind, DayType], tuple[str, ...]] = {
    (PhaseKind.BASE, DayType.ENDURANCE): ("aerobic",),
    (PhaseKind.POWER_ENDURANCE, DayType.ENDURANCE): ("anaerobic", "power-endurance"),
    (PhaseKind.BASE, DayType.STRENGTH): ("tendon", "finger"),
    (PhaseKind.STRENGTH, DayType.STRENGTH): ("finger", "pulling"),
    (PhaseKind.STRENGTH, DayType.POWER): ("power", "recruitment"),
    (PhaseKind.POWER_ENDURANCE, DayType.POWER): ("power", "recruitment"),
}
"""What a phase's day is for, as words of the library's `focus` (preferred when choosing)."""
AVOID: dict[tuple[PhaseKind, DayType], tuple[str, ...]] = {
    (PhaseKind.BASE, DayType.ENDURANCE): ("anaerobic", "power-endurance"),
}
"""What a phase's day must not hold: the base phase is aerobic mileage, not pump intervals."""
WEEKDAY_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_EASIER = {Intensity.MAX: Intensity.HIGH, Intensity.HIGH: Intensity.MODERATE}
_MILEAGE = frozenset({DayType.ENDURANCE, DayType.TECHNIQUE})
"""Days that still do their work at low intensity (mileage, drills); a strength or power day
at low intensity would not, so it is dropped instead."""


def _eased(slot: Slot) -> Intensity | None:
    """The next easier intensity `slot` may take to fit a week's limit, or None."""
    if slot.intensity is Intensity.MODERATE and slot.type in _MILEAGE:
        return Intensity.LOW
    return _EASIER.get(slot.intensity)


@dataclass(frozen=True)
class _Context:
    inputs: PlanInputs
    library: Sequence[Exercise]
    novice: bool
    years: float
    days: tuple[int, ...]


def generate(inputs: PlanInputs, library: Sequence[Exercise]) -> TrainingPlanIn:
    """The plan for `inputs` (see the module doc). Pure; never raises for missing data:
    what it had to assume is listed in `assumptions`. The library's order does not matter (it
    is read in id order), so a seeded table and the packaged files give the same plan."""
    library = sorted(library, key=lambda exercise: exercise.id)
    cycle = cycle_of(inputs)
    years = inputs.years_climbing if inputs.years_climbing is not None else 0.0
    novice = years < NOVICE_YEARS
    custom = inputs.customisation
    chosen = (custom.days if custom and custom.days else None) or inputs.training_days
    days = tuple(sorted(set(chosen))) if chosen else (NOVICE_DAYS if novice else DEFAULT_DAYS)
    context = _Context(inputs, library, novice, years, days)
    phases = _phases(cycle)
    weeks = _weeks(context, cycle)
    emphasis = custom.emphasis if custom else None
    return TrainingPlanIn(
        name=_name(inputs, cycle),
        weekly_structure=weeks[0].days if weeks else WeeklyStructure(),
        goals=[inputs.goal.description] if inputs.goal else [],
        start_date=cycle.start,
        end_date=cycle.end,
        active=True,
        phases=phases,
        weeks=weeks,
        assumptions=_assumptions(context, cycle),
        generated=Generation(rules=RULES_VERSION, emphasis=emphasis, inputs=_inputs(context)),
    )


def _name(inputs: PlanInputs, cycle: Cycle) -> str:
    goal = inputs.goal
    if goal and goal.grade and goal.target_date:
        return f"{goal.grade} by {goal.target_date.isoformat()}: {cycle.weeks}-week plan"
    if goal and goal.grade:
        return f"Toward {goal.grade}: {cycle.weeks}-week plan"
    return f"{cycle.weeks}-week training plan"


def _phases(cycle: Cycle) -> list[PlanPhase]:
    result = []
    start = cycle.start
    for spec in cycle.phases:
        end = start + timedelta(weeks=spec.weeks, days=-1)
        result.append(
            PlanPhase(
                name=PHASE_NAMES[spec.kind],
                purpose=PURPOSES[spec.kind],
                start_date=start,
                end_date=end,
            )
        )
        start = end + timedelta(days=1)
    return result


def _weeks(context: _Context, cycle: Cycle) -> list[PlanWeek]:
    deloads = deload_weeks(cycle.phases)
    kinds = [
        (index, spec.kind) for index, spec in enumerate(cycle.phases) for _ in range(spec.weeks)
    ]
    baseline = context.inputs.recent_weekly_load
    last_build: int | None = None
    history: list[tuple[date, DayPlan]] = []
    weeks: list[PlanWeek] = []
    in_phase = 0
    for number, ((phase, kind), deload) in enumerate(zip(kinds, deloads, strict=True)):
        monday = cycle.start + timedelta(weeks=number)
        in_phase = in_phase + 1 if number and kinds[number - 1][0] == phase else 0
        slots = _slots(context, kind, monday, deload)
        slots = _settle(slots, monday, history)
        natural = sum(SESSION_RPE[s.intensity] * s.minutes for s in slots)
        if deload and last_build:
            limit = round(DELOAD_FACTOR * last_build)
        elif deload:
            # A plan that opens with a deload (a goal this week): half its sessions, and no
            # more than a deload of the climber's own recent weeks (or the floor) allows.
            limit = round(natural * 0.5)
            if baseline is not None:
                limit = min(limit, max(round(DELOAD_FACTOR * baseline), FLOOR_WEEK_LOAD))
        elif last_build is not None:
            limit = max(round(last_build * (1 + MAX_WEEKLY_RISE)), FLOOR_WEEK_LOAD)
        elif baseline is not None:
            limit = max(round(baseline * (1 + MAX_WEEKLY_RISE)), FLOOR_WEEK_LOAD)
        else:
            limit = natural
        # A little progression within a phase, never above the limit.
        target = min(limit, round(natural * (1 + 0.05 * in_phase)))
        slots = _scale(slots, target, limit)
        days = {s.weekday: _day(context, kind, s, monday, deload) for s in slots}
        structure = WeeklyStructure(
            **{
                name: days.get(i) or _rest_day(context, monday + timedelta(days=i))
                for i, name in enumerate(WEEKDAYS)
            }
        )
        load = sum(day_load(structure.day(i)) for i in range(7))
        if not deload:
            last_build = load
        history.extend((monday + timedelta(days=i), structure.day(i)) for i in range(7))
        weeks.append(
            PlanWeek(
                start_date=monday, phase=phase, deload=deload, target_load=load, days=structure
            )
        )
    return weeks


def _injuries_on(context: _Context, day: date) -> list[OpenInjury]:
    return [i for i in context.inputs.injuries if i.full_from is None or day < i.full_from]


def _slots(context: _Context, kind: PhaseKind, monday: date, deload: bool) -> list[Slot]:
    """The week's sessions before scaling, capped by the injuries open on each day."""
    emphasis = context.inputs.customisation.emphasis if context.inputs.customisation else None
    slots = pattern(kind, context.days, needs(kind, novice=context.novice, emphasis=emphasis))
    capped: list[Slot] = []
    for slot in slots:
        day = monday + timedelta(days=slot.weekday)
        open_now = _injuries_on(context, day)
        if any(i.easy_from is not None and day < i.easy_from for i in open_now):
            continue  # no climbing yet: a rest day (see `_rest_day`)
        if open_now or kind is PhaseKind.RETURN:
            slot = replace(
                slot,
                type=DayType.TECHNIQUE,
                intensity=Intensity.LOW,
                minutes=min(slot.minutes, 60),
                role="easy climbing within your injury's limits",
            )
        elif deload:
            slot = replace(slot, intensity=_EASIER.get(slot.intensity, slot.intensity))
        capped.append(slot)
    return capped


def _settle(slots: list[Slot], monday: date, history: list[tuple[date, DayPlan]]) -> list[Slot]:
    """Keep the rules across the boundary with the weeks before: a finger day within 48 h of
    the last one, or a hard day that would make three in a row, becomes an easy technique day."""
    last_finger = max((d for d, plan in history if is_finger_day(plan)), default=None)
    hard_days = {d for d, plan in history if is_hard_day(plan)}
    settled: list[Slot] = []
    for slot in slots:
        day = monday + timedelta(days=slot.weekday)
        finger = slot.type in (DayType.STRENGTH, DayType.POWER)
        hard = slot.intensity in (Intensity.HIGH, Intensity.MAX)
        too_soon = (
            finger and last_finger is not None and (day - last_finger).days < FINGER_REST_DAYS
        )
        run = 1
        while hard and day - timedelta(days=run) in hard_days:
            run += 1
        if too_soon or (hard and run > MAX_HARD_IN_A_ROW):
            slot = replace(
                slot,
                type=DayType.TECHNIQUE,
                intensity=Intensity.LOW,
                role="skill at an easy grade (recovery after the days before)",
            )
            finger = hard = False
        if finger:
            last_finger = day
        if hard:
            hard_days.add(day)
        settled.append(slot)
    return settled


def _shortest(slot: Slot) -> int:
    easy = slot.type is DayType.TECHNIQUE and slot.intensity is Intensity.LOW
    return SHORTEST_SESSION if easy else SHORTEST_TRAINING_SESSION


def _round5(minutes: float) -> int:
    return int(5 * round(minutes / 5))


def _scale(slots: list[Slot], target: int, limit: int) -> list[Slot]:
    """Session minutes scaled so the week's load is about `target` and never above `limit`;
    if even the shortest sessions exceed it, the easiest sessions are dropped."""
    natural = sum(SESSION_RPE[s.intensity] * s.minutes for s in slots)
    if not slots or natural == 0:
        return slots
    factor = target / natural
    scaled = [
        replace(s, minutes=min(LONGEST_SESSION, max(_shortest(s), _round5(s.minutes * factor))))
        for s in slots
    ]

    def load(items: list[Slot]) -> int:
        return sum(SESSION_RPE[s.intensity] * s.minutes for s in items)

    while load(scaled) > limit:
        shrinkable = [i for i, s in enumerate(scaled) if s.minutes > _shortest(s)]
        if shrinkable:
            longest = max(shrinkable, key=lambda i: (scaled[i].minutes, -i))
            scaled[longest] = replace(scaled[longest], minutes=scaled[longest].minutes - 5)
            continue
        # Still too much at the shortest sessions: ease the hardest one before dropping any.
        easable = [i for i, s in enumerate(scaled) if _eased(s) is not None]
        if easable:
            hardest = max(easable, key=lambda i: (SESSION_RPE[scaled[i].intensity], -i))
            eased = _eased(scaled[hardest])
            assert eased is not None
            scaled[hardest] = replace(scaled[hardest], intensity=eased)
            continue
        easiest = min(range(len(scaled)), key=lambda i: (SESSION_RPE[scaled[i].intensity], -i))
        scaled.pop(easiest)
        if not scaled:
            break
    return scaled


def _climber(context: _Context, day: date) -> Climber:
    inputs = context.inputs
    ruled_out = frozenset().union(*(i.rules_out for i in _injuries_on(context, day)))
    return Climber(
        level=inputs.level,
        years=context.years,
        novice=context.novice,
        ruled_out=ruled_out,
        weaknesses=inputs.weaknesses,
        emphasis=inputs.customisation.emphasis if inputs.customisation else None,
    )


def _day(context: _Context, kind: PhaseKind, slot: Slot, monday: date, deload: bool) -> DayPlan:
    day = monday + timedelta(days=slot.weekday)
    climber = _climber(context, day)
    easy = deload or slot.intensity is Intensity.LOW
    band = grade_band(context.inputs.level, slot.type, slot.intensity)
    recovery = deload or kind in (PhaseKind.REST, PhaseKind.RETURN)
    prefer = PREFER.get((kind, slot.type), ())
    avoid = AVOID.get((kind, slot.type), ())
    chosen = choose(
        context.library, slot.type, climber, prefer=prefer, avoid=avoid, recovery=recovery
    )
    warm_up = [e for e in context.library if e.id == WARM_UP]
    exercises = [dose(e, easy=easy, band=band) for e in [*warm_up, *chosen]]
    own = CATEGORIES.get(slot.type, ())
    # A day without exercises of its own kind (a novice's bouldering day) is named for its role.
    focus = ", ".join(e.name for e in chosen if e.category in own) or slot.role
    return DayPlan(
        type=slot.type,
        focus=focus[:200],
        duration_minutes=slot.minutes,
        intensity=slot.intensity,
        exercises=exercises,
        reason=_reason(context, kind, slot, day, deload, band, worked_weaknesses(chosen, climber)),
    )


def _reason(
    context: _Context,
    kind: PhaseKind,
    slot: Slot,
    day: date,
    deload: bool,
    band: str | None,
    weaknesses: list[str],
) -> str:
    inputs = context.inputs
    parts = [f"{slot.role[0].upper()}{slot.role[1:]} ({PHASE_NAMES[kind].lower()} phase)"]
    if band and inputs.level:
        parts.append(f"at {band}: your max is {inputs.level.grade}")
    if slot.type in (DayType.STRENGTH, DayType.POWER):
        parts.append("fingers fresh: at least 48 h since the last finger session")
    if deload:
        parts.append("deload week: about 45 % less load than the last build week")
    for injury in _injuries_on(context, day):
        if injury.full_from:
            parts.append(f"easy only until {injury.full_from.isoformat()} ({injury.label})")
        else:
            parts.append(f"easy only while your {injury.label} is open (no date to return by)")
    if weaknesses:
        parts.append(f"works on your weakness: {', '.join(weaknesses[:2])}")
    parts.append(f"{WEEKDAY_SHORT[slot.weekday]} is one of your training days")
    return "; ".join(parts)[:1000]


def _rest_day(context: _Context, day: date) -> DayPlan:
    blocked = [i for i in _injuries_on(context, day) if i.easy_from and day < i.easy_from]
    if blocked:
        first = blocked[0]
        reason = (
            f"No climbing until {first.easy_from.isoformat() if first.easy_from else ''} "
            f"({first.label}): rehab and mobility as your clinician advises"
        )
    elif day.weekday() in context.days:
        reason = "Rest: the week's load stays within its limit"
    else:
        reason = "Rest: not one of your training days; tendons recover in 48–72 h"
    return DayPlan(type=DayType.REST, reason=reason)


def _assumptions(context: _Context, cycle: Cycle) -> list[str]:
    inputs = context.inputs
    said: list[str] = [f"Length: {cycle.why}."]
    if inputs.years_climbing is None:
        said.append(
            "You haven't said how long you've climbed: the plan assumes under "
            f"{NOVICE_YEARS:g} years (skill and volume, no hangboard or campus). Set it with "
            "/profile years N."
        )
    elif context.novice:
        said.append(
            f"Under {NOVICE_YEARS:g} years of climbing: skill and volume, no hangboard or "
            "campus (tendons adapt slower than muscle)."
        )
    chosen = inputs.training_days or (inputs.customisation.days if inputs.customisation else None)
    if not chosen:
        days = ", ".join(WEEKDAY_SHORT[d] for d in context.days)
        said.append(
            f"No training days in your profile: the plan uses {days}. Set yours with "
            "/profile days mon wed fri."
        )
    if inputs.level is None:
        said.append("No sends logged yet: grade targets are left open until you log some.")
    if inputs.recent_weekly_load is None:
        said.append("No logged weeks to start from: the first week is the plan's default volume.")
    for injury in inputs.injuries:
        if injury.full_from is None:
            said.append(
                f"Your {injury.label} has no grade and no expected return date ahead, so the "
                "whole plan stays easy; mark it recovered (/injury recovered N) and make a new "
                "plan when it is."
            )
        elif injury.expected:
            said.append(
                f"Your {injury.label} has no grade: the plan keeps to easy climbing until "
                f"{injury.full_from.isoformat()}, the date you expected to be back. If it "
                "still hurts then, stay easy and see a clinician."
            )
        else:
            easy = injury.easy_from.isoformat() if injury.easy_from else "now"
            said.append(
                f"Your {injury.label} is open: easy climbing from {easy}, full training from "
                f"{injury.full_from.isoformat()}; until then the plan holds easy climbing only."
            )
    goal = inputs.goal
    if (
        goal
        and goal.target_date
        and any(i.full_from is None or i.full_from >= goal.target_date for i in inputs.injuries)
    ):
        said.append(
            "Your goal date comes before full training is allowed again: consider moving it."
        )
    return said[:20]


def _inputs(context: _Context) -> list[str]:
    inputs = context.inputs
    read = [f"today {inputs.today.isoformat()}"]
    if inputs.years_climbing is not None:
        read.append(f"{inputs.years_climbing:g} years climbing")
    if inputs.level:
        read.append(f"max {inputs.level.grade} ({inputs.level.discipline.value})")
    if inputs.goal:
        when = f" by {inputs.goal.target_date.isoformat()}" if inputs.goal.target_date else ""
        read.append(f"goal: {inputs.goal.description}{when}")
    if inputs.recent_weekly_load is not None:
        read.append(f"recent weekly load {round(inputs.recent_weekly_load):,} AU")
    if inputs.weaknesses:
        read.append(f"weaknesses: {', '.join(inputs.weaknesses)}")
    read.append("days: " + ", ".join(WEEKDAY_SHORT[d] for d in context.days))
    read.extend(f"open injury: {i.label}" for i in inputs.injuries)
    return [item[:300] for item in read][:30]
