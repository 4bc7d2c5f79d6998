"""The one builder of models with fixed-seed weights, and of models ready to code.

A model without trained weights is initialised from a fixed seed
(:data:`RANDOM_SEED`): the same config gives the same weights on every machine, so a
bitstream written with them decodes anywhere (a pipeline test of real entropy
coding, not a codec of any quality) and a benchmark times the same network. The
caller's random state is left as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

from lic_bench.models.checkpoint import checkpoint_sizes, load_checkpoint
from lic_bench.models.config import build_model, load_model_config

__all__ = ["RANDOM_SEED", "model_for_coding", "seeded_model"]

RANDOM_SEED = 0


def seeded_model(
    config: Mapping | str | Path,
    overrides: Mapping[str, Any] | None = None,
    *,
    seed: int = RANDOM_SEED,
    trusted: bool = True,
) -> torch.nn.Module:
    """``build_model`` under ``torch.manual_seed(seed)``; ``model.weights_info`` says so."""
    cfg = load_model_config(config, overrides, trusted=trusted)
    state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    try:
        model = build_model(cfg)
    finally:
        torch.random.set_rng_state(state)
    model.weights_info = {"init": "seed", "seed": seed}
    return model


def model_for_coding(
    config: Mapping | str | Path,
    checkpoint: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    *,
    trusted: bool = True,
    rename=None,
) -> torch.nn.Module:
    """A model in eval mode with its coder tables built: checkpoint weights, or the
    fixed-seed initialisation when ``checkpoint`` is None. ``trusted=False`` for a
    config read from a file (header, checkpoint): registry ids and checked settings only.
    N and M follow the checkpoint's weights (CompressAI's ``from_state_dict``) unless
    ``overrides`` set them."""
    if checkpoint is not None:
        overrides = {**checkpoint_sizes(checkpoint), **(overrides or {})} or None
    model = seeded_model(config, overrides, trusted=trusted)
    if checkpoint is not None:
        load_checkpoint(model, checkpoint, rename=rename)
        model.weights_info = {"init": "checkpoint", "file": Path(checkpoint).name}
    model.eval()
    model.update(force=True)
    return model
