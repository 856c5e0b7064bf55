"""What a real model is told about answering: the question's type and the direct answer it must
open with, the shape of every reply, the markdown subset the web UI renders, and exercises
from the library chosen in code for this climber (their level and open injuries respected),
with sets, reps and rest. Through a real table, as the app assembles a turn."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest

from coaching.plans import PlanInputs
from context.answering import DIRECT_ANSWERS, GENERAL, MARKDOWN_RULE, SHAPE_RULE, direct_answer
from context.assembly import EXERCISES_TITLE, RULES
from context.budget import DEFAULT_BUDGET
from context.exercises import choose_for
from core.caller import Caller
from core.model import prompt_tokens
from store.records import InjuryIn
from store.records.athlete import AthleteProfileIn
from store.records.reference import Exercise
from store.records.sends import BenchmarkSendIn
from store.repos import AthleteRepo, InjuryRepo, SendRepo
from store.seed import load_reference
from store.table import Table
from tests.coaching.builders import TODAY
from tests.context.test_assembly import coach, sqlite, user_text

__all__ = ["sqlite"]  # the fixture, shared with the assembly tests

FINGER_GEAR = ("hangboard", "campus", "board")
QUESTIONS = (
    "what should I train next to reach V8?",
    "how do I get better on crimps?",
    "any tips for slab?",
    "should I rest tomorrow?",
    "how was my week?",
    "I've lost my motivation lately",
    "is 7a harder than V5?",
    "how do I log a session?",
    "what should I eat before a session?",
)


async def seed_climber(
    table: Table,
    user: str,
    *,
    years: float = 6,
    weaknesses: Sequence[str] = ("crimps",),
    finger_injury: bool = False,
) -> None:
    """An experienced boulderer (V7 sent last week) whose weakness is crimps; optionally with
    an open ring-finger pulley strain."""
    await AthleteRepo(table).put(
        user, AthleteProfileIn(years_climbing=years, weaknesses=list(weaknesses))
    )
    await SendRepo(table).create(
        user, BenchmarkSendIn(grade="V7", date=TODAY - timedelta(days=6), discipline="boulder")
    )
    if finger_injury:
        await InjuryRepo(table).create(
            user,
            InjuryIn(
                type="A2 pulley strain",
                body_part="ring finger",
                side="left",
                date=TODAY - timedelta(days=3),
            ),
        )


def library() -> list[Exercise]:
    return sorted(load_reference().exercises, key=lambda exercise: exercise.id)


def by_id(ids: Sequence[str]) -> list[Exercise]:
    known = {exercise.id: exercise for exercise in library()}
    return [known[name] for name in ids]


def loads_fingers(exercise: Exercise) -> bool:
    gear = " ".join(exercise.equipment).lower()
    return any(word in gear for word in FINGER_GEAR) or "open-finger-injury" in (
        exercise.contraindications
    )


async def test_the_question_type_and_its_direct_answer_end_the_user_turn(sqlite: Table) -> None:
    await seed_climber(sqlite, "alice")
    for question in QUESTIONS:
        assembled = await coach(sqlite).assemble(Caller("alice"), question)
        intent = assembled.prompt.facts["intent"]
        last = assembled.prompt.messages[-1].content
        assert last.endswith(f"ANSWER FIRST: {direct_answer(str(intent))}"), question
        assert "QUESTION TYPE (computed in code): " in last
        # After the climber's message, outside its fence: the climber cannot have written it.
        assert last.index("</climber_message>") < last.index("ANSWER FIRST:")


def test_each_kind_of_question_is_told_what_to_open_with() -> None:
    assert "yes or no" in direct_answer("rest_or_train")
    pain = direct_answer("pain")
    assert "stop what hurts" in pain
    for flag in ("pop", "swelling", "5/10", "bowstringing", "clinician", "Never diagnose"):
        assert flag in pain
    assert "harder" in direct_answer("grades")
    assert "/log" in direct_answer("app")
    # A name no classifier used yet gets the honest general instruction, never a dump.
    assert direct_answer("astrology") == GENERAL
    assert direct_answer("unknown") == GENERAL
    assert len(set(DIRECT_ANSWERS.values())) >= 11


async def test_every_reply_has_the_shape_and_the_markdown_of_the_ui(sqlite: Table) -> None:
    await seed_climber(sqlite, "alice")
    assembled = await coach(sqlite).assemble(Caller("alice"), "how was my week?")
    system = assembled.prompt.system
    assert system.endswith(RULES)
    assert SHAPE_RULE in system
    assert MARKDOWN_RULE in system
    assert "at most three supporting facts" in system
    assert "one concrete next step" in system
    for allowed in ("**bold**", "bulleted", "numbered", "blank line"):
        assert allowed in MARKDOWN_RULE
    for banned in ("headings", "links", "tables", "code", "HTML"):
        assert banned in MARKDOWN_RULE
    assert prompt_tokens(assembled.prompt) <= DEFAULT_BUDGET


async def test_train_next_shows_exercises_for_the_weakest_area_with_their_dose(
    sqlite: Table,
) -> None:
    await seed_climber(sqlite, "alice")
    assembled = await coach(sqlite).assemble(
        Caller("alice"), "what should I train next to reach V8?"
    )
    chosen = by_id(assembled.used["exercises"])
    assert chosen, "an experienced climber asking what to train is shown exercises"
    # Crimps are the weakness: finger strength, from the library, with a concrete dose.
    assert any("finger flexors" in exercise.focus for exercise in chosen)
    text = user_text(assembled)
    block = text[text.index(EXERCISES_TITLE) :]
    block = block[: block.index("</exercises>")]
    for exercise in chosen:
        assert exercise.name in block
    assert " × " in block
    assert " s rest" in block
    doses = assembled.prompt.facts["exercises"]
    assert [dose["exerciseId"] for dose in doses] == assembled.used["exercises"]
    assert all(dose.get("restSeconds") for dose in doses)


async def test_an_open_finger_injury_rules_out_hangboard_campus_and_board(
    sqlite: Table,
) -> None:
    await seed_climber(sqlite, "healthy")
    await seed_climber(sqlite, "injured", finger_injury=True)
    healthy = await coach(sqlite).assemble(Caller("healthy"), "what should I train next?")
    assert any(loads_fingers(e) for e in by_id(healthy.used["exercises"]))  # the control
    for question in QUESTIONS:
        injured = await coach(sqlite).assemble(Caller("injured"), question)
        for exercise in by_id(injured.used["exercises"]):
            assert not loads_fingers(exercise), (question, exercise.id)


async def test_finger_pain_in_the_message_alone_puts_recovery_first(sqlite: Table) -> None:
    await seed_climber(sqlite, "alice")  # nothing logged as injured
    assembled = await coach(sqlite).assemble(
        Caller("alice"), "my finger hurts when I crimp, what should I do?"
    )
    chosen = by_id(assembled.used["exercises"])
    assert chosen
    assert chosen[0].category == "recovery"
    assert not any(loads_fingers(exercise) for exercise in chosen)


async def test_a_technique_question_gets_drills_for_the_style_it_names(sqlite: Table) -> None:
    await seed_climber(sqlite, "alice")
    slab = await coach(sqlite).assemble(Caller("alice"), "any tips for slab?")
    assert slab.used["exercises"][0] == "slab-footwork"
    steep = await coach(sqlite).assemble(Caller("alice"), "how do I climb overhangs better?")
    assert steep.used["exercises"][0] == "drop-knee-drill"


async def test_a_novice_is_never_shown_hangboard_or_campus(sqlite: Table) -> None:
    await seed_climber(sqlite, "novice", years=0.5, weaknesses=["crimps", "power"])
    for question in QUESTIONS:
        assembled = await coach(sqlite).assemble(Caller("novice"), question)
        assert not any(loads_fingers(e) for e in by_id(assembled.used["exercises"])), question


@pytest.mark.parametrize(
    "intent", ["train_next", "technique", "pain", "rest_or_train", "plan", "review", "new-one"]
)
async def test_whatever_the_intents_name_a_novice_gets_no_finger_loading(intent: str) -> None:
    novice = PlanInputs(today=TODAY, years_climbing=0.5, weaknesses=("crimps", "power"))
    picks = choose_for(intent, "crimp power campus hangboard", library(), novice)
    assert not any(loads_fingers(exercise) for exercise in picks.library)


def test_intents_that_need_no_exercise_get_none_and_unknown_names_get_safe_drills() -> None:
    climber = PlanInputs(today=TODAY, years_climbing=8, weaknesses=("crimps",))
    for intent in ("nutrition", "grades", "app", "unknown"):
        assert choose_for(intent, "anything", library(), climber).exercises == ()
    fallback = choose_for("something-new", "anything", library(), climber)
    assert fallback.exercises
    assert not any(loads_fingers(e) for e in fallback.library)
    # A plan question with an active plan: today's session is the next step.
    with_plan = choose_for("plan", "what's on today?", library(), climber, plan_active=True)
    assert with_plan.lines() == []


def test_an_exercise_line_carries_its_dose_focus_and_a_safety_note() -> None:
    chosen = choose_for("technique", "slab", library(), PlanInputs(today=TODAY, years_climbing=8))
    line = chosen.lines()[0]
    assert line.startswith("- Slab smearing practice: ")
    assert " s rest" in line
    assert "Trains: footwork" in line
    assert "Safety: " in line
