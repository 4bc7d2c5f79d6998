"""lic-bench."""

from lic_bench import _compressai

# before any CompressAI import of ours: bind its package names on first use (see _compressai)
_compressai.install()
