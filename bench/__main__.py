"""`python -m bench [NAME ...]`: run the named benchmarks, or all of them.

`python -m bench coach --model URL` scores the model at URL on the coach evaluation set
(default: the offline coach)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from bench import (
    auth_bench,
    coach_bench,
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
    options = parser.parse_args(argv)
    if options.concurrency < 1:
        parser.error("--concurrency needs at least 1")
    names = options.names or known
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
        else:
            BENCHMARKS[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main())
