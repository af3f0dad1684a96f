"""An open-loop burst against verinfer's gateway with the official OpenAI SDK's async
client: N requests sent at once, each timed from send to answer. Prints JSON: per mode,
the requests answered, the failures by status, the throughput and latency percentiles.

Usage: openai_load.py BASE_URL API_TOKEN MODEL KIND N
  KIND: chat (LLM) or embeddings
"""
import asyncio
import json
import sys
import time

import openai
from openai import AsyncOpenAI

base, token, model, kind, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])


async def one(client, i, mode):
    started = time.monotonic()
    headers = {"x-verinfer-mode": mode}
    try:
        if kind == "chat":
            r = await client.chat.completions.create(
                model=model, max_tokens=16, temperature=0, extra_headers=headers,
                messages=[{"role": "user", "content": f"Request {i}: say something."}])
        else:
            r = await client.embeddings.create(
                model=model, input=f"Sentence number {i} for the burst.", extra_headers=headers)
        return time.monotonic() - started, None, r.model_extra["verinfer"]
    except openai.APIStatusError as e:
        return time.monotonic() - started, e.status_code, None


def pct(xs, p):
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(p * len(xs)))], 2) if xs else None


async def burst(mode):
    async with AsyncOpenAI(base_url=base, api_key=token, max_retries=0, timeout=600) as client:
        started = time.monotonic()
        results = await asyncio.gather(*(one(client, i, mode) for i in range(n)))
        wall = time.monotonic() - started
    ok = [t for t, status, _ in results if status is None]
    failed = {}
    for _, status, _ in results:
        if status is not None:
            failed[str(status)] = failed.get(str(status), 0) + 1
    return {"mode": mode, "requests": n, "answered": len(ok), "failed": failed,
            "wall_s": round(wall, 1), "per_s": round(len(ok) / wall, 2),
            "p50_s": pct(ok, 0.5), "p95_s": pct(ok, 0.95), "max_s": pct(ok, 1.0)}


async def main():
    print(json.dumps([await burst("fast"), await burst("verified")]))

asyncio.run(main())
