"""lic_bench.engine."""
