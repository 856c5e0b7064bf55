"""The evaluation set against the offline coach: every question's reply passes every check.

The same run as `python -m bench coach --model analyst://` (unpaced): histories written into a
real SQLite table on a frozen clock, context assembly, the model opened through the app's
registry, every reply checked (tests/eval/checks.py)."""

from __future__ import annotations

from pathlib import Path

from tests.eval.checks import CHECK_NAMES
from tests.eval.histories import HISTORIES
from tests.eval.questions import INTENTS, load_questions
from tests.eval.runner import OFFLINE, evaluate


def test_the_set_covers_every_intent_and_history() -> None:
    questions = load_questions()
    assert len(questions) >= 40
    assert {q.intent for q in questions} == set(INTENTS)
    assert {q.history for q in questions} == set(HISTORIES)
    assert sum(q.red_flag for q in questions) >= 3
    for intent in INTENTS:
        assert sum(q.intent == intent for q in questions) >= 3, intent


async def test_the_offline_coach_passes_every_check(tmp_path: Path) -> None:
    report = await evaluate(OFFLINE, data_dir=tmp_path)
    assert len(report.answers) == len(load_questions())
    rates = {check: report.rate(check) for check in CHECK_NAMES}
    assert report.pass_rate == 1.0, report.render()
    assert set(rates.values()) == {1.0}


async def test_the_histories_are_what_they_claim(tmp_path: Path) -> None:
    """One question per climber: each history shows the facts it was built for."""
    firsts = {q.history: q for q in reversed(load_questions())}
    report = await evaluate(OFFLINE, questions=list(firsts.values()), data_dir=tmp_path)
    answers = {answer.question.history: answer for answer in report.answers}
    capped = {key for key, answer in answers.items() if answer.caps is not None}
    assert capped == {"injured", "tweaked"}
    assert answers["new"].history_days is not None
    assert answers["new"].history_days < 21
    for key in ("injured", "plateau", "route", "high_load", "under_fuelled"):
        assert answers[key].history_days == 28, key
    assert all(answer.reply for answer in report.answers)
