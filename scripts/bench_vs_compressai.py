"""Ours / CompressAI latency ratios for the four shared architectures, from one run.

For each of bmshj2018-factorized, bmshj2018-hyperprior, mbt2018-mean and mbt2018
the registered lic-bench model (fixed-seed random weights) and CompressAI's class
with the *same* weights encode and decode one Kodak image (768×512) in turn;
calls alternate ours/theirs so that load changes on a shared machine hit both
alike. Prints medians over ``--repeats`` and the ratios, and checks that both
produce the same strings and the same reconstruction.

    .venv/bin/python scripts/bench_vs_compressai.py --repeats 5 --threads 1

The machine this project runs on is shared with other jobs: absolute times move
with its load, only the ratios (measured side by side) mean much.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import torch

MODELS = ("bmshj2018-factorized", "bmshj2018-hyperprior", "mbt2018-mean", "mbt2018")


def _kodak(name: str) -> torch.Tensor:
    from lic_bench.bitstream import read_image
    from lic_bench.paths import data_dir

    path = data_dir(None) / "kodak" / name
    return read_image(path).float()


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def compare_model(name: str, x: torch.Tensor, repeats: int) -> dict:
    from lic_bench.bench.compare import compressai_twin
    from lic_bench.bench.runner import build_for_bench
    from lic_bench.bench.stages import Implementation

    model, cfg = build_for_bench(name, torch.device("cpu"))
    ours = Implementation(model)
    theirs = Implementation(compressai_twin(model, cfg).eval())
    times: dict[str, list[float]] = {"ours_enc": [], "cai_enc": [], "ours_dec": [], "cai_dec": []}
    with torch.inference_mode():
        a, b = ours.compress(x), theirs.compress(x)  # also the warm-up
        identical = a["strings"] == b["strings"] and torch.equal(
            ours.decompress(a)["x_hat"], theirs.decompress(b)["x_hat"]
        )
        for _ in range(repeats):
            times["ours_enc"].append(_timed(lambda: ours.compress(x)))
            times["cai_enc"].append(_timed(lambda: theirs.compress(x)))
            times["ours_dec"].append(_timed(lambda: ours.decompress(a)))
            times["cai_dec"].append(_timed(lambda: theirs.decompress(b)))
    med = {k: statistics.median(v) * 1000 for k, v in times.items()}
    return {
        "model": name,
        "path": ours.name,
        "identical": bool(identical),
        **med,
        "encode_ratio": med["ours_enc"] / med["cai_enc"],
        "decode_ratio": med["ours_dec"] / med["cai_dec"],
        "total_ratio": (med["ours_enc"] + med["ours_dec"]) / (med["cai_enc"] + med["cai_dec"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--image", default="kodim23.png", help="Kodak file name (768x512 or 512x768)")
    parser.add_argument("--models", default=",".join(MODELS))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    x = _kodak(args.image)
    if x.shape[-1] < x.shape[-2]:
        x = x.transpose(-1, -2).contiguous()
    print(
        f"{args.image} {x.shape[-1]}x{x.shape[-2]}, {args.threads} thread(s), medians of {args.repeats}; "
        f"load average at start {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (shared machine)"
    )
    print(f"{'model':22} {'path':9} {'ours enc':>9} {'CAI enc':>9} {'ours dec':>9} {'CAI dec':>9} "
          f"{'enc':>6} {'dec':>6} {'total':>6}  identical")
    for name in args.models.split(","):
        r = compare_model(name.strip(), x, args.repeats)
        print(
            f"{r['model']:22} {r['path']:9} {r['ours_enc']:9.0f} {r['cai_enc']:9.0f} {r['ours_dec']:9.0f} "
            f"{r['cai_dec']:9.0f} {r['encode_ratio']:6.3f} {r['decode_ratio']:6.3f} {r['total_ratio']:6.3f}  "
            f"{r['identical']}",
            flush=True,
        )


if __name__ == "__main__":
    main()
