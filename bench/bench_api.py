"""Benchmark: POST /v1/towns/{town}/match over HTTP (uvicorn on loopback, embedded store, a demo town).

1. baseline, same run: in-process ``MatchingService.match`` and ``GET /healthz`` over HTTP;
2. open loop: a fixed arrival rate (default 100 req/s for 60 s); sends are scheduled by the clock and never
   wait for earlier responses; latency is measured from the scheduled send time (no coordinated omission);
3. saturation: N concurrent clients (default 50) in closed loops; throughput.

Prints p50/p99, errors and ratios against the baseline. Goal: p99 ≤ 100 ms at 100 req/s, no errors.

    .venv/bin/python bench/bench_api.py [--rate 100] [--duration 60] [--concurrency 50] [--town takasu]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, round(q / 100 * (len(v) - 1)))]


def _ms(x: float) -> str:
    return f"{x * 1000:7.2f} ms"


def prepare(data_dir: Path, town: str) -> tuple[str, list[str], float]:
    from graphsvc.bootstrap import build
    from graphsvc.services.matching import MatchingService
    from loaders.demo import build_town, get_spec

    c = build(data_dir=data_dir)
    build_town(c.store(town), get_spec(town))
    key, _ = c.system().keys.create(name="bench", role="admin")
    svc = MatchingService(c.store(town))
    people = svc.candidates()[:50]
    times = []
    for pid in people * 2:
        t0 = time.perf_counter()
        svc.match(pid, top=10, explain=10)
        times.append(time.perf_counter() - t0)
    c.close()
    return key, people, statistics.median(times)


async def open_loop(
    client: httpx.AsyncClient,
    url: str,
    bodies: list[dict[str, object]],
    headers: dict[str, str],
    rate: float,
    duration: float,
) -> tuple[list[float], int, float]:
    n = int(rate * duration)
    lat: list[float] = []
    errors = 0

    async def one(i: int, scheduled: float) -> None:
        nonlocal errors
        try:
            r = await client.post(url, json=bodies[i % len(bodies)], headers=headers)
            if r.status_code != 200:
                errors += 1
        except httpx.HTTPError:
            errors += 1
        lat.append(time.perf_counter() - scheduled)

    start = time.perf_counter() + 0.2
    tasks = []
    for i in range(n):
        at = start + i / rate
        delay = at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, at)))
    await asyncio.gather(*tasks)
    return lat, errors, time.perf_counter() - start


async def saturate(
    client: httpx.AsyncClient,
    url: str,
    bodies: list[dict[str, object]],
    headers: dict[str, str],
    concurrency: int,
    seconds: float,
) -> tuple[int, int, list[float]]:
    done = 0
    errors = 0
    lat: list[float] = []
    stop = time.perf_counter() + seconds

    async def worker(w: int) -> None:
        nonlocal done, errors
        i = w
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            try:
                r = await client.post(url, json=bodies[i % len(bodies)], headers=headers)
                errors += r.status_code != 200
            except httpx.HTTPError:
                errors += 1
            lat.append(time.perf_counter() - t0)
            done += 1
            i += concurrency

    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    return done, errors, lat


async def main_async(args: argparse.Namespace) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="bench_api_"))
    key, people, inproc = prepare(tmp, args.town)
    port = _free_port()
    env = {
        **os.environ,
        "TSUNAGARI_DATA_DIR": str(tmp),
        "TSUNAGARI_API_RATE": "1000000",
        "TSUNAGARI_API_BURST": "1000000",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "graphsvc.app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--workers",
            str(args.workers),
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {key}", "X-Purpose": "participation"}
    url = f"{base}/v1/towns/{args.town}/match"
    bodies: list[dict[str, object]] = [{"person_id": p, "top": 10, "explain": 10} for p in people]
    try:
        limits = httpx.Limits(max_connections=max(200, args.concurrency * 2), max_keepalive_connections=200)
        async with httpx.AsyncClient(timeout=30, limits=limits) as client:
            for _ in range(600):  # several workers take a while to start
                try:
                    if (await client.get(f"{base}/healthz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise SystemExit("the server did not start within 60 s")
            for b in bodies[:20]:  # warm-up
                await client.post(url, json=b, headers=headers)
            health = []
            for _ in range(200):
                t0 = time.perf_counter()
                await client.get(f"{base}/healthz")
                health.append(time.perf_counter() - t0)
            seq = []
            for b in bodies * 2:
                t0 = time.perf_counter()
                r = await client.post(url, json=b, headers=headers)
                assert r.status_code == 200, r.text
                seq.append(time.perf_counter() - t0)
            lat, errors, wall = await open_loop(client, url, bodies, headers, args.rate, args.duration)
            done, sat_err, sat_lat = await saturate(
                client, url, bodies, headers, args.concurrency, args.sat_seconds
            )
    finally:
        proc.terminate()
        proc.wait(timeout=10)

    h50 = _pct(health, 50)
    print(f"町 {args.town}: {len(people)} people, uvicorn workers={args.workers}")
    print("baseline (same run)")
    print(f"  in-process match median      {_ms(inproc)}")
    print(f"  GET /healthz p50 / p99       {_ms(h50)} / {_ms(_pct(health, 99))}")
    print(
        f"  POST match sequential p50    {_ms(_pct(seq, 50))}   (×{_pct(seq, 50) / inproc:.1f} in-process, "
        f"×{_pct(seq, 50) / h50:.1f} healthz)"
    )
    p50, p99 = _pct(lat, 50), _pct(lat, 99)
    print(
        f"open loop {args.rate:.0f} req/s × {args.duration:.0f} s: sent {len(lat)}, achieved "
        f"{len(lat) / wall:.1f} req/s"
    )
    print(f"  p50 {_ms(p50)}  p99 {_ms(p99)}  max {_ms(max(lat))}  errors {errors}")
    print(f"  p99 / in-process match ×{p99 / inproc:.1f};  p99 / healthz p50 ×{p99 / h50:.1f}")
    ok = p99 <= 0.100 and errors == 0
    print(f"  goal p99 ≤ 100 ms and no errors: {'met' if ok else 'NOT met'}")
    print(
        f"saturation, {args.concurrency} concurrent clients × {args.sat_seconds:.0f} s: "
        f"{done / args.sat_seconds:.1f} req/s, p50 {_ms(_pct(sat_lat, 50))}, p99 {_ms(_pct(sat_lat, 99))}, "
        f"errors {sat_err}; ×{(done / args.sat_seconds) * inproc:.2f} of one core's in-process rate"
    )
    return 0 if ok else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--town", default="takasu")
    ap.add_argument("--rate", type=float, default=100.0)
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--sat-seconds", type=float, default=15.0)
    ap.add_argument("--workers", type=int, default=1)
    return asyncio.run(main_async(ap.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
