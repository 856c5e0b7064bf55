"""How a model is told to answer: the shape of every reply, the direct answer each kind of
question needs first, and the markdown the web UI renders.

The shape follows a good human coach (and the offline coach): one or two sentences that
answer exactly what was asked, at most three supporting facts from the computed figures, then
one concrete next step: an exercise shown under EXERCISES (with its dose) or today's session
of the active plan. `direct_answer` reads the intent as a plain string (`Prompt.facts["intent"]`),
so any classifier's names work; a name it does not know gets `GENERAL`.

`MARKDOWN_RULE` names exactly the subset `server/static/markdown.js` renders as DOM nodes:
bold, italic, `inline code` (for commands), bulleted and numbered lists, line breaks and
paragraphs. Anything else (headings, links, tables, code blocks, HTML) would show as typed
characters, so the model is told not to use it.
"""

from __future__ import annotations

from coaching.safety import PAIN_REFERRAL_AT

SHAPE_RULE = (
    "Answer in this order: first one or two sentences that answer exactly what was asked "
    "(yes or no first when the question is yes or no); then at most three supporting facts "
    "from the sections above, in plain words (a term such as ACWR or monotony only when asked, "
    "or explained once); then one concrete next step: an exercise listed under EXERCISES with "
    "its sets, reps and rest as given there, or today's session of the active plan. Suggest no "
    "exercise that is not listed. Fit the reply on one phone screen unless they ask for detail."
)

MARKDOWN_RULE = (
    "Format: plain sentences, optionally with **bold** for a few key words, *italic*, "
    "`backticks` around a command the climber can type (`/log gym 90min`), bulleted lists "
    '(lines starting "- "), numbered lists (lines starting "1. ") and a blank line between '
    "paragraphs. Nothing else: no headings, links, tables, images, code blocks or HTML (the "
    "app would show them as typed characters)."
)

GENERAL = (
    "Answer exactly what they asked in one or two sentences. If it is not about climbing, "
    "training, recovery, food or this app, say so briefly and suggest what you can help with."
)

DIRECT_ANSWERS: dict[str, str] = {
    "review": (
        "Open with a one-sentence verdict on the period they asked about (more, less or about "
        "the same as before, and the one thing that stood out), from the figures above."
    ),
    "train_next": (
        "Open by naming the one thing to train next and why, from their goal, weaknesses and "
        "figures, in one or two sentences."
    ),
    "pain": (
        "Open by telling them to stop what hurts. Then ask whether they noticed a red flag (a "
        f"pop, swelling, pain of {PAIN_REFERRAL_AT}/10 or more in daily life, bowstringing): "
        "if they report any, "
        "tell them to see a clinician within days. Say what is safe meanwhile. Never diagnose."
    ),
    "rest_or_train": (
        "Open with a plain yes or no (rest, or train, on the day they asked about) and the main "
        "reason from the figures in the same sentence."
    ),
    "technique": (
        "Open with the one technique cue that matters most for the style or hold they asked "
        "about, in one or two sentences."
    ),
    "plan": (
        "Open with what their active plan holds for the day or week they asked about, or say "
        "that they have no active plan and how to get one (/plan new)."
    ),
    "nutrition": (
        "Open with the direct answer to what they asked about eating or fuelling (enough for "
        "their training, protein, before or after a session, water), from the nutrition section: "
        "the daily targets as computed there (say when a target is their own), the averages "
        "against them and the days under. Word an under-fuelling flag as a possibility worth a "
        "look, never a diagnosis. Never advise eating less or losing weight; on a cut, say the "
        "deficit is modest and never under their BMR, as its note says. Say which figures are "
        "missing rather than guessing."
    ),
    "motivation": (
        "Open by acknowledging how they feel in one sentence, then name one real sign of "
        "progress from the figures, if there is one."
    ),
    "grades": (
        "Open with the direct comparison they asked for: which grade is harder, or that they "
        "are about the same."
    ),
    "app": (
        "Open with the command or screen that does what they asked (for example /log, /send, "
        "/stats, /plan, /history, /help), with one example."
    ),
    "unknown": GENERAL,
}
# The intents of the first classifier, until every caller uses the names above.
DIRECT_ANSWERS |= {
    "coaching": DIRECT_ANSWERS["train_next"],
    "analysis": DIRECT_ANSWERS["review"],
}


def direct_answer(intent: str) -> str:
    """What the first sentence of a reply to a question of `intent` must do."""
    return DIRECT_ANSWERS.get(intent, GENERAL)


def question_block(intent: str) -> str:
    """The lines after the climber's message that tell the model what kind of question it is
    (computed in code) and what the answer must open with."""
    kind = intent.replace("_", " ") or "unknown"
    return f"QUESTION TYPE (computed in code): {kind}\nANSWER FIRST: {direct_answer(intent)}"
