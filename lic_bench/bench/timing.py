"""Wall-clock timing that is correct on both CPU and CUDA.

On CUDA, kernels run asynchronously: the host clock would measure the launch,
not the work. As Ferrari (2025, ``ferrari2025-registry`` §6.7) recommends after
Geifman, we warm the device up, then bracket each call with ``torch.cuda.Event``
markers and synchronise before reading them. On CPU, ``time.perf_counter`` is
enough and the thread count is recorded with the figures.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import torch


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_call(fn: Callable[[], Any], device: torch.device) -> tuple[float, Any]:
    """Seconds taken by one call of ``fn`` on ``device``, and its return value."""
    if device.type == "cuda":
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        out = fn()
        end.record()
        torch.cuda.synchronize(device)
        return start.elapsed_time(end) / 1000.0, out
    begin = time.perf_counter()
    out = fn()
    return time.perf_counter() - begin, out


def repeat(
    fn: Callable[[], Any],
    device: torch.device,
    repeats: int,
    warmup: int = 1,
    budget: float | None = None,
    min_repeats: int = 2,
) -> list[float]:
    """Times of ``repeats`` calls after ``warmup`` untimed ones.

    With ``budget`` (seconds), stop early once the timed calls have used it up,
    but never before ``min_repeats`` calls: slow models (sequential context
    decoding) get fewer repeats instead of hours. The statistics record ``n``.
    """
    for _ in range(warmup):
        fn()
    _sync(device)
    times: list[float] = []
    for _ in range(repeats):
        times.append(time_call(fn, device)[0])
        if budget is not None and len(times) >= min_repeats and sum(times) >= budget:
            break
    return times


def interleaved(
    fns: list[Callable[[], Any]],
    device: torch.device,
    repeats: int,
    warmup: int = 1,
    budget: float | None = None,
    min_repeats: int = 2,
) -> list[list[float]]:
    """Times of several callables measured in turn (A B C A B C ...).

    On a shared machine the load drifts during a run; alternating the calls
    makes every implementation see the same drift, so their ratios hold even
    when absolute times do not. ``budget`` (seconds) applies per callable.
    """
    for fn in fns:
        for _ in range(warmup):
            fn()
    _sync(device)
    times: list[list[float]] = [[] for _ in fns]
    for r in range(repeats):
        for fn, out in zip(fns, times, strict=True):
            out.append(time_call(fn, device)[0])
        spent = sum(sum(t) for t in times)
        if budget is not None and r + 1 >= min_repeats and spent >= budget * len(fns):
            break
    return times


def summarize(seconds: list[float]) -> dict[str, float]:
    """Mean, standard deviation, median and 95th percentile, in milliseconds."""
    ms = sorted(s * 1000.0 for s in seconds)
    p95_index = min(len(ms) - 1, max(0, round(0.95 * (len(ms) - 1))))
    return {
        "mean": statistics.fmean(ms),
        "std": statistics.stdev(ms) if len(ms) > 1 else 0.0,
        "median": statistics.median(ms),
        "p95": ms[p95_index],
        "n": len(ms),
    }


def warm_up(device: torch.device, seconds: float = 0.5) -> None:
    """Run random work until the device has been busy for ``seconds`` (clocks, caches, cuDNN)."""
    deadline = time.perf_counter() + seconds
    a = torch.randn(256, 256, device=device)
    while time.perf_counter() < deadline:
        a = torch.tanh(a @ a.T / 256.0)
    _sync(device)
