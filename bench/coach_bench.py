"""`python -m bench coach [--model URL]`: score a coach on the evaluation set (tests/eval).

Fifty realistic climber questions over seven seeded climber histories go through context
assembly and the model the URL names, as a coaching turn does; every reply is checked (the
first sentence answers the intent, every number is a computed fact, red flags get a referral,
open injuries cap what is prescribed, no two intents share a body, length). Prints the pass
rate per check and per intent, then each failure with the reply.

    python -m bench coach                                    # the offline coach
    python -m bench coach --model 'openai://127.0.0.1:11434/v1?model=llama3.1'
    python -m bench coach --model 'bedrock://anthropic.claude-3-5-haiku-20241022-v1:0?region=us-east-1'
"""

from __future__ import annotations

import asyncio

from tests.eval.runner import OFFLINE, evaluate

DEFAULT_MODEL = OFFLINE


def main(model: str = DEFAULT_MODEL, *, concurrency: int = 4, replies: bool = False) -> None:
    """Run the evaluation set against `model` and print the report (`replies`: every reply,
    not only the failures). Raises `ModelURLError` for a URL no provider opens."""
    report = asyncio.run(evaluate(model, concurrency=concurrency))
    print(report.render(replies=replies), flush=True)
