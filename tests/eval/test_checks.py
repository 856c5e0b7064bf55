"""The checks themselves: a good hand-written reply passes each, a bad one fails each, for the
reason a climber would notice."""

from __future__ import annotations

from datetime import date

import pytest

from coaching.safety import REFERRAL
from tests.eval.checks import (
    CHECKS,
    Answer,
    Caps,
    Grounds,
    distinct,
    first_sentence,
    numbers_in,
    plain,
)
from tests.eval.histories import TODAY
from tests.eval.questions import Intent, Question

GROUNDS = Grounds(TODAY)
GROUNDS.add_rules()
for figure in (6, 5415, 2490, 117.5):
    GROUNDS.add_number(figure)
GROUNDS.dates.add(date(2026, 6, 8))
FINGER = Caps(
    ("right ring finger A2 pulley strain (grade II)",), ("Max hangs (Eva López MaxHangs)",)
)


def ask(
    intent: Intent,
    text: str,
    reply: str,
    *,
    red_flag: bool = False,
    detail: bool = False,
    caps: Caps | None = None,
    history_days: int | None = 28,
    history: str = "high_load",
) -> Answer:
    question = Question(
        id=f"q-{intent.replace('_', '-')}",
        history=history,
        intent=intent,
        text=text,
        red_flag=red_flag,
        detail=detail,
    )
    return Answer(question, reply, intent, GROUNDS, caps, history_days=history_days)


GOOD_REST = (
    "Offline coach · Yes — rest tomorrow: you climbed hard 3 days running and your fingers are "
    "at 6/10.\n\n- Last 7 days: **5,415 AU**, up 117.5 % on your 4-week baseline.\n"
    "- Tendons recover in 48–72 h.\n\nNext: an easy day after, then back to your plan."
)


def failed(answer: Answer) -> dict[str, str]:
    return {name: why for name, check in CHECKS.items() if (why := check(answer)) is not None}


def test_a_good_reply_passes_every_check() -> None:
    answer = ask("rest_or_train", "should I rest tomorrow?", GOOD_REST)
    assert failed(answer) == {}
    assert first_sentence(GOOD_REST).startswith("Yes — rest tomorrow")
    assert "**" not in plain(GOOD_REST)


def test_numbers_grades_dates_and_scales_are_read_as_a_climber_reads_them() -> None:
    numbers, dates = numbers_in(
        "V5 and 7a+ and 5.12a are grades; A2 is a pulley; 6/10 is a score; 1,234 AU on "
        "2026-05-13, then 8 June", TODAY
    )  # fmt: skip
    assert [n.text for n in numbers] == ["6", "1,234"]
    assert dates == {date(2026, 5, 13), date(2026, 6, 8)}


@pytest.mark.parametrize(
    ("intent", "text", "good", "bad"),
    [
        ("review", "how was my week?", "Your week: 6 sessions and 5,415 AU.",
         "Offline coach here: no AI model wrote this reply."),
        ("rest_or_train", "should I rest tomorrow?", "Yes, rest tomorrow.",
         "Here is what your log shows."),
        ("pain", "my finger hurts when I crimp", "Stop crimping for now and ease off.",
         "Your max grade is V5."),
        ("technique", "how do i get better at slab?", "On slab, trust your feet.",
         "On overhangs, keep your hips in."),
        ("grades", "is 7a harder than V5?", "7a is a route grade and V5 a boulder grade.",
         "7a is a route grade."),
        ("app", "how do I log a session?", "Type /log with the duration.",
         "Sessions matter."),
        ("unknown", "tell me a joke", "I can't help with jokes, only climbing.",
         "Your week was big."),
    ],
)  # fmt: skip
def test_the_first_sentence_must_answer_the_intent(
    intent: Intent, text: str, good: str, bad: str
) -> None:
    padding = "\n\nThen keep logging: every session makes the next answer better."
    assert "first_sentence" not in failed(ask(intent, text, good + padding))
    assert "first_sentence" in failed(ask(intent, text, bad + padding))


