"""lic_bench.kb."""
