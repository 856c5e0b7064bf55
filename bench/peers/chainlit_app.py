"""The chainlit peer: on each user message, stream the benchmark's scripted reply with chainlit's
own streaming API (`cl.Message` + `stream_token` per token, then `send()` to end it).

Run by the peers venv (`make bench-peers`), never the project's:
`chainlit run bench/peers/chainlit_app.py --headless --host 127.0.0.1 --port P`, with
`BENCH_WORDS` (a JSON file holding the reply's tokens), `BENCH_TTFT_MS` and
`BENCH_TOKENS_PER_S` in its environment. Everything else is chainlit's default configuration,
authentication off (no login, no data layer): what a team would run for a demo. The schedule is
the floor's (`bench/floor.py`): token `i` is due at `start + ttft + i / tokens_per_s` on the
loop's clock, so sleep overshoot does not pile up.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import chainlit as cl

WORDS = [str(word) for word in json.loads(Path(os.environ["BENCH_WORDS"]).read_text())]
TTFT = int(os.environ["BENCH_TTFT_MS"]) / 1000
INTERVAL = 1.0 / float(os.environ["BENCH_TOKENS_PER_S"])


@cl.on_message
async def reply(message: cl.Message) -> None:
    loop = asyncio.get_running_loop()
    start = loop.time() + TTFT
    answer = cl.Message(content="")
    for index, token in enumerate(WORDS):
        await asyncio.sleep(max(start + index * INTERVAL - loop.time(), 0.0))
        await answer.stream_token(token)
    await answer.send()
