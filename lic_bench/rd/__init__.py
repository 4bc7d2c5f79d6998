"""lic_bench.rd."""
