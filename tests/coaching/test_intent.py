"""Intent routing: a table of messages in several phrasings, every word either former
classifier knew (context assembly's and the offline coach's), the triggers they raise, and the
slices each intent is shown."""

from __future__ import annotations

import pytest

from coaching.intent import (
    INTENTS,
    SLICE_ORDER,
    Intent,
    asks_the_coach,
    classify,
    intent_of,
    is_intent,
    message_triggers,
    scores,
    slices_for,
    template_type,
)
from store.records.reference import TemplateType

EXAMPLES: list[tuple[str, Intent]] = [
    ("How was my week?", "review"),
    ("how was my week", "review"),
    ("show me my stats", "review"),
    ("Can you give me a summary of my grade pyramid?", "review"),
    ("Am I progressing? Compare this month to last", "review"),
    ("HOW IS MY LOAD TRENDING", "review"),
    ("tell me about my month", "review"),
    ("what should I train next to reach V8?", "train_next"),
    ("What should I train tomorrow?", "train_next"),
    ("How often should I hangboard?", "train_next"),
    ("how do i get stronger for my goal", "train_next"),
    ("what shuold i work on to get to 7a", "train_next"),
    ("how can I improve my power endurance?", "train_next"),
    ("my finger hurts when I crimp, what should I do?", "pain"),
    ("I heard a pop in my ring finger", "pain"),
    ("my A2 pulley is swollen", "pain"),
    ("it hurts to hold a cup of coffee", "pain"),
    ("my elbow aches after campusing", "pain"),
    ("tweaked my shoulder on a gaston, now what?", "pain"),
    ("lower back pain after the comp", "pain"),
    ("should I rest tomorrow?", "rest_or_train"),
    ("should i rest or climb today", "rest_or_train"),
    ("Should I climb tomorrow?", "rest_or_train"),
    ("can i train today or is that too much", "rest_or_train"),
    ("do I need a rest day?", "rest_or_train"),
    ("too tired to train tonight?", "rest_or_train"),
    ("Any tips for heel hooks?", "technique"),
    ("my feet keep slipping on slab", "technique"),
    ("What's the beta for a crux with a big dyno?", "technique"),
    ("How do I get better at footwork and body position?", "technique"),
    ("how do i climb overhangs better", "technique"),
    ("How should I train on slab?", "technique"),
    ("What's on my plan today?", "plan"),
    ("Can you make me a training plan for the next 4 weeks?", "plan"),
    ("what's today's session", "plan"),
    ("which phase of my plan am I in", "plan"),
    ("is next week a deload week?", "plan"),
    ("How much protein should I eat on rest days?", "nutrition"),
    ("what should I eat before a comp", "nutrition"),
    ("Am I eating enough for how much I train?", "nutrition"),
    ("Is creatine worth it? What about snacks between burns?", "nutrition"),
    ("I think I'm under-fuelling", "nutrition"),
    ("I've lost my motivation lately", "motivation"),
    ("I feel stuck on a plateau and kind of want to give up", "motivation"),
    ("I’m scared of falling on lead, fear is holding me back", "motivation"),
    ("I'm not progressing and it's frustrating", "motivation"),
    ("is 7a harder than V5?", "grades"),
    ("what is V5 in Font?", "grades"),
    ("Is 6b+ easier than 6c?", "grades"),
    ("whats 5.11a in french", "grades"),
    ("v4 vs 6B+ - same thing?", "grades"),
    ("how do I log a session?", "app"),
    ("what can you do?", "app"),
    ("How do I undo that?", "app"),
    ("which commands are there", "app"),
    ("how does this app work", "app"),
    ("hi", "unknown"),
    ("", "unknown"),
    ("what's the weather like at Stanage?", "unknown"),
    ("tell me a joke", "unknown"),
]

