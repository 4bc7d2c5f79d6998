"""Give a randomly initialised context model the statistics of a trained one.

Used by the tests and by ``scripts/bench_context_decode.py`` (CompressAI checkpoints
cannot be downloaded here). A fresh random model yields latents near 0 -- every
symbol codes as 0, which makes rate checks and decoding timings meaningless -- and
arbitrary Gaussian parameters. :func:`calibrate` rescales g_a's last layer so that the
latents have a chosen spread on a reference image, and shrinks the last layer of every
network that outputs means or scales, so that they become ``0`` and ``scale`` plus a
small part that still depends on the hyperprior and the contexts.
"""

from __future__ import annotations

import torch
import torch.nn as nn

__all__ = ["calibrate"]


def _shrink(layer: nn.Module, bias: float) -> None:
    layer.weight.mul_(0.05)
    layer.bias.fill_(bias)


@torch.no_grad()
def calibrate(model: nn.Module, x: torch.Tensor, y_std: float = 3.0, scale: float = 2.0) -> nn.Module:
    """Calibrate ``model`` (of the coding protocol, ``models.base.CodingModel``) in place
    and rebuild its coder tables. The networks adjusted are those whose last layers
    output σ and μ (its ``gaussian_outputs()``)."""
    model.g_a[-1].weight.mul_(y_std / float(model.g_a(x).std()))
    for scale_net, mean_net in model.gaussian_outputs():
        if mean_net is None:  # one network: (scales, means), as in CompressAI
            _shrink(scale_net[-1], 0.0)
            scale_net[-1].bias[: model.M] = scale
        else:  # a slice's own networks (a channel context names them per slice)
            _shrink(scale_net[-1], scale)
            _shrink(mean_net[-1], 0.0)
    model.update(force=True)
    return model
