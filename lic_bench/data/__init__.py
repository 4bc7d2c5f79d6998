"""Datasets, transforms and downloads.

- :mod:`~lic_bench.data.catalogue`: named datasets and their splits under the data folder,
  registered in the dataset registry (``DATASETS``; :func:`register_dataset` adds one, also
  from a plugin); no torch needed, so ``lic-bench data list`` works without the bench extra;
- :mod:`~lic_bench.data.fetch`: official downloads with resume and checksums (no torch);
- :mod:`~lic_bench.data.images`: :class:`ImageFolder` (bad files skipped with one warning),
  :func:`dataset_checksum`;
- :mod:`~lic_bench.data.transforms`: random crop, center crop, no crop (pad to a multiple);
- :mod:`~lic_bench.data.datamodule`: the Lightning data module.

The torch-based names are imported on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

from lic_bench.data.catalogue import (
    DATASETS,
    DatasetInfo,
    get_dataset_info,
    register_dataset,
    resolve_split,
)

_LAZY = {
    "BadImageWarning": "images",
    "ImageFolder": "images",
    "dataset_checksum": "images",
    "list_images": "images",
    "load_rgb": "images",
    "CenterCrop": "transforms",
    "NoCrop": "transforms",
    "RandomCrop": "transforms",
    "build_transform": "transforms",
    "pad_to_multiple": "transforms",
    "ImageDataModule": "datamodule",
    "build_dataset": "datamodule",
    "fetch_dataset": "fetch",
}

__all__ = ["DATASETS", "DatasetInfo", "get_dataset_info", "register_dataset", "resolve_split", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"lic_bench.data.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'lic_bench.data' has no attribute {name!r}")