NOT_PAIN: list[tuple[str, Intent]] = [
    # Climbing words that sound like pain but report none.
    ("I crimped hard today", "technique"),
    ("sent my project, fingers fine", "unknown"),
    ("fingers felt strong on the board, how was my week?", "review"),
    ("no pain at all, should I train tomorrow?", "rest_or_train"),
    ("my fingers don't hurt anymore, what should I train next?", "train_next"),
    ("how do I log an injury?", "app"),
]
"""Messages that mention fingers, crimps or pain without reporting any: not `pain`."""


@pytest.mark.parametrize(("message", "intent"), NOT_PAIN)
def test_words_that_deny_pain_are_no_pain_report(message: str, intent: Intent) -> None:
    assert classify(message) == intent


@pytest.mark.parametrize(("message", "intent"), EXAMPLES)
def test_messages_route_to_their_intent(message: str, intent: Intent) -> None:
    assert classify(message) == intent


def test_every_intent_has_examples_in_several_phrasings() -> None:
    for intent in INTENTS:
        assert sum(1 for _, wanted in EXAMPLES if wanted == intent) >= 4, intent


# One message per word of the offline coach's former keyword table (`coaching.replies`), in the
# forms its patterns took: each still routes, alone, where that table sent it (its "analysis"
# is `review` now).
OFFLINE_WORDS: list[tuple[str, Intent]] = [
    *((word, "nutrition") for word in (
        "eat", "eating", "ate", "food", "nutrition", "diet", "protein", "carbs", "calories",
        "kcal", "fuel", "fuelled", "meal", "mealtime", "hydration", "water", "drink", "drinking",
        "weight", "snack", "snacking", "breakfast", "lunch", "dinner",
    )),
    *((word, "technique") for word in (
        "technique", "footwork", "feet", "foot", "beta", "crimp", "crimping", "slab", "slabby",
        "overhang", "heel", "toe", "hook", "hooks", "hooking", "flagging", "drill", "drilling",
        "move", "moved", "movement", "body position", "dyno", "dynoing", "pinch", "sloper",
        "slopery", "smearing",
    )),
    *((word, "motivation") for word in (
        "motivation", "plateau", "stuck", "frustrated", "bored", "boring", "confidence",
        "scared", "fear", "afraid", "give up", "quit", "burn out", "burned out", "burnt out",
        "burnout", "demotivated", "enjoy", "mental",
    )),
    *((word, "review") for word in (
        "how was", "how was yesterday", "how did", "how did the comp go", "how am i doing",
        "how's my", "how is my", "stat", "stats", "statistics", "progress", "analysis",
        "numbers", "trend", "trending", "summary", "overview", "pyramid", "review", "compare",
        "recap",
    )),
]  # fmt: skip

# The same for context assembly's table (phrases and keywords).
ASSEMBLY_WORDS: list[tuple[str, Intent]] = [
    # Context assembly's "coaching" words now say which question they ask.
    *((word, "train_next") for word in (
        "what should i do", "warm-up", "warmup", "how often should i train", "get stronger",
        "training", "workout", "hangboard", "session", "tomorrow", "next week", "campus",
        "strength", "endurance", "power",
    )),
    *((word, "plan") for word in (
        "training plan", "plan", "program", "schedule", "deload", "periodisation",
    )),
    *((word, "rest_or_train") for word in ("should i rest", "rest day")),
    *((word, "nutrition") for word in (
        "what can i eat", "eating enough", "under-fuelled", "underfuelling", "weight loss",
        "lose weight", "how much water", "foods", "dieting", "meals", "drinks", "snacks",
        "supplements", "creatine", "macros", "hungry", "iron",
    )),
    *((word, "technique") for word in (
        "heel hooks", "heel-hook", "toe hook", "drop knee", "body positioning", "read routes",
        "how do i send", "my feet", "deadpoint", "dead points", "techniques", "slabs", "dynos",
        "slopers", "mantle", "moves", "sequence", "crux", "hips", "drills", "balance",
    )),
    *((word, "motivation") for word in (
        "giving up", "not progressing", "no progress", "lost my mojo", "can't be bothered",
        "fear of falling", "head game", "headgame", "feel like a failure", "unmotivated",
        "nervous", "anxious", "discouraged", "setbacks", "psyched",
    )),
    *((word, "review") for word in (
        "how was my", "how did i", "how did my", "my stats", "grade pyramid", "max grade",
        "am i improving", "this week's load", "this month numbers", "trends", "summarise",
        "summarize", "report", "breakdown", "load", "monotony", "strain",
    )),
]  # fmt: skip


