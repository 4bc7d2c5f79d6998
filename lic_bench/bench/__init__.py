"""Latency, throughput and complexity benchmark (seed 000 §6.7, §7.3.3, §7.4.2–7.4.3).

``run_benchmark`` (one config) and ``run_benchmarks`` (variants timed in turn)
return results documents; ``lic-bench bench`` writes them under
``results/bench/``. ``quick_settings`` is the CPU preset (``--quick``). Needs torch.
"""

from lic_bench.bench.runner import BenchSettings, quick_settings, run_benchmark, run_benchmarks

__all__ = ["BenchSettings", "quick_settings", "run_benchmark", "run_benchmarks"]
