"""Run the evaluation set against a model URL, the way a coaching turn runs.

For each question: the climber's history is in a real SQLite table (`histories`); context
assembly (`context.assembly.CoachContext`, the app's own, with the proposal tool offered)
builds the prompt and its computed facts on the frozen clock; the model named by the URL is
opened through the app's model registry (`server.models.MODELS`: `analyst://`, `bedrock://…`,
`openai://…`, `scripted://…`) and its streamed text collected. The checks (`checks`) then
score every reply, so a real model is scored exactly as the offline coach is.

Quota, chat history and the socket are left out: each question is asked on its own, with no
earlier turns, so the answers do not depend on the order they are asked in.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from contextlib import aclosing
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from coaching.analytics.body import InjuryStatus
from coaching.analytics.summary import ClimberAnalytics
from coaching.plans.inputs import injury_label, rules_out
from context.assembly import CoachContext
from core.caller import Caller
from core.model import Model, ModelError, Prompt, TextDelta
from handlers.proposals import PROPOSE_TOOL
from server.models import MODELS
from store import init_table, open_table
from store.records.reference import Exercise
from store.seed import load_reference, seed_reference
from tests.clock import FrozenClock
from tests.eval.checks import CHECK_NAMES, Answer, Caps, failures, grounds_for
from tests.eval.histories import HISTORIES, NOW, TODAY, write_histories
from tests.eval.questions import INTENTS, Question, load_questions

OFFLINE = "analyst://?words_per_s=0"
"""The offline coach, unpaced: the eval needs its words, not its typing speed."""
TIMEOUT_S = 120.0
"""How long one reply may take (a remote model under load), first token to last."""


@dataclass(frozen=True)
class Report:
    """Every answer and what it failed."""

    model: str
    answers: list[Answer]
    failed: dict[str, dict[str, str]]
    """Question id → check → why (empty: passed every check)."""

    def rate(self, check: str) -> float:
        passed = sum(1 for answer in self.answers if check not in self.failed[answer.question.id])
        return passed / len(self.answers)

    def passed(self, answer: Answer) -> bool:
        return not self.failed[answer.question.id]

    @property
    def pass_rate(self) -> float:
        return sum(1 for answer in self.answers if self.passed(answer)) / len(self.answers)

    def by_intent(self) -> dict[str, tuple[int, int]]:
        """Intent → (questions passing every check, questions)."""
        tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for answer in self.answers:
            row = tally[answer.question.intent]
            row[0] += self.passed(answer)
            row[1] += 1
        return {
            intent: (tally[intent][0], tally[intent][1]) for intent in INTENTS if intent in tally
        }

    def render(self, *, replies: bool = False) -> str:
        """The report as printed: pass rate per check and per intent, then each failure."""
        lines = [
            f"Coach evaluation: {self.model}, {len(self.answers)} questions over "
            f"{len({a.question.history for a in self.answers})} climbers, "
            f"asked on {NOW:%Y-%m-%d %H:%M} UTC",
            "",
            "per check:",
        ]
        for check in CHECK_NAMES:
            lines.append(f"  {check:<15} {self.rate(check):7.1%}")
        lines += ["", "per intent (every check passed):"]
        for intent, (passed, total) in self.by_intent().items():
            lines.append(f"  {intent:<15} {passed:>3}/{total:<3} {passed / total:7.1%}")
        lines += ["", f"overall: {self.pass_rate:.1%} of questions pass every check"]
        for answer in self.answers:
            failed = self.failed[answer.question.id]
            if not failed and not replies:
                continue
            question = answer.question
            lines += [
                "",
                f"{'FAIL' if failed else 'pass'} {question.id} ({question.intent}, "
                f"{question.history}): {question.text}",
            ]
            lines += [f"  - {check}: {why}" for check, why in failed.items()]
            lines += ["  | " + line for line in answer.reply.splitlines() or ["(no reply)"]]
        return "\n".join(lines)


async def reply_of(model: Model, prompt: Prompt, timeout_s: float = TIMEOUT_S) -> str:
    """The model's streamed text for `prompt`. Raises `ModelError` or `TimeoutError`."""
    parts: list[str] = []
    async with asyncio.timeout(timeout_s):
        async with aclosing(model.stream(prompt)) as events:
            async for event in events:
                if isinstance(event, TextDelta):
                    parts.append(event.text)
    return "".join(parts)


def return_date(status: InjuryStatus) -> date | None:
    """Full climbing from: the grade's date (Schöffl), else the climber's expected return."""
    return status.caps.full_climbing_from if status.caps else status.expected_back


def caps_of(analytics: ClimberAnalytics, library: Sequence[Exercise]) -> Caps | None:
    """The limits of the injuries open on the day, None without one: every open injury caps
    until its return date (an ungraded one with no date ahead: while it is open)."""
    capping = [
        status
        for status in analytics.body.open_injuries
        if (back := return_date(status)) is None or back > analytics.end
    ]
    if not capping:
        return None
    ruled: set[str] = set()
    for status in capping:
        ruled |= rules_out(status.body_part, status.type)
    names = tuple(e.name for e in library if ruled & set(e.contraindications))
    return Caps(tuple(injury_label(status) for status in capping), names)


async def _answer(
    context: CoachContext, model: Model, question: Question, library: Sequence[Exercise]
) -> Answer:
    history = HISTORIES[question.history]
    assembled = await context.assemble(Caller(history.user_id), question.text)
    prompt = assembled.prompt
    analytics = ClimberAnalytics.model_validate(prompt.facts["analytics"])
    grounds = grounds_for(
        TODAY, prompt.facts, [m.content for m in prompt.messages], library, question
    )
    caps = caps_of(analytics, library)
    routed = prompt.facts.get("intent")
    routed_name = routed if isinstance(routed, str) else None
    error: str | None
    try:
        reply = await reply_of(model, prompt)
    except (ModelError, TimeoutError) as failure:
        reply, error = "", str(failure) or type(failure).__name__
    else:
        error = None
    return Answer(
        question,
        reply,
        routed_name,
        grounds,
        caps,
        history_days=analytics.load.baseline_days,
        error=error,
    )


async def evaluate(
    model_url: str = OFFLINE,
    *,
    questions: Sequence[Question] | None = None,
    concurrency: int = 4,
    data_dir: Path | None = None,
) -> Report:
    """Ask every question of the set (or `questions`) of the model at `model_url` and score
    the replies, `concurrency` (at least 1) at a time. Raises `ModelURLError` for a URL the
    registry cannot open."""
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    asked = list(questions if questions is not None else load_questions())
    with tempfile.TemporaryDirectory() as spare:
        folder = data_dir or Path(spare)
        url = f"sqlite:///{folder / 'eval.db'}"
        clock = FrozenClock(NOW)
        await init_table(url, data_dir=folder)
        async with open_table(url, data_dir=folder, clock=clock) as table:
            reference = load_reference()
            await seed_reference(table, reference)
            await write_histories(table, clock)
            context = CoachContext(table, clock=clock, tools=[PROPOSE_TOOL])
            library = reference.exercises
            gate = asyncio.Semaphore(concurrency)

            async with MODELS.open(model_url) as model:

                async def one(question: Question) -> Answer:
                    async with gate:
                        return await _answer(context, model, question, library)

                answers = list(await asyncio.gather(*(one(q) for q in asked)))
    return Report(model_url, answers, failures(answers))