@pytest.mark.parametrize(("message", "intent"), OFFLINE_WORDS + ASSEMBLY_WORDS)
def test_no_word_either_former_classifier_knew_is_lost(message: str, intent: Intent) -> None:
    assert classify(message) == intent


# Where the offline coach's first-match table and `classify`'s scores disagreed: the scores
# decide (each message's words are all known to the one classifier now).
DISAGREEMENTS: list[tuple[str, Intent]] = [
    # "progress" was an analysis keyword there; "not progressing" is a motivation phrase here.
    ("I'm not progressing", "motivation"),
    ("no progress for months", "motivation"),
    # Coaching words say which question they ask now: the style decides, not "train".
    ("How should I train on slab?", "technique"),
    ("Should I do drills tomorrow?", "technique"),
    ("how was the session", "review"),
    ("I'm bored of my training plan", "plan"),
    ("how much weight should I add on the hangboard", "train_next"),
    # Scores, not the order nutrition, technique, motivation, analysis.
    ("heel hooks and I've lost my motivation", "motivation"),
    # "How was my …" reviews, unless what it asks about is eating (issue 14).
    ("How was my diet this month?", "nutrition"),
    # A pop is a pain report first, whatever grip it happened on.
    ("I felt a pop in my ring finger on a crimp", "pain"),
    ("my hangboard numbers are trending up", "review"),
    ("how did the comp go", "review"),
    ("I think I have burnout", "motivation"),
]


@pytest.mark.parametrize(("message", "intent"), DISAGREEMENTS)
def test_where_the_former_classifiers_disagreed_the_scores_decide(
    message: str, intent: Intent
) -> None:
    assert classify(message) == intent


def test_words_inside_a_phrase_are_not_scored_twice() -> None:
    # The offline table's "heel", "toe", "hook", "how was" and "how did" count only outside
    # the phrases that already score them.
    assert scores("heel hooks")["technique"] == 2
    assert scores("toe-hook")["technique"] == 2
    assert scores("heelhook")["technique"] == 2
    assert scores("heel hooking")["technique"] == 1
    assert scores("how was my week")["review"] == 2
    assert scores("how did i do")["review"] == 2
    assert scores("how did the comp go")["review"] == 1


def test_intent_follows_keywords_or_the_assembly_hint() -> None:
    assert intent_of("how much protein do I need") == "nutrition"
    assert intent_of("my heel hooks keep slipping") == "technique"
    assert intent_of("I've lost my motivation") == "motivation"
    assert intent_of("how was my week?") == "review"
    assert intent_of("what should I do tomorrow") == "train_next"
    assert intent_of("what should I do tomorrow", "nutrition") == "nutrition"
    assert intent_of("what should I do tomorrow", "not-an-intent") == "train_next"


@pytest.mark.parametrize(("message", "intent"), EXAMPLES + OFFLINE_WORDS + DISAGREEMENTS)
def test_without_a_hint_intent_of_is_classify(message: str, intent: Intent) -> None:
    assert intent_of(message) == intent_of(message, None) == classify(message) == intent
    for given in (None, "", "Nutrition", 3, ["analysis"]):
        assert intent_of(message, given) == classify(message)
    for other in INTENTS:
        assert intent_of(message, other) == other


def test_only_the_intents_are_intents() -> None:
    assert all(is_intent(intent) for intent in INTENTS)
    assert len(INTENTS) == 11
    others: tuple[object, ...] = (None, "", "summary", "Review", 1, ("review",), "coaching")
    assert not any(is_intent(value) for value in others)


