"""`python -m bench [NAME ...]`: run the named benchmarks, or all of them."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from bench import quota_bench, store_bench, stream_bench, ws_bench

BENCHMARKS: dict[str, Callable[[], None]] = {
    "store": store_bench.main,
    "ws": ws_bench.main,
    "quota": quota_bench.main,
    "stream": stream_bench.main,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", help=f"any of {', '.join(BENCHMARKS)}; default all")
    names = parser.parse_args(argv).names or list(BENCHMARKS)
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    for name in names:
        BENCHMARKS[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main())
