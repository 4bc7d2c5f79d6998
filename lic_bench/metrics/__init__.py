"""lic_bench.metrics."""
