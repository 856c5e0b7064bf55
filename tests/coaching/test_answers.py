"""The offline coach answers the question asked, for every intent and several climbers: a
direct answer first, figures only from the facts, red flags referred, injury caps kept, one
phone screen, no jargon unless asked, and never the same body for two questions."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest

from coaching.analytics import ClimberAnalytics, Period, Window, compute
from coaching.analytics.common import shown
from coaching.analytics.levels import basic_view
from coaching.analytics.summary import Withheld
from coaching.intent import INTENTS, Intent, classify
from coaching.replies import OFFLINE, compose
from coaching.safety import REFERRAL, needs_referral
from store.records import AthleteProfile, NutritionProfile
from tests.coaching.builders import TODAY, food, goal, inputs, send, session
from tests.coaching.test_offline import busy_climber, new_climber, ungrounded

QUESTIONS: dict[Intent, str] = {
    "review": "how was my week?",
    "train_next": "what should I train next to reach V8?",
    "pain": "my finger hurts when I crimp, what should I do?",
    "rest_or_train": "should I rest tomorrow?",
    "technique": "any tips for overhangs?",
    "plan": "what's on my plan today?",
    "nutrition": "am I eating enough?",
    "motivation": "I feel stuck on a plateau",
    "grades": "is 7a harder than V5?",
    "app": "how do I log a session?",
    "unknown": "what's the weather like at Stanage?",
}

FIRST_SENTENCE: dict[Intent, re.Pattern[str]] = {
    "review": re.compile(r"^This week"),
    "train_next": re.compile(r"\btrain\b.* next"),
    "pain": re.compile(r"^Stop\b"),
    "rest_or_train": re.compile(r"^(?:Yes|No|Rest|Train)\b.*\b(?:rest|train)\b"),
    "technique": re.compile(r"overhang", re.IGNORECASE),
    "plan": re.compile(r"\bplan\b"),
    "nutrition": re.compile(r"\beat"),
    "motivation": re.compile(r"plateau"),
    "grades": re.compile(r"7a.*V5"),
    "app": re.compile(r"`/log`"),
    "unknown": re.compile(r"not sure what you're asking"),
}
"""What the first sentence of each intent's answer must say: it answers the question."""

JARGON = re.compile(r"monotony|\bstrain [\d,]+ AU|acute:chronic|EWMA|ACWR", re.IGNORECASE)
"""The load metrics by name: only when the climber asks for them."""
FINGER_WORK = ("Max hangs", "Campus", "Limit bouldering", "Intermittent hangs", "Board limit")


def first_sentence(text: str) -> str:
    body = text.removeprefix(OFFLINE).strip()
    return re.split(r"(?<=[.!?])\s", body, maxsplit=1)[0]


PLATEAUED_PROFILE = AthleteProfile.model_validate(
    {"yearsClimbing": 6, "weaknesses": ["slopers", "overhangs"]}
)


def plateaued() -> ClimberAnalytics:
    """A boulderer with six years of climbing, lots of sessions at the same max, no injury
    (their profile: `PLATEAUED_PROFILE`)."""
    entries = [
        session(TODAY - timedelta(days=ago), 90, 6, sent=["V5", "V5", "V4", "V4", "V4", "V3"] * 2)
        for ago in range(0, 29, 2)
    ]
    data = inputs(
        entries,
        [send(TODAY - timedelta(days=9), "V6", significance="milestone")],
        goals=[goal("V8 this year", TODAY - timedelta(days=60), type="grade", targetGrade="V8")],
        athlete=PLATEAUED_PROFILE,
    )
    return compute(data, Window(Period.DAYS_30, TODAY))


def one_session() -> ClimberAnalytics:
    """A brand-new climber: one two-hour session, today."""
    data = inputs([session(TODAY, 120, 7, sent=["V2", "V3"])])
    return compute(data, Window(Period.DAYS_30, TODAY))


def under_fuelled() -> ClimberAnalytics:
    entries = [session(TODAY - timedelta(days=ago), 90, 7, sent=["6b"]) for ago in (1, 2, 4)]
    profile = NutritionProfile.model_validate(
        {"weight": 70, "heightCm": 178, "age": 30, "sex": "male", "activityLevel": "active"}
    )
    logs = [food(TODAY - timedelta(days=ago), 1400, 60) for ago in (1, 2, 4)]
    return compute(inputs(entries, logs=logs, nutrition=profile), Window(Period.DAYS_30, TODAY))


