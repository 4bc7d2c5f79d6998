"""Wall time of everyday `lic-bench` commands against the targets of issue #24.

    .venv/bin/python scripts/bench_cli_startup.py [--repeats 3] [--image PATH]

Each command runs as its own process (start-up included), ``--repeats`` times; the
median wall time is compared with its target, and the CPU time (user + system) of the
same runs is printed too: on a shared machine the wall time includes waiting for a
core. For compress and decompress the target is the time *beyond the coding*: the
command's own printed coding seconds are subtracted from its wall time. A figure,
not a test: nothing fails, the last column says whether the target was met.
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

ROOT = Path(__file__).resolve().parents[1]
KODAK = ROOT.parent / "shared" / "data" / "kodak"


def _cli() -> list[str]:
    return [sys.executable, "-m", "lic_bench"]


def timed(args: list[str], repeats: int) -> tuple[float, float, str]:
    """Median wall seconds, median CPU seconds and the last run's stdout."""
    walls, cpus, out = [], [], ""
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(_cli() + args, capture_output=True, text=True, cwd=ROOT, timeout=600)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if proc.returncode != 0:
            raise SystemExit(f"lic-bench {' '.join(args)} failed:\n{proc.stderr[-2000:]}")
        out = proc.stdout
    return statistics.median(walls), statistics.median(cpus), out


def coding_seconds(stdout: str) -> float:
    """The ``N.NNN s`` the compress/decompress line reports for the coding itself."""
    found = re.findall(r"([0-9.]+) s \(", stdout)
    return float(found[-1]) if found else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--image", type=Path, default=KODAK / "kodim01.png")
    parser.add_argument("--model", default="bmshj2018-hyperprior")
    args = parser.parse_args()
    os.environ.setdefault("COLUMNS", "80")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        bits, png = Path(tmp) / "img.licb", Path(tmp) / "img.png"
        checks = [
            ("lic-bench --help", ["--help"], 0.5, False),
            ("kb validate", ["kb", "validate"], 0.5, False),
            ("kb papers", ["kb", "papers"], 0.5, False),
            ("kb components", ["kb", "components"], 0.5, False),
            ("models list", ["models", "list"], 1.5, False),
            ("compress (beyond coding)", ["compress", str(args.image), "-o", str(bits), "-m", args.model, "-f", "--random-weights"], 2.0, True),
            ("inspect", ["inspect", str(bits)], 1.0, False),
            ("decompress (beyond coding)", ["decompress", str(bits), "-o", str(png), "-f", "--random-weights"], 2.0, True),
        ]
        for name, cli_args, target, minus_coding in checks:
            if name.startswith(("compress", "inspect", "decompress")) and not args.image.is_file():
                rows.append((name, None, None, target, "skipped: no image"))
                continue
            wall, cpu, out = timed(cli_args, args.repeats)
            if minus_coding:
                coding = coding_seconds(out)
                wall, cpu = wall - coding, cpu - coding
            rows.append((name, wall, cpu, target, "met" if wall <= target else "NOT met"))
    load = os.getloadavg()[0]
    print(f"median of {args.repeats} runs each; load average {load:.1f} on {os.cpu_count()} cores")
    print(f"{'command':28} {'wall s':>7} {'cpu s':>7} {'target':>7}  result")
    for name, wall, cpu, target, verdict in rows:
        w = "-" if wall is None else f"{wall:7.2f}"
        c = "-" if cpu is None else f"{cpu:7.2f}"
        print(f"{name:28} {w:>7} {c:>7} {target:7.1f}  {verdict}")


if __name__ == "__main__":
    main()
