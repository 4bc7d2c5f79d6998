"""Run ``lic-bench bench --quick`` for every registered model and the non-linearity variants.

Writes one results JSON per run under ``results/bench/<name>/`` (each records
its own ``lic-bench bench`` command line in ``meta.command``). Runs one after
another, one thread each, so that they do not time each other's load:

    .venv/bin/python scripts/bench_all.py                 # everything
    .venv/bin/python scripts/bench_all.py --only variants # the gdn/1dn/gsdn/relu runs
    .venv/bin/python scripts/bench_all.py --dry-run       # print the commands

The variants (``--set N=128 --set M=192 --sweep nonlinearity=gdn,1dn,gsdn,relu``)
put GDN, 1DN, GSDN and ReLU on the same backbone and width, timed in turn in one
run, so the component pages can compare them.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIC_BENCH = [sys.executable, "-m", "lic_bench", "bench"]
COMMON = ["--quick", "--threads", "1", "--budget", "20"]
COMPRESSAI_TWINS = {"bmshj2018-factorized", "bmshj2018-hyperprior", "mbt2018-mean", "mbt2018"}
NONLINEARITIES = ("gdn", "1dn", "gsdn", "relu")


def variant_runs() -> list[list[str]]:
    return [
        ["--model", model, "--set", "N=128", "--set", "M=192", "--sweep", "nonlinearity=" + ",".join(NONLINEARITIES)]
        for model in ("bmshj2018-factorized", "mbt2018-mean")
    ]


def model_runs() -> list[list[str]]:
    from lic_bench.registry import MODELS, load_all

    load_all()
    runs = []
    for name in sorted(MODELS.list(), key=lambda n: (n not in COMPRESSAI_TWINS, n)):
        args = ["--model", name]
        if name in COMPRESSAI_TWINS:
            args += ["--compare", "compressai"]
        runs.append(args)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("variants", "models"), default=None)
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--skip", default="", help="comma-separated model names to leave out")
    args = parser.parse_args()
    runs = []
    if args.only in (None, "variants"):
        runs += variant_runs()
    if args.only in (None, "models"):
        runs += model_runs()
    skip = {s for s in args.skip.split(",") if s}
    failed = []
    for run in runs:
        if run[1] in skip:
            continue
        cmd = [*LIC_BENCH, *run, *COMMON]
        print("$ lic-bench bench " + " ".join(run + COMMON), flush=True)
        if args.dry_run:
            continue
        proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        print(proc.stdout, flush=True)
        if proc.returncode != 0:
            failed.append(" ".join(run))
    if failed:
        print("failed:\n  " + "\n  ".join(failed))
        sys.exit(1)


if __name__ == "__main__":
    main()