CLIMBERS: dict[str, Callable[[], ClimberAnalytics]] = {
    "injured": busy_climber,
    "plateaued": plateaued,
    "new": new_climber,
    "one session": one_session,
    "under-fuelled": under_fuelled,
}


def answer(
    question: str, analytics: ClimberAnalytics | None, profile: AthleteProfile | None = None
) -> str:
    """The offline coach's reply, with the profile context assembly hands over (the plateaued
    climber's when those are their analytics)."""
    goals = analytics.goals if analytics is not None else []
    if profile is None and goals and goals[0].description == "V8 this year":
        profile = PLATEAUED_PROFILE
    return compose(question, analytics, intent=classify(question), profile=profile)


def test_the_questions_cover_every_intent_and_route_to_it() -> None:
    assert set(QUESTIONS) == set(INTENTS)
    for intent, question in QUESTIONS.items():
        assert classify(question) == intent, question


@pytest.mark.parametrize("climber", sorted(CLIMBERS))
@pytest.mark.parametrize("intent", INTENTS)
def test_each_answer_answers_first_from_the_facts_within_a_screen(
    intent: Intent, climber: str
) -> None:
    analytics = CLIMBERS[climber]()
    text = answer(QUESTIONS[intent], analytics)
    assert text.startswith(OFFLINE + " ")
    assert FIRST_SENTENCE[intent].search(first_sentence(text)), first_sentence(text)
    assert 80 <= len(text) <= 900, len(text)
    assert ungrounded(text, analytics) == set()
    assert JARGON.search(text) is None
    assert not re.search(r"\b1 (?:sessions|climbs|days|finger days|grades)\b", text)
    assert "Last 30 days" not in text


@pytest.mark.parametrize("climber", sorted(CLIMBERS))
def test_no_two_intents_give_the_same_body(climber: str) -> None:
    analytics = CLIMBERS[climber]()
    bodies = {answer(question, analytics) for question in QUESTIONS.values()}
    assert len(bodies) == len(QUESTIONS)


@pytest.mark.parametrize(
    "words",
    [
        "I heard a pop in my ring finger on a crimp",
        "my finger is swollen at the base",
        "my pulley is bowstringing, what do I do?",
        "it hurts to hold a cup, pain 6/10 all day",
        "my finger hurts to hold a cup of coffee",
        "ring finger aches at night, what should I do",
    ],
)
@pytest.mark.parametrize("climber", ["injured", "new"])
def test_red_flags_are_referred_right_after_the_direct_answer(words: str, climber: str) -> None:
    text = answer(words, CLIMBERS[climber]())
    assert classify(words) == "pain"
    direct, referral = text.split("\n\n")[:2]
    assert direct.startswith(f"{OFFLINE} Stop climbing on")
    assert referral == REFERRAL
    assert "diagnos" in text


@pytest.mark.parametrize(
    ("words", "red"),
    [
        ("it hurts to hold a cup", True),
        ("my finger hurts when I type", True),
        ("can't open a jar since Tuesday", True),
        ("finger pain at rest", True),
        ("my finger hurts when I crimp", False),
        ("hurts when I try to hold the bar", False),
        ("fingers sore after the board, should I rest tomorrow?", False),
    ],
)
def test_pain_in_daily_life_is_a_red_flag_and_climbing_pain_is_not(words: str, red: bool) -> None:
    assert needs_referral(words) is red


def test_pain_without_a_red_flag_asks_about_them_and_says_what_is_safe() -> None:
    text = answer(QUESTIONS["pain"], plateaued())
    assert REFERRAL not in text
    for flag in ("pop", "swelling", "5/10", "bowstringing"):
        assert flag in text
    assert "Meanwhile" in text
    assert "can't diagnose" in text
    assert not any(work in text for work in FINGER_WORK)


@pytest.mark.parametrize("intent", INTENTS)
def test_an_open_finger_injury_keeps_finger_work_out_of_every_answer(intent: Intent) -> None:
    text = answer(QUESTIONS[intent], busy_climber())
    assert not any(work in text for work in FINGER_WORK), text


