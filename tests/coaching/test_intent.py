"""Intent routing: a table of messages in several phrasings, the triggers they raise, and the
slices each intent is shown."""

from __future__ import annotations

import pytest

from coaching.intent import INTENTS, SLICE_ORDER, Intent, classify, message_triggers, slices_for

EXAMPLES: list[tuple[str, Intent]] = [
    ("What should I train tomorrow?", "coaching"),
    ("Can you make me a training plan for the next 4 weeks?", "coaching"),
    ("should i rest or climb today", "coaching"),
    ("How often should I hangboard?", "coaching"),
    ("hi", "coaching"),
    ("", "coaching"),
    ("How much protein should I eat on rest days?", "nutrition"),
    ("what should I eat before a comp", "nutrition"),
    ("Am I eating enough for how much I train?", "nutrition"),
    ("Is creatine worth it? What about snacks between burns?", "nutrition"),
    ("I think I'm under-fuelling", "nutrition"),
    ("Any tips for heel hooks?", "technique"),
    ("my feet keep slipping on slab", "technique"),
    ("What's the beta for a crux with a big dyno?", "technique"),
    ("How do I get better at footwork and body position?", "technique"),
    ("I've lost my motivation lately", "motivation"),
    ("I feel stuck on a plateau and kind of want to give up", "motivation"),
    ("I’m scared of falling on lead, fear is holding me back", "motivation"),
    ("I'm not progressing and it's frustrating", "motivation"),
    ("How was my week?", "analysis"),
    ("show me my stats", "analysis"),
    ("Can you give me a summary of my grade pyramid?", "analysis"),
    ("Am I progressing? Compare this month to last", "analysis"),
    ("HOW IS MY LOAD TRENDING", "analysis"),
]


@pytest.mark.parametrize(("message", "intent"), EXAMPLES)
def test_messages_route_to_their_intent(message: str, intent: Intent) -> None:
    assert classify(message) == intent


def test_every_intent_has_examples_in_several_phrasings() -> None:
    for intent in INTENTS:
        assert sum(1 for _, wanted in EXAMPLES if wanted == intent) >= 4


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
    assert SLICE_ORDER["coaching"][:2] == ("performance", "health")
    assert SLICE_ORDER["motivation"][0] == "goals"
    assert "nutrition" not in SLICE_ORDER["technique"]
