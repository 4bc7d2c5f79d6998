"""Parameter count, multiply-accumulates per pixel and peak memory of a model."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import torch
from torch.utils.flop_counter import FlopCounterMode


def count_parameters(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def kmac_per_pixel(model: torch.nn.Module, height: int = 256, width: int = 256) -> float:
    """Counted (not estimated) kMAC per input pixel of the eval-mode forward pass.

    ``FlopCounterMode`` counts convolutions (incl. transposed and the 1×1
    convolutions inside GDN) and matrix products as 2 FLOPs per MAC; point-wise
    operations are not counted, as is usual for MAC figures.
    """
    x = torch.rand(1, 3, height, width, device=next(model.parameters()).device)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(x)
    return counter.get_total_flops() / 2.0 / (height * width) / 1000.0


class _RssSampler:
    """Samples the process' resident memory in a thread; CPU tensors have no allocator stats."""

    def __init__(self, interval: float = 0.002):
        import psutil

        self._process = psutil.Process()
        self._interval = interval
        self._stop = threading.Event()
        self.baseline = self._process.memory_info().rss
        self.peak = self.baseline
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._process.memory_info().rss)
            time.sleep(self._interval)

    def __enter__(self) -> _RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)


def peak_memory_mb(fn: Callable[[], Any], device: torch.device) -> float:
    """Peak memory added while ``fn`` runs, in MiB (CUDA allocator peak, or RSS growth on CPU)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
        before = torch.cuda.memory_allocated(device)
        fn()
        torch.cuda.synchronize(device)
        return (torch.cuda.max_memory_allocated(device) - before) / 2**20
    with _RssSampler() as sampler:
        fn()
    return max(0, sampler.peak - sampler.baseline) / 2**20
