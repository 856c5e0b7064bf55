"""The README's generated plan example is what the generator makes for the demo climber."""

from __future__ import annotations

from pathlib import Path

from server.demo.plan_example import EXAMPLE_DAY, markdown

README = Path(__file__).resolve().parents[2] / "README.md"
START, END = "<!-- plan-example:start -->", "<!-- plan-example:end -->"


def _shown() -> str:
    text = README.read_text(encoding="utf-8")
    return text.split(START, 1)[1].split(END, 1)[0].strip()


def test_the_readme_shows_the_plan_the_generator_makes_for_the_demo_climber() -> None:
    generated = markdown(EXAMPLE_DAY)
    assert "Return to climbing" in generated  # the injured plan: easy until the shoulder heals
    assert "Strength and power" in generated  # the healed one: a full cycle
    assert _shown() == generated.strip(), (
        "README's plan example is stale: paste `python -m server.demo.plan_example "
        f"{EXAMPLE_DAY}` between the plan-example markers"
    )
