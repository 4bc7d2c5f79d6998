"""Latency, throughput and complexity benchmark (seed 000 §6.7, §7.3.3, §7.4.2–7.4.3).

``run_benchmark`` (one config) and ``run_benchmarks`` (variants timed in turn)
return results documents; ``lic-bench bench`` writes them under
``results/bench/`` from a :class:`~lic_bench.bench.request.BenchRequest`.
``quick_settings`` is the CPU preset (``--quick``). Needs torch, imported on first use
(the CLI imports :mod:`.request` without it).
"""

from typing import Any

__all__ = ["BenchSettings", "quick_settings", "run_benchmark", "run_benchmarks"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from lic_bench.bench import runner

        return getattr(runner, name)
    raise AttributeError(f"module 'lic_bench.bench' has no attribute {name!r}")
