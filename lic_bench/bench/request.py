"""What one ``lic-bench bench`` call asks for, as one settings object.

The command line fills a :class:`BenchRequest` (plain values: texts and numbers as
typed); :meth:`BenchRequest.settings` turns it into the runner's
:class:`~lic_bench.bench.runner.BenchSettings`, :meth:`BenchRequest.variants` into the
model overrides of each ``--sweep`` variant, and :func:`run_request` runs it. Python
callers use the same object, so the CLI holds no logic of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lic_bench.errors import UsageError

__all__ = ["DEFAULT_BATCHES", "DEFAULT_REPEATS", "DEFAULT_RESOLUTIONS", "DEFAULT_WARMUP", "BenchRequest",
           "run_request"]

# The defaults (seed 000 §7.3.3); --quick replaces any that are not given.
DEFAULT_RESOLUTIONS = "256,384,512,640,768,896,1024"
DEFAULT_BATCHES = "2,4,8,16"
DEFAULT_REPEATS = 50
DEFAULT_WARMUP = 3


def _ints(text: str, what: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise UsageError(f"{what} must be comma-separated whole numbers, got {text!r}") from None
    if not values or any(v < 1 for v in values):
        raise UsageError(f"{what} must be positive whole numbers, got {text!r}")
    return values


def _resolutions(text: str) -> list[tuple[int, int]]:
    from lic_bench.bench.runner import parse_resolution

    values = [parse_resolution(r.strip()) for r in text.split(",") if r.strip()]
    if not values:
        raise UsageError(f"--resolutions needs at least one SIZE or WIDTHxHEIGHT, got {text!r}")
    return values


@dataclass
class BenchRequest:
    """One benchmark call: the model (``model`` id or ``config`` file, ``overrides``,
    ``sweep`` as ``KEY=V1,V2``) and how to time it (None: the default, or the
    ``quick`` preset's)."""

    model: str | None = None
    config: Path | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    sweep: str | None = None
    quick: bool = False
    resolutions: str | None = None
    batch_sizes: str | None = None
    throughput_resolution: str = "256"
    repeats: int | None = None
    warmup: int | None = None
    budget: float | None = None
    device: str = "cpu"
    threads: int | None = None
    quality: float | None = None
    compare: str | None = None
    image: Path | None = None
    transforms: bool = True

    def source(self) -> str:
        """The model id or config path (exactly one must be given; files must exist)."""
        if (self.model is None) == (self.config is None):
            raise UsageError("give exactly one of --model NAME or --config YAML")
        if self.config is not None and not Path(self.config).is_file():
            raise UsageError(f"{self.config}: no such config file")
        if self.image is not None and not Path(self.image).is_file():
            raise UsageError(f"{self.image}: no such image")
        return str(self.config) if self.config is not None else str(self.model)

    def variants(self) -> list[dict[str, Any]]:
        """The model overrides of each variant (one without ``sweep``)."""
        if self.sweep is None:
            return [dict(self.overrides)]
        from lic_bench.engine.config import model_overrides

        key, sep, values = self.sweep.partition("=")
        if not sep or not key.strip() or not values.strip():
            raise UsageError(f"--sweep expects KEY=V1,V2,..., got {self.sweep!r}")
        return [{**self.overrides, **model_overrides([f"{key.strip()}={v.strip()}"])}
                for v in values.split(",") if v.strip()]

    def settings(self):
        """The runner's settings: the defaults (or ``quick``'s), with what was given."""
        from lic_bench.bench.runner import BenchSettings, parse_resolution, quick_settings

        base = quick_settings() if self.quick else BenchSettings(
            resolutions=_resolutions(DEFAULT_RESOLUTIONS),
            batch_sizes=_ints(DEFAULT_BATCHES, "--batch-sizes"),
            repeats=DEFAULT_REPEATS,
            warmup=DEFAULT_WARMUP,
        )
        if self.resolutions is not None:
            base.resolutions = _resolutions(self.resolutions)
        if self.batch_sizes is not None:
            base.batch_sizes = _ints(self.batch_sizes, "--batch-sizes")
        if self.repeats is not None:
            base.repeats = self.repeats
        if self.warmup is not None:
            base.warmup = self.warmup
        if self.budget is not None:
            base.budget = self.budget or None
        base.throughput_resolution = parse_resolution(self.throughput_resolution)
        base.device, base.threads, base.quality = self.device, self.threads, self.quality
        base.compare = self.compare
        base.image = str(self.image) if self.image else None
        base.stages = ("transforms", "full") if self.transforms else ("full",)
        return base


def run_request(request: BenchRequest, progress: Callable[[int], Any] | None = None) -> list[dict[str, Any]]:
    """The results documents of ``request`` (one per variant)."""
    from lic_bench.bench.runner import run_benchmarks

    source = request.source()
    variants = request.variants()
    return run_benchmarks(source, request.settings(), progress=progress, variants=variants)