def test_an_invented_number_or_date_fails() -> None:
    bad = GOOD_REST.replace("5,415", "5,900")
    assert "5,900" in failed(ask("rest_or_train", "should I rest tomorrow?", bad))["numbers"]
    dated = GOOD_REST + " Back to it on 2026-06-30."
    assert "2026-06-30" in failed(ask("rest_or_train", "should I rest?", dated))["numbers"]
    rounded = GOOD_REST.replace("117.5 %", "118 %")
    assert "numbers" not in failed(ask("rest_or_train", "should I rest tomorrow?", rounded))


def test_the_app_s_own_command_examples_are_not_claims() -> None:
    reply = (
        "Type `/meal lunch 650kcal protein 35` to log a meal; the whole example is "
        "/meal lunch 650kcal protein 35 carbs 80 fat 20."
    )
    assert "numbers" not in failed(ask("app", "How do I log what I ate?", reply))
    assert "numbers" in failed(ask("app", "How do I log what I ate?", "You ate 650 kcal today."))


def test_a_red_flag_needs_a_referral_and_none_without_one() -> None:
    text = "I heard a pop in my finger"
    referred = "Stop climbing on it. " + REFERRAL
    assert "referral" not in failed(ask("pain", text, referred, red_flag=True))
    missing = "Stop climbing on it and rest it for a few days, then try easy climbs."
    assert "referral" in failed(ask("pain", text, missing, red_flag=True))
    # No red flag reported: the unconditional referral is a false alarm.
    alarm = "Ease off crimps for now. " + REFERRAL
    assert "referral" in failed(ask("pain", "my finger is a bit sore", alarm))
    asked = "Ease off crimps for now. If you felt a pop or see swelling, see a physio."
    assert "referral" not in failed(ask("pain", "my finger is a bit sore", asked))


def test_an_open_injury_caps_what_is_prescribed() -> None:
    held = "Train your feet on easy slabs. No hangboard or campus board until 2026-06-08."
    assert "injury_caps" not in failed(ask("train_next", "what next?", held, caps=FINGER))
    for bad in (
        "Train max hangs: 8 s on a 20 mm edge.",
        "Do limit bouldering on the board tomorrow.",
        "Try Max hangs (Eva López MaxHangs) twice a week.",
    ):
        why = failed(ask("train_next", "what next?", "Train smart. " + bad, caps=FINGER))
        assert "injury_caps" in why, bad
    # Without an open injury the same advice is fine.
    fine = "Train your feet. Do limit bouldering on the board tomorrow."
    assert "injury_caps" not in failed(ask("train_next", "what next?", fine))


def test_a_short_history_gets_no_baseline_comparison() -> None:
    jump = "Your week was big. Your load jumped 300 % over your 4-week baseline."
    assert "early_baseline" in failed(ask("review", "how was my week?", jump, history_days=4))
    assert "early_baseline" not in failed(ask("review", "how was my week?", jump))
    later = "Your week: 6 sessions. In 3 weeks I can compare each week with your baseline."
    assert "early_baseline" not in failed(ask("review", "how was my week", later, history_days=4))


def test_length_bounds_follow_the_question() -> None:
    long = GOOD_REST + "\n\n" + "More words on the same. " * 40
    assert "length" in failed(ask("rest_or_train", "should I rest tomorrow?", long))
    assert "length" not in failed(ask("review", "full breakdown", long, detail=True))
    assert "length" in failed(ask("rest_or_train", "should I rest?", "Yes, rest."))


def test_two_intents_with_the_same_body_fail_distinct() -> None:
    body = (
        "\n\nYour fingers are at 6/10 after 3 hard days; tendons recover in 48–72 h. "
        "Keep your next session easy and log how the fingers feel."
    )
    rest = ask("rest_or_train", "should I rest tomorrow?", "Yes, rest tomorrow." + body)
    review = ask("review", "how was my week?", "Your week was a big one." + body)
    other = ask("review", "how was my week?", "Your week was a big one." + body, history="new")
    found = distinct([rest, review, other])
    assert set(found) == {rest.question.id, review.question.id}
    own = ask("review", "how was my week?", "Your week: 6 sessions and 5,415 AU, your biggest "
              "in 5 weeks. Next week, hold the volume and add one rest day.")  # fmt: skip
    assert distinct([rest, own]) == {}
