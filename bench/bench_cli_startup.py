"""Benchmark: start-up of the ``tsunagari`` command (issue 14: ``--help`` ≤ 0.3 s, a command ≤ 0.5 s to its work).

Run: ``.venv/bin/python bench/bench_cli_startup.py [--runs 9] [--source DIR]``

Each case runs as a fresh process ``--runs`` times (after one warm-up run); the table gives the median wall
time, the median CPU time (user + system of the child: what waiting for a core on a shared machine does not
inflate) and both as ratios to the baseline measured in the same run, an empty ``python -c pass``. The import
of ``graphsvc.cli`` is also timed with ``python -X importtime`` (median of the cumulative microseconds).

``--source DIR`` measures another checkout's ``graphsvc`` / ``matching`` / ``loaders`` with this interpreter
(``git archive <commit> graphsvc matching loaders | tar -x -C DIR``): the way the README's before/after figures
were taken. The cases run against an empty data folder, so ``info`` measures start-up up to the command's own
work (the settings read, the container built, no town to count).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HELP_BUDGET_S = 0.3
COMMAND_BUDGET_S = 0.5

CASES: list[tuple[str, list[str]]] = [
    ("tsunagari --help", ["--help"]),
    ("tsunagari match --help", ["match", "--help"]),
    ("tsunagari placement update --help", ["placement", "update", "--help"]),
    ("tsunagari info (empty data folder)", ["info"]),
]


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    res = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if res.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{res.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _median(args: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    _run(args, env)
    samples = [_run(args, env) for _ in range(runs)]
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def _import_us(prefix: list[str], env: dict[str, str], runs: int) -> float:
    code = prefix[-1].replace("from graphsvc.cli import main; main()", "import graphsvc.cli")
    times = []
    for _ in range(runs + 1):
        res = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        m = re.search(r"^import time:\s+\d+ \|\s+(\d+) \| graphsvc\.cli$", res.stderr, re.M)
        if m is None:
            raise SystemExit(f"no import time for graphsvc.cli:\n{res.stderr[-2000:]}")
        times.append(int(m.group(1)))
    return statistics.median(times[1:])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9, help="runs per case (median; default 9)")
    ap.add_argument(
        "--source", type=Path, help="measure this checkout's packages instead of the installed ones"
    )
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TSUNAGARI_")}
        env |= {"TSUNAGARI_DATA_DIR": f"{tmp}/data", "TSUNAGARI_OUT_DIR": f"{tmp}/out", "COLUMNS": "100"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        path = repr(str(args.source.resolve())) if args.source else None
        code = ("import sys; sys.path.insert(0, " + path + "); " if path else "") + (
            "from graphsvc.cli import main; main()"
        )
        prefix = [sys.executable, "-c", code]
        base_wall, base_cpu = _median([sys.executable, "-c", "pass"], env, args.runs)
        print(
            f"source: {args.source or 'installed'}; {args.runs} runs per case (median); load {os.getloadavg()[0]:.1f}"
        )
        print(f"baseline python -c pass: wall {base_wall * 1000:.0f} ms, CPU {base_cpu * 1000:.0f} ms\n")
        print(f"{'case':40s} {'wall':>8s} {'CPU':>8s} {'wall/base':>10s} {'CPU/base':>9s}")
        over = []
        for label, extra in CASES:
            wall, cpu = _median([*prefix, *extra], env, args.runs)
            budget = HELP_BUDGET_S if extra == ["--help"] else COMMAND_BUDGET_S
            if cpu > budget:
                over.append(f"{label}: CPU {cpu:.3f} s > {budget} s")
            print(
                f"{label:40s} {wall * 1000:6.0f}ms {cpu * 1000:6.0f}ms "
                f"{wall / base_wall:9.1f}x {cpu / max(base_cpu, 1e-3):8.1f}x"
            )
        us = _import_us(prefix, env, min(args.runs, 5))
        print(f"\nimport graphsvc.cli (-X importtime, cumulative): {us / 1000:.0f} ms")
    print("\nRESULT: " + ("FAIL (" + "; ".join(over) + ")" if over else "PASS (CPU within the budgets)"))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
