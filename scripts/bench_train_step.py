"""Ours / CompressAI time of one training step, side by side in one run.

Protocol (issue #13): a batch of 8 random 128×128 crops, 2 threads, N=128 and M=192;
one step is forward, rate-distortion loss, backward, the main Adam step and the
auxiliary Adam step on the entropy bottleneck's quantiles -- as in CompressAI's
``examples/train.py``. lic-bench's registered model and CompressAI's class of the same
architecture start from the same weights; steps alternate ours/theirs so that the
load of a shared machine hits both alike. Prints medians and the ratio ours/theirs,
or with ``--format json`` a list of ``{"model", "ours_s", "compressai_s", "ratio"}``.

    .venv/bin/python scripts/bench_train_step.py --repeats 10
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import torch

MODELS = ("bmshj2018-factorized", "mbt2018-mean")
#: --flush-denormals-both: CompressAI's step under lic-bench's flushed denormals too
#: (separates what the flag gives from what the code gives)
FLUSH_BOTH = False


def _optimizers(model: torch.nn.Module):
    main = [p for n, p in model.named_parameters() if not n.endswith("quantiles")]
    aux = [p for n, p in model.named_parameters() if n.endswith("quantiles")]
    return torch.optim.Adam(main, lr=1e-4), torch.optim.Adam(aux, lr=1e-3)


def _stepper(model, criterion, x, ours: bool):
    import contextlib

    from lic_bench.engine.step import training_math

    opt, aux_opt = _optimizers(model)
    model.train()

    def step() -> float:
        # lic-bench's step runs as RDModule.training_step runs it; CompressAI's as its
        # examples/train.py does
        with training_math() if ours or FLUSH_BOTH else contextlib.nullcontext():
            return _timed_step()

    def _timed_step() -> float:
        start = time.perf_counter()
        opt.zero_grad()
        aux_opt.zero_grad()
        out = model(x)
        loss = criterion(out, x)["loss"]
        loss.backward()
        opt.step()
        aux = model.aux_loss()
        aux.backward()
        aux_opt.step()
        return time.perf_counter() - start

    return step


def compare(name: str, batch: int, size: int, repeats: int, warmup: int) -> dict:
    from compressai.losses import RateDistortionLoss as TheirLoss

    from lic_bench.bench.compare import compressai_twin
    from lic_bench.engine.loss import RateDistortionLoss
    from lic_bench.models import build_model

    torch.manual_seed(0)
    ours = build_model(name, {"N": 128, "M": 192})
    theirs = compressai_twin(ours, ours.config)
    x = torch.rand(batch, 3, size, size, generator=torch.Generator().manual_seed(1))
    a = _stepper(ours, RateDistortionLoss(0.0130), x, ours=True)
    b = _stepper(theirs, TheirLoss(lmbda=0.0130), x, ours=False)
    for _ in range(warmup):
        a(), b()
    t_ours, t_theirs = [], []
    for i in range(repeats):  # alternate who goes first
        if i % 2:
            t_theirs.append(b())
            t_ours.append(a())
        else:
            t_ours.append(a())
            t_theirs.append(b())
    o, t = statistics.median(t_ours), statistics.median(t_theirs)
    return {"model": name, "ours_s": round(o, 4), "compressai_s": round(t, 4), "ratio": round(o / t, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--flush-denormals-both", action="store_true",
                        help="run CompressAI's step with flushed denormals as well")
    args = parser.parse_args()
    global FLUSH_BOTH
    FLUSH_BOTH = args.flush_denormals_both
    torch.set_num_threads(args.threads)
    rows = [compare(m.strip(), args.batch, args.size, args.repeats, args.warmup) for m in args.models.split(",")]
    if args.format == "json":
        print(json.dumps(rows))
        return
    print(f"batch {args.batch} of {args.size}x{args.size}, {args.threads} threads, N=128 M=192, medians of "
          f"{args.repeats}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (shared machine)")
    print(f"{'model':22} {'ours s':>8} {'CompressAI s':>13} {'ratio':>6}")
    for r in rows:
        print(f"{r['model']:22} {r['ours_s']:8.3f} {r['compressai_s']:13.3f} {r['ratio']:6.3f}")


if __name__ == "__main__":
    main()
