"""The README's three exchanges with the offline coach, as the demo climber.

`python -m server.demo.coach_example [YYYY-MM-DD]` seeds the demo history of that day into a
throw-away SQLite table, asks three questions the way a coaching turn does (context assembly,
then the model opened by URL through the app's registry: `analyst://`, the offline coach, by
default) and prints the exchanges as Markdown. A test checks that the README shows exactly this
output for the README's date, so the examples cannot drift from the coach.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from contextlib import aclosing
from datetime import UTC, date, datetime, time
from pathlib import Path

from context.assembly import CoachContext
from core.caller import Caller
from core.model import TextDelta
from server.demo import build_history, write_history
from server.models import MODELS
from store import init_table, open_table

EXAMPLE_DAY = date(2026, 12, 4)
QUESTIONS = (
    "should I rest tomorrow?",
    "my finger hurts when I crimp, what should I do?",
    "what should I train next to reach V8?",
)
OFFLINE = "analyst://?words_per_s=0"
_USER = "demo"


async def exchanges(today: date, model_url: str = OFFLINE) -> list[tuple[str, str]]:
    """(question, reply) for each of `QUESTIONS`, asked by the demo climber at noon UTC."""
    history = build_history(today)
    noon = datetime.combine(today, time(12), tzinfo=UTC)
    answered = []
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/example.db"
        await init_table(url, data_dir=Path(folder))
        async with open_table(url, data_dir=Path(folder), clock=lambda: noon) as table:
            await write_history(table, _USER, history, plans=False, chat=False)
            context = CoachContext(table, clock=lambda: noon)
            async with MODELS.open(model_url) as model:
                for question in QUESTIONS:
                    prompt = (await context.assemble(Caller(_USER), question)).prompt
                    parts = []
                    async with aclosing(model.stream(prompt)) as events:
                        async for event in events:
                            if isinstance(event, TextDelta):
                                parts.append(event.text)
                    answered.append((question, "".join(parts).strip()))
    return answered


def markdown(today: date, model_url: str = OFFLINE) -> str:
    """The exchanges as the README shows them: each question, then the reply quoted."""
    out: list[str] = []
    for question, reply in asyncio.run(exchanges(today, model_url)):
        out += [f"**Climber:** {question}", ""]
        out += [f"> {line}".rstrip() for line in reply.splitlines()]
        out.append("")
    return "\n".join(out).strip()


def main(argv: list[str]) -> int:
    today = date.fromisoformat(argv[0]) if argv else EXAMPLE_DAY
    print(markdown(today))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
