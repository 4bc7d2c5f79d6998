"""Latency, throughput and complexity benchmark (seed 000 §6.7, §7.3.3, §7.4.2–7.4.3).

``run_benchmark`` returns a results document; ``lic-bench bench`` writes it under
``results/bench/``. Needs torch.
"""

from lic_bench.bench.runner import BenchSettings, run_benchmark

__all__ = ["BenchSettings", "run_benchmark"]
