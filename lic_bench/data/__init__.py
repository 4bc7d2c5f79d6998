"""lic_bench.data."""
