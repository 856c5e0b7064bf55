"""`python -m bench [NAME ...]`: run the named benchmarks, or all of them.

`python -m bench idle [N]` opens N idle sockets (default 2,000) to `v7 serve` and to the
floor server and prints the memory each costs; `python -m bench stream --sessions 10,50` runs
the streaming comparison at other concurrency levels than 100, 300 and 1,000, and
`python -m bench stream --peer chainlit` adds chainlit's rows (`make bench-peers` installs it).

`python -m bench coach --model URL` scores the model at URL on the coach evaluation set
(default: the offline coach)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from bench import (
    auth_bench,
    coach_bench,
    idle_bench,
    import_bench,
    jobs_bench,
    media_bench,
    quota_bench,
    store_bench,
    stream_bench,
    ws_bench,
)
from core.model_url import ModelURLError

BENCHMARKS: dict[str, Callable[[], None]] = {
    "store": store_bench.main,
    "ws": ws_bench.main,
    "quota": quota_bench.main,
    "stream": stream_bench.main,
    "idle": idle_bench.main,
    "auth": auth_bench.main,
    "media": media_bench.main,
    "jobs": jobs_bench.main,
    "import": import_bench.main,
}
COACH = "coach"
"""The evaluation set, which takes options of its own (`--model`)."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    known = [*BENCHMARKS, COACH]
    parser.add_argument("names", nargs="*", help=f"any of {', '.join(known)}; default all")
    parser.add_argument(
        "--model",
        default=coach_bench.DEFAULT_MODEL,
        help="coach: the model URL to score (analyst://, bedrock://…, openai://…)",
    )
    parser.add_argument("--concurrency", type=int, default=4, help="coach: questions asked at once")
    parser.add_argument(
        "--replies", action="store_true", help="coach: print every reply, not only failures"
    )
    parser.add_argument(
        "--sessions",
        default=",".join(str(level) for level in stream_bench.LEVELS),
        help="stream: concurrent sessions per level, comma-separated",
    )
    parser.add_argument(
        "--peer",
        action="append",
        default=[],
        choices=stream_bench.PEERS,
        help="stream: add this peer's rows (from its own venv: `make bench-peers`)",
    )
    options = parser.parse_args(argv)
    if options.concurrency < 1:
        parser.error("--concurrency needs at least 1")
    try:
        levels = tuple(int(level) for level in options.sessions.split(","))
    except ValueError:
        parser.error("--sessions takes whole numbers separated by commas, like 100,300")
    if min(levels) < 1:
        parser.error("--sessions needs at least 1 per level")
    names: list[str] = []
    sockets = idle_bench.SOCKETS
    for name in options.names:  # `idle N`: a number after `idle` is its socket count
        if name.isdigit() and names and names[-1] == "idle":
            sockets = int(name)
        else:
            names.append(name)
    names = names or known
    unknown = [name for name in names if name not in known]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(known)}")
    for name in names:
        if name == COACH:
            try:
                coach_bench.main(
                    options.model, concurrency=options.concurrency, replies=options.replies
                )
            except ModelURLError as error:
                parser.error(f"--model: {error}")
        elif name == "stream":
            stream_bench.main(levels, tuple(options.peer))
        elif name == "idle":
            idle_bench.main(sockets)
        else:
            BENCHMARKS[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main())