@pytest.mark.parametrize(
    ("message", "triggers"),
    [
        ("I felt a pop in my finger and it hurts", {"pop", "finger-pain"}),
        ("my A2 pulley is sore", {"pulley", "finger-pain"}),
        ("feeling stuck, no progress for months", {"stuck", "no-progress"}),
        ("how do I read the crux of my project", {"crux", "project"}),
        ("can you summarise my week", {"summary", "weekly-review"}),
        ("always tired and low energy", {"fatigue", "low-energy"}),
    ],
)
def test_messages_raise_template_triggers(message: str, triggers: set[str]) -> None:
    assert triggers <= message_triggers(message, classify(message))


def test_the_intent_itself_is_a_trigger_so_its_general_template_applies() -> None:
    assert "nutrition" in message_triggers("what about carbs", "nutrition")
    assert "technique" in message_triggers("slab tips?", "technique")


def test_an_open_injury_puts_health_first_for_every_intent() -> None:
    for intent in INTENTS:
        order = slices_for(intent, open_injury=True)
        assert order[0] == "health"
        assert set(order) == set(SLICE_ORDER[intent]) | {"health"}
        assert slices_for(intent, open_injury=False) == SLICE_ORDER[intent]


def test_each_intent_leads_with_its_own_slice() -> None:
    assert SLICE_ORDER["nutrition"][0] == "nutrition"
    assert SLICE_ORDER["pain"][0] == "health"
    assert SLICE_ORDER["plan"][0] == "adherence"
    assert SLICE_ORDER["review"][0] == "performance"
    assert SLICE_ORDER["motivation"][0] == "goals"
    assert "nutrition" not in SLICE_ORDER["technique"]


def test_every_intent_is_written_with_a_template_type() -> None:
    assert template_type("review") is TemplateType.ANALYSIS
    assert template_type("nutrition") is TemplateType.NUTRITION
    assert template_type("technique") is TemplateType.TECHNIQUE
    assert template_type("motivation") is TemplateType.MOTIVATION
    assert template_type("pain") is TemplateType.COACHING
    assert all(isinstance(template_type(intent), TemplateType) for intent in INTENTS)
    assert "injury" in message_triggers("my back hurts", "pain")


STATEMENTS = {
    "",
    "hi",
    "I think I'm under-fuelling",
    "my feet keep slipping on slab",
    "I heard a pop in my ring finger",
    "my A2 pulley is swollen",
    "it hurts to hold a cup of coffee",
    "my elbow aches after campusing",
    "lower back pain after the comp",
    "how does this app work",
    "how do i climb overhangs better",
    "what shuold i work on to get to 7a",
    "how do i get stronger for my goal",
    "tell me a joke",
    "I crimped hard today",
    "sent my project, fingers fine",
    "how was my week",
}
"""Examples that state something without asking; nothing in them can be logged either, so they
reach the coach all the same."""
REPORTS = [
    "did 2 hours at the gym, sent two V5s, fingers a bit sore",
    "Did 90 min on the board. Fingers sore.",
    "flashed a 7a at Stanage yesterday",
    "tweaked my left shoulder and did 2 hours anyway",
    "I want to climb V8 by June",
]
ASKS = [
    "did 2 hours at the gym, how was that",
    "sent V5! any tips for V6",
    "did 2 hours at the gym. Should I rest tomorrow",
    "climbed at Stanage for 3 hours, is that a lot",
    "what should I do after 2h at the gym",
    "did 90 min on the board?",
    "tell me about my week",
    "please plan my week",
    "did 2 hours at the gym but I feel stuck on a plateau",
    *(message for message, _ in EXAMPLES if message not in STATEMENTS),
]


@pytest.mark.parametrize("message", REPORTS)
def test_a_report_asks_the_coach_nothing(message: str) -> None:
    assert not asks_the_coach(message)


@pytest.mark.parametrize("message", ASKS)
def test_a_question_or_a_request_asks_the_coach(message: str) -> None:
    assert asks_the_coach(message)
