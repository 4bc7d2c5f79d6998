#!/usr/bin/env python
"""Decoding speed of the context models on one Kodak image (a benchmark, not a test).

Compares, from one run on this machine:

1. ``mbt2018`` (wavefront decoding, :mod:`lic_bench.context`) against CompressAI's
   ``JointAutoregressiveHierarchicalPriors`` (one position per Python iteration) with
   the same weights -- both decode the same symbols, except for rare rounding flips
   where a mean sits on a .5 boundary (GEMM vs convolution summation order);
2. ``uludag2022-unified-parallel`` (patch-parallel) against ``uludag2022-unified``
   (serial masked context, wavefront-decoded) with the same weights.

Weights are random (``torch.manual_seed(--seed)``; no trained checkpoints can be
downloaded here), calibrated with :func:`lic_bench.context.calibrate.calibrate` so that
latents and Gaussian parameters look like a trained model's (latent std 3, scales near
2) instead of coding all-zero symbols. Each figure is the median of ``--repeats`` runs
after ``--warmup`` untimed ones (the machine is shared, so the spread is printed too);
CompressAI's decoder runs last so that its long run does not disturb ours. "latent"
is entropy decoding up to ŷ; "total" adds the synthesis transform g_s, which is the
same in every pair. The summary prints the issue's two figures.

    .venv/bin/python scripts/bench_context_decode.py --threads 2 --repeats 5 --compressai-repeats 2
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from lic_bench.bench.compare import compressai_twin
from lic_bench.context.calibrate import calibrate
from lic_bench.models.seeded import seeded_model
from lic_bench.paths import data_dir
from lic_bench.registry import load_all


def load_image(path: Path) -> torch.Tensor:
    arr = np.asarray(Image.open(path).convert("RGB"), dtype=np.float32) / 255.0
    return torch.from_numpy(arr).permute(2, 0, 1).unsqueeze(0).contiguous()


def timed(fn, repeats: int, warmup: int = 1) -> tuple[float, list[float], object]:
    for _ in range(warmup):  # first calls build caches and fault in buffers
        fn()
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times, out


def seeded(name: str, seed: int):
    return seeded_model(name, seed=seed).eval()


def row(label: str, med: float, times: list[float]) -> dict:
    print(f"  {label:<44} {med:8.3f} s   (runs: {', '.join(f'{t:.3f}' for t in times)})")
    return {"label": label, "median_s": med, "runs_s": times}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--image", type=Path, default=None, help="default: <data>/kodak/kodim01.png")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--compressai-repeats", type=int, default=None,
                    help="repeats of CompressAI's (slow) decoder; default --repeats")
    ap.add_argument("--warmup", type=int, default=1, help="untimed runs before each timed series")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-compressai", action="store_true")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    load_all()
    image = args.image or data_dir() / "kodak" / "kodim01.png"
    x = load_image(image)
    print(f"image {image} {tuple(x.shape[-2:])}, torch threads {args.threads}, "
          f"load average {os.getloadavg()[0]:.1f}, seed {args.seed}, repeats {args.repeats}")
    report: dict = {"image": str(image), "threads": args.threads, "seed": args.seed,
                    "loadavg_start": os.getloadavg(), "rows": []}

    with torch.no_grad():
        # -- 1. our mbt2018 -----------------------------------------------------------
        ours = calibrate(seeded("mbt2018", args.seed), x)
        enc = ours.compress(x)
        nbytes = sum(len(s) for ss in enc["strings"] for s in ss)
        print(f"\nmbt2018 (N={ours.N}, M={ours.M}), {nbytes} bytes = {8 * nbytes / x[0, 0].numel():.3f} bpp")
        lat, lat_t, _ = timed(lambda: ours.decompress_latent(enc["strings"], enc["shape"]), args.repeats, args.warmup)
        tot, tot_t, _ = timed(lambda: ours.decompress(enc["strings"], enc["shape"]), args.repeats, args.warmup)
        report["rows"].append(row("ours   mbt2018 latent (wavefront)", lat, lat_t))
        report["rows"].append(row("ours   mbt2018 total decompress", tot, tot_t))
        report["mbt2018_total_s"] = tot

        # -- 2. unified: patch-parallel vs serial ---------------------------------------
        par = calibrate(seeded("uludag2022-unified-parallel", args.seed), x)
        ser = seeded("uludag2022-unified", args.seed)
        # same weights except the spatial kernels (one raster kernel per slice in the
        # serial form, p*p patch kernels in the parallel one)
        state = {k: v for k, v in par.state_dict().items() if ".spatial_context." not in k}
        ser.load_state_dict(state, strict=False)
        ser.update(force=True)
        for key, name, model in (("parallel", "uludag2022-unified-parallel", par),
                                 ("serial", "uludag2022-unified (serial)", ser)):
            e = model.compress(x)
            nbytes = sum(len(s) for ss in e["strings"] for s in ss)
            per_slice = model.context.steps(x.shape[-2] // 16, x.shape[-1] // 16)
            steps = len(per_slice) * len(model.context.groups)
            print(f"\n{name} (N={model.N}, M={model.M}, slices={len(model.context.groups)}), "
                  f"{steps} decoding steps, {nbytes} bytes")
            lat, lat_t, _ = timed(lambda m=model, e=e: m.decompress_latent(e["strings"], e["shape"]), args.repeats, args.warmup)
            tot, tot_t, _ = timed(lambda m=model, e=e: m.decompress(e["strings"], e["shape"]), args.repeats, args.warmup)
            report["rows"].append(row(f"{name} latent", lat, lat_t))
            report["rows"].append(row(f"{name} total decompress", tot, tot_t))
            report[f"unified_{key}_latent_s"], report[f"unified_{key}_total_s"] = lat, tot

        # -- 3. CompressAI's mbt2018, same weights (last: its long run should not
        #       disturb the measurements above) -------------------------------------------
        if not args.skip_compressai:
            ref = compressai_twin(ours, ours.config).eval()
            renc = ref.compress(x)
            reps = args.compressai_repeats or args.repeats
            print(f"\nCompressAI JointAutoregressiveHierarchicalPriors, same weights, {reps} run(s)")
            rtot, rtot_t, rout = timed(lambda: ref.decompress(renc["strings"], renc["shape"]), reps, args.warmup)
            report["rows"].append(row("CompressAI mbt2018 total decompress", rtot, rtot_t))
            same = (rout["x_hat"] - ours.decompress(enc["strings"], enc["shape"])["x_hat"]).abs().max()
            print(f"  max |x_hat ours - CompressAI| = {float(same):.2e} (rounding flips, see tests/context)")
            report["compressai_mbt2018_total_s"] = rtot

    # -- the two figures the issue asks for -------------------------------------------
    print("\nsummary")
    if "compressai_mbt2018_total_s" in report:
        r = report["compressai_mbt2018_total_s"] / report["mbt2018_total_s"]
        report["speedup_mbt2018_total"] = r
        print(f"  mbt2018 decompress, CompressAI / ours: {report['compressai_mbt2018_total_s']:.2f} s / "
              f"{report['mbt2018_total_s']:.3f} s = {r:.1f}x (target >= 10x)")
    pt, pl = report["unified_parallel_total_s"], report["unified_parallel_latent_s"]
    st, sl = report["unified_serial_total_s"], report["unified_serial_latent_s"]
    print(f"  unified patch-parallel decompress: {pt:.3f} s total, {pl:.3f} s latent (target <= 1 s)")
    print(f"  unified serial decompress:         {st:.3f} s total, {sl:.3f} s latent")
    print(f"  patch-parallel vs serial: {st / pt:.2f}x faster in total, {sl / pl:.2f}x in latent decoding")
    report["loadavg_end"] = os.getloadavg()
    print(f"load average at the end {report['loadavg_end'][0]:.1f}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
