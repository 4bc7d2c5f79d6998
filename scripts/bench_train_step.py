"""Ours / CompressAI time of one training step, side by side in one run.

Protocol (issue #13): a batch of 8 random 128×128 crops, 2 threads, N=128 and M=192;
one step is forward, rate-distortion loss, backward, the main Adam step and the
auxiliary Adam step on the entropy bottleneck's quantiles -- as in CompressAI's
``examples/train.py``. lic-bench's registered model and CompressAI's class of the same
architecture start from the same weights; steps alternate ours/theirs so that the
load of a shared machine hits both alike. Prints medians and the ratio ours/theirs,
or with ``--format json`` a list of ``{"model", "ours_s", "compressai_s", "ratio"}``.

    .venv/bin/python scripts/bench_train_step.py --repeats 10

``--breakdown`` profiles a few steps of each (torch.profiler, self CPU time) and splits
them into the spatial convolutions (the 5×5 layers both implementations run through the
same oneDNN kernels), CompressAI's 1×1 GDN convolutions (ours are a ``linear``, counted in
the rest), and everything else. Run it on a quiet machine: under contention the
element-wise operations' thread barriers inflate "the rest" several times over. Its
``floor`` is CompressAI's spatial-convolution time over its whole step: the ratio ours
would reach if our convolutions ran exactly as fast as CompressAI's and nothing else in
the step (GDN, entropy models, loss, optimizers, autograd) cost anything.
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


def _steppers(name: str, batch: int, size: int):
    """(ours, CompressAI's) step functions: the same weights, the same batch."""
    from compressai.losses import RateDistortionLoss as TheirLoss

    from lic_bench.bench.compare import compressai_twin
    from lic_bench.engine.loss import RateDistortionLoss
    from lic_bench.models.seeded import seeded_model

    ours = seeded_model(name, {"N": 128, "M": 192})
    theirs = compressai_twin(ours, ours.config)
    x = torch.rand(batch, 3, size, size, generator=torch.Generator().manual_seed(1))
    return (_stepper(ours, RateDistortionLoss(0.0130), x, ours=True),
            _stepper(theirs, TheirLoss(lmbda=0.0130), x, ours=False))


def compare(name: str, batch: int, size: int, repeats: int, warmup: int) -> dict:
    a, b = _steppers(name, batch, size)
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


#: profiler events of convolutions (forward and backward)
_CONV = ("aten::convolution_backward", "aten::_convolution", "aten::mkldnn_convolution",
         "aten::convolution", "aten::conv2d", "aten::conv_transpose2d",
         "aten::_slow_conv2d_forward", "aten::_slow_conv2d_backward")


def _is_1x1(shapes) -> bool:
    """A C×C×1×1 weight among the inputs: CompressAI's GDN as a convolution."""
    return any(len(s) == 4 and s[2:] == [1, 1] and s[0] == s[1] for s in shapes or [])


def _profile(step, steps: int) -> dict[str, float]:
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        for _ in range(steps):
            step()
    total = conv = gdn = 0.0
    for ev in prof.key_averages(group_by_input_shape=True):
        t = ev.self_cpu_time_total / 1e6 / steps
        total += t
        if ev.key in _CONV:
            if _is_1x1(ev.input_shapes):
                gdn += t
            else:
                conv += t
    return {"total_s": total, "conv_s": conv, "gdn_1x1_s": gdn, "rest_s": total - conv - gdn}


def breakdown(name: str, batch: int, size: int, steps: int) -> dict:
    a, b = _steppers(name, batch, size)
    for _ in range(2):
        a(), b()
    o, t = _profile(a, steps), _profile(b, steps)
    r = lambda d: {k: round(v, 4) for k, v in d.items()}  # noqa: E731
    return {"model": name, "ours": r(o), "compressai": r(t), "ratio": round(o["total_s"] / t["total_s"], 3),
            "floor": round(t["conv_s"] / t["total_s"], 3)}


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
    parser.add_argument("--breakdown", action="store_true",
                        help="profile the steps: convolutions vs the rest, and the floor ratio")
    args = parser.parse_args()
    global FLUSH_BOTH
    FLUSH_BOTH = args.flush_denormals_both
    torch.set_num_threads(args.threads)
    models = [m.strip() for m in args.models.split(",")]
    if args.breakdown:
        rows = [breakdown(m, args.batch, args.size, max(1, args.repeats // 2)) for m in models]
    else:
        rows = [compare(m, args.batch, args.size, args.repeats, args.warmup) for m in models]
    if args.format == "json":
        print(json.dumps(rows))
    elif args.breakdown:
        _print_breakdown(rows, args)
    else:
        _print_ratios(rows, args)


def _print_breakdown(rows: list[dict], args) -> None:
    print(f"self CPU seconds per step (torch.profiler), batch {args.batch} of {args.size}x{args.size}, "
          f"{args.threads} threads, N=128 M=192")
    print(f"{'model':22} {'who':11} {'total':>7} {'5x5 conv':>9} {'1x1 GDN':>8} {'rest':>7}")
    for r in rows:
        for who in ("ours", "compressai"):
            d = r[who]
            print(f"{r['model']:22} {who:11} {d['total_s']:7.3f} {d['conv_s']:9.3f} {d['gdn_1x1_s']:8.3f} "
                  f"{d['rest_s']:7.3f}")
        print(f"{'':22} ratio {r['ratio']:.3f}; floor (CompressAI's 5x5 convolutions alone) {r['floor']:.3f}")


def _print_ratios(rows: list[dict], args) -> None:
    print(f"batch {args.batch} of {args.size}x{args.size}, {args.threads} threads, N=128 M=192, medians of "
          f"{args.repeats}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (shared machine)")
    print(f"{'model':22} {'ours s':>8} {'CompressAI s':>13} {'ratio':>6}")
    for r in rows:
        print(f"{r['model']:22} {r['ours_s']:8.3f} {r['compressai_s']:13.3f} {r['ratio']:6.3f}")

if __name__ == "__main__":
    main()
