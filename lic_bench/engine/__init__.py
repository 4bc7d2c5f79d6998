"""Training and evaluation engine (needs the bench extra: torch, lightning).

- :mod:`~lic_bench.engine.config`: configs, defaults, ``--set`` overrides, λ tables;
- :mod:`~lic_bench.engine.module`: the Lightning module (rate-distortion training);
- :mod:`~lic_bench.engine.train`: :func:`fit` and :func:`validate`;
- :mod:`~lic_bench.engine.evaluate`: real-bitstream evaluation and results documents.

Submodules are imported on first use so that reading a config needs no torch.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "load_config": "config",
    "MSE_LAMBDAS": "config",
    "MS_SSIM_LAMBDAS": "config",
    "RateDistortionLoss": "loss",
    "RDModule": "module",
    "fit": "train",
    "validate": "train",
    "evaluate_model": "evaluate",
    "evaluate_image": "evaluate",
    "run_test": "evaluate",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"lic_bench.engine.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'lic_bench.engine' has no attribute {name!r}")
