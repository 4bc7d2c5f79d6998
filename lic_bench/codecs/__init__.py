"""lic_bench.codecs."""
