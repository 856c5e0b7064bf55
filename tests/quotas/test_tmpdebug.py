from __future__ import annotations
import asyncio, time
from collections import Counter
from redis.asyncio import Redis
from quotas.scripts import GCRA

async def test_dbg(redis: Redis) -> None:
    s = redis.register_script(GCRA)
    async def one() -> tuple[str, float]:
        t=time.perf_counter()
        try:
            await s(keys=["k"], args=[1000,5]); return ("ok", time.perf_counter()-t)
        except Exception as e: return (repr(e)[:80], time.perf_counter()-t)
    res = await asyncio.gather(*(one() for _ in range(50)))
    print(Counter(x[0] for x in res), max(x[1] for x in res), sorted(x[1] for x in res)[::10])
