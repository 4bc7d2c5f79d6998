"""Build any registered non-linearity by name (timm's ``get_act_layer`` pattern)."""

from __future__ import annotations

from typing import Any

import torch.nn as nn

from lic_bench.registry import NONLINEARITIES

__all__ = ["get_nonlinearity"]


def get_nonlinearity(name: str, channels: int, inverse: bool = False, **kwargs: Any) -> nn.Module:
    """``get_nonlinearity("gdn", 128, inverse=True)`` -> an IGDN layer over 128 channels.

    Unknown names raise :class:`lic_bench.errors.UsageError` listing the known ones.
    """
    return NONLINEARITIES.get(name)(channels, inverse=inverse, **kwargs)
