"""The README's exchanges with the offline coach are what it answers the demo climber."""

from __future__ import annotations

from pathlib import Path

from server.demo.coach_example import EXAMPLE_DAY, QUESTIONS, markdown

README = Path(__file__).resolve().parents[2] / "README.md"
START, END = "<!-- coach-example:start -->", "<!-- coach-example:end -->"


def _shown() -> str:
    text = README.read_text(encoding="utf-8")
    return text.split(START, 1)[1].split(END, 1)[0].strip()


def test_the_readme_shows_what_the_offline_coach_answers_the_demo_climber() -> None:
    generated = markdown(EXAMPLE_DAY)
    for question in QUESTIONS:
        assert f"**Climber:** {question}" in generated
    assert "> Offline coach · Yes — rest tomorrow" in generated  # a yes or no first
    assert "To reach V8" in generated  # the grade asked about, not only the goal's
    assert "bowstringing" in generated  # pain asks about the red flags
    assert _shown() == generated.strip(), (
        "README's coach exchanges are stale: paste `python -m server.demo.coach_example "
        f"{EXAMPLE_DAY}` between the coach-example markers"
    )
