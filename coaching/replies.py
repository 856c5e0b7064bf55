"""The offline coach's reply: the climber's question answered from their computed facts.

Contract (what makes it honest):
- it opens with `OFFLINE`, a short tag, then the direct answer to what was asked (one or two
  sentences), at most three supporting facts in plain words, and one concrete next step
  (`coaching.answers`, one module per kind of question; the intent comes from
  `coaching.intent`, the one classifier, and the caller passes it in);
- every figure comes from the facts: `ClimberAnalytics` (written with `shown`, as `/stats`
  writes it), the active plan's week, the grade tables or the exercise library's doses; the
  only other digits are inside `code spans`, which are command examples, not claims;
- red-flag words in the message (a pop, bowstringing, swelling, severe or ≥ 5/10 pain) put the
  referral (`coaching.safety.REFERRAL`) right after the direct answer; it never diagnoses;
- open injuries keep every exercise inside their contraindications and every step easy while
  they cap intensity;
- it fits one phone screen (`PHONE_SCREEN` characters) unless the climber asked for detail
  ("explain", "why", "in detail"): facts are dropped from the last until it fits;
- the climber's message only chooses what is answered: it is never quoted or obeyed, so
  "ignore previous instructions" changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from coaching.analytics.summary import ClimberAnalytics
from coaching.answers.help import app, grades, unknown
from coaching.answers.pain import pain
from coaching.answers.prescribe import packaged_library
from coaching.answers.review import motivation, review
from coaching.answers.shared import PHONE_SCREEN, Answer, Ask, asks_for_detail, is_empty
from coaching.answers.topics import nutrition, technique
from coaching.answers.training import plan, rest_or_train, train_next
from coaching.intent import Intent
from coaching.plans.view import PlanWeekView
from coaching.safety import REFERRAL, needs_referral
from grammar import goal, injury, log, meal, send
from store.records.athlete import AthleteProfile
from store.records.reference import Exercise

OFFLINE = "Offline coach ·"
"""The tag every offline reply opens with: no AI model wrote it."""

ANSWERS: dict[Intent, Callable[[Ask], Answer]] = {
    "pain": pain,
    "rest_or_train": rest_or_train,
    "plan": plan,
    "review": review,
    "nutrition": nutrition,
    "technique": technique,
    "motivation": motivation,
    "train_next": train_next,
}
"""The answers that read the climber's log; grades, app and unknown need none."""


def compose(
    message: str,
    analytics: ClimberAnalytics | None,
    *,
    intent: Intent,
    proposed: Sequence[str] = (),
    plan: PlanWeekView | None = None,
    profile: AthleteProfile | None = None,
    library: Sequence[Exercise] | None = None,
) -> str:
    """The whole reply (see the module doc). `proposed` names the kinds of entries drafted from
    the message (each shown to the climber to confirm); `plan` is this week of their active
    plan; `profile` their athlete profile; `library` the exercises to prescribe from (default:
    the packaged library). Pure but for reading the packaged library once."""
    if intent == "grades":
        answer = grades(message, analytics)
    elif intent == "app":
        answer = app(message)
    elif intent == "unknown":
        answer = unknown(message)
    elif analytics is None:
        answer = Answer(
            direct="I can't see your logged numbers right now, so I won't guess any.",
            step=how_to_log(),
        )
    else:
        ask = Ask(
            message=message,
            analytics=analytics,
            plan=plan,
            profile=profile,
            library=tuple(library if library is not None else packaged_library()),
        )
        answer = ANSWERS[intent](ask)
        if is_empty(analytics) and intent not in ("pain", "plan"):
            answer.facts = [nothing_logged(analytics)]
    if needs_referral(message) and REFERRAL not in answer.after_direct:
        answer.after_direct.insert(0, REFERRAL)
    if proposed:
        kinds = " and ".join(f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}" for kind in proposed)
        entries = "entry" if len(proposed) == 1 else "entries"
        answer.after_direct.append(
            f"I've drafted {kinds} {entries} from what you wrote: confirm to save or dismiss. "
            "Nothing is written until you confirm."
        )
    return fit(answer, detail=asks_for_detail(message))


def fit(answer: Answer, *, detail: bool) -> str:
    """The tagged text, within one phone screen unless `detail`: facts go from the last."""
    text = f"{OFFLINE} {answer.text(detail=detail)}"
    while not detail and len(text) > PHONE_SCREEN and answer.facts:
        answer.facts.pop()
        text = f"{OFFLINE} {answer.text(detail=detail)}"
    return text


def nothing_logged(analytics: ClimberAnalytics) -> str:
    return (
        f"I can't see any sessions, sends or goals in your log from {analytics.start} to "
        f"{analytics.end} yet, so this is general advice, not yet yours."
    )


def how_to_log() -> str:
    return (
        f"Log a session with `{log.SHORT_USAGE}`, a notable send with `{send.USAGE}`, a goal "
        f"with `{goal.USAGE}`, an injury with `{injury.USAGE}` or a meal with `{meal.USAGE}`; "
        "or tell me in plain words what you did and I'll draft the entry for you to confirm."
    )


__all__ = ["OFFLINE", "compose"]
