"""Build any registered non-linearity by name (timm's ``get_act_layer`` pattern), or from
its config section ``{name: id, <setting>: value}`` (:mod:`lic_bench.models.sections`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch.nn as nn

from lic_bench.registry import NONLINEARITIES

__all__ = ["get_nonlinearity"]


def get_nonlinearity(name: str | Mapping[str, Any], channels: int, inverse: bool = False, **kwargs: Any) -> nn.Module:
    """``get_nonlinearity("gdn", 128, inverse=True)`` -> an IGDN layer over 128 channels;
    ``get_nonlinearity({"name": "leaky-relu", "negative_slope": 0.2}, 64)`` with a setting.

    Unknown names raise :class:`lic_bench.errors.UsageError` listing the known ones.
    """
    if isinstance(name, Mapping):  # a resolved section: its settings are keyword arguments
        kwargs = {**{k: v for k, v in name.items() if k != "name"}, **kwargs}
        name = name["name"]
    return NONLINEARITIES.get(name)(channels, inverse=inverse, **kwargs)
