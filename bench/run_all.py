"""Run every ``bench/bench_*.py`` in turn and print its figures (each reports ratios against a baseline
measured in the same run, since these machines are shared and noisy)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    wanted = set(argv)
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        if wanted and script.stem not in wanted and script.stem.removeprefix("bench_") not in wanted:
            continue
        print(f"\n=== {script.name} ===", flush=True)
        t0 = time.perf_counter()
        res = subprocess.run([sys.executable, str(script)], cwd=HERE.parent)
        print(f"--- {script.name}: exit {res.returncode}, {time.perf_counter() - t0:.1f} s", flush=True)
        if res.returncode:
            failed.append(script.name)
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