def test_a_climber_ready_for_more_is_prescribed_strength_with_sets_and_rest() -> None:
    entries = [
        session(TODAY - timedelta(days=ago), 90, 7, sent=["V6", "V6", "V5"] * 2 + ["V4"] * 8)
        for ago in range(0, 29, 3)
    ]
    athlete = AthleteProfile.model_validate({"yearsClimbing": 6})
    analytics = compute(inputs(entries, athlete=athlete), Window(Period.DAYS_30, TODAY))
    text = answer(QUESTIONS["train_next"], analytics, profile=athlete)
    assert "train finger strength and power next" in text
    assert re.search(r"Next: [^.]*\d+ (?:sets|×)[^.]*\d+ s rest", text), text
    assert ungrounded(text, analytics) == set()
    # Without the years on the profile it is a newer climber's answer: no hangboard.
    newer = answer(QUESTIONS["train_next"], analytics)
    assert "movement and mileage" in newer
    assert "hang" not in newer.lower()


def test_rest_or_train_says_yes_or_no_from_the_climbers_numbers() -> None:
    sore = answer("should I rest tomorrow?", busy_climber())
    assert sore.startswith(f"{OFFLINE} Yes — rest tomorrow: ")
    fresh = answer("should I rest tomorrow?", one_session())
    assert fresh.startswith(
        f"{OFFLINE} No need to rest tomorrow: you've logged 1 session this week"
    )
    assert answer("should I climb today?", one_session()).startswith(f"{OFFLINE} Yes — train today")
    # Four finger days in a week (near-max climbs every session) are enough for a rest day.
    busy = answer("should I rest tomorrow?", plateaued())
    assert busy.startswith(f"{OFFLINE} Yes — rest tomorrow: you've had 4 finger days this week")
    assert answer("should I climb today?", busy_climber()).startswith(f"{OFFLINE} No — rest today")


def test_a_new_climber_hears_no_load_jump_and_when_comparisons_start() -> None:
    analytics = one_session()
    text = answer(QUESTIONS["review"], analytics)
    assert text.startswith(f"{OFFLINE} This week you logged 1 session (120 min) and sent 2 climbs.")
    assert "jump" not in text
    assert "%" not in text
    assert f"start on {TODAY + timedelta(days=21)}" in text


def test_the_week_review_compares_with_the_usual_week_once_there_is_history() -> None:
    text = answer(QUESTIONS["review"], busy_climber())
    assert "above your usual week" in text
    assert "(effort × minutes)" in text


def test_a_basic_tier_climber_with_history_hears_the_load_and_no_start_date_past() -> None:
    analytics = busy_climber()
    withheld = Withheld(parts=["load comparisons"], message="Pro adds the comparison.", tier="pro")
    text = answer(QUESTIONS["review"], basic_view(analytics, withheld))
    assert f"was {shown(analytics.load.jump.acute)} AU this week. Pro adds the comparison." in text
    assert "start on" not in text  # comparisons started long ago; the tier does not show them
    assert "%" not in text


def test_jargon_only_on_request_and_then_explained() -> None:
    analytics = busy_climber()
    asked = answer("how was my week? what's my monotony and strain?", analytics)
    assert "Monotony" in asked
    assert "how alike your days' loads are" in asked
    assert "Strain" in asked
    assert ungrounded(asked, analytics) == set()


def test_detail_lifts_the_phone_screen_limit_and_shows_more_facts() -> None:
    analytics = busy_climber()
    short = answer("how was my week?", analytics)
    long = answer("how was my week? explain in detail", analytics)
    assert short.count("\n- ") <= 3
    assert long.count("\n- ") > short.count("\n- ")


def test_grades_come_from_the_grade_tables() -> None:
    across = answer("is 7a harder than V5?", plateaued())
    assert "don't compare directly" in across
    assert "route grade" in across
    assert "boulder grade" in across
    same = answer("is 6b+ easier than 6c?", plateaued())
    assert same.startswith(f"{OFFLINE} Yes") is False
    assert "6b+ is easier than 6c" in same
    converted = answer("what is V5 in Font?", None)
    assert converted.startswith(f"{OFFLINE} V5 is ≈6C in Font")


def test_app_and_unknown_are_short_and_need_no_numbers() -> None:
    how = answer("how do I undo that?", None)
    assert "`/undo`" in how
    unknown = answer("tell me a joke", None)
    assert len(unknown) < 400
    assert "/help" in unknown
    assert "This week" not in unknown


def test_a_technique_question_prescribes_drills_for_its_style() -> None:
    analytics = plateaued()
    slab = answer("how do I get better at slab?", analytics)
    assert "Slab smearing practice" in slab
    steep = answer("any tips for overhangs?", analytics)
    assert "Drop-knee" in steep or "Flagging" in steep
    assert slab != steep
