"""Results files: CompressAI's evaluation format plus a ``meta`` block with provenance.

A results document is::

    {
      "name": "mbt2018-mean",            # registry / taxonomy / codec name
      "description": "...",
      "results": {"bpp": [...], "psnr-rgb": [...], "ms-ssim-rgb": [...], ...},
      "meta": {
        "kind": "eval" | "anchor" | "reported" | "bench",
        "provenance": "measured" | "reported" | "digitised",
        "taxonomy": [component ids], "papers": [paper ids],
        "command": "lic-bench ...", "source": "...",   # measured / reported
        "dataset": ..., "git_commit": ..., "versions": {...}, "device": ..., "date": ...
      }
    }

so ``compressai.utils.plot`` reads the ``results`` part unchanged.
"""

from lic_bench.results.io import load_results, result_path, write_result
from lic_bench.results.meta import collect_meta, config_hash, file_sha256

__all__ = [
    "collect_meta",
    "config_hash",
    "file_sha256",
    "load_results",
    "result_path",
    "write_result",
]
