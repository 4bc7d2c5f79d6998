"""``cheng2020-anchor`` and ``cheng2020-attn``: residual transforms + serial spatial context (presets).

Cheng, Sun, Takeuchi, Katto, "Learned Image Compression with Discretized Gaussian
Mixture Likelihoods and Attention Modules", CVPR 2020 (``cheng2020-learned``), as
CompressAI implements them (``Cheng2020Anchor``, ``Cheng2020Attention``): the
transform sets of :mod:`lic_bench.models.residual_transforms`, M = N, and the
5x5 masked context with the entropy-parameters network of Minnen et al. 2018
(``mbt2018``'s y codec). Departure from the paper, CompressAI's too: y is coded with
one Gaussian (mean and scale), not the paper's discretised mixture of three
Gaussians. State-dict keys are CompressAI's, so its published weights load unchanged.
"""

from __future__ import annotations

from lic_bench.models.compose import ComposedModel
from lic_bench.registry import MODELS

__all__ = ["Cheng2020Anchor", "Cheng2020Attention"]

_BASE = {
    "N": 192,
    "M": 192,
    "backbone": "mean-scale-hyperprior",
    "context": "autoregressive-context",
    "hyper_nonlinearity": "leaky-relu",
}


@MODELS.register(
    "cheng2020-anchor",
    taxonomy=["residual-blocks", "autoregressive-context"],
    papers=["cheng2020-learned"],
    test_overrides={"N": 16, "M": 16},
)
class Cheng2020Anchor(ComposedModel):
    """Cheng et al. 2020's anchor (``cheng2020-learned``): residual blocks and sub-pixel
    up-sampling, serial 5x5 context. CompressAI-compatible state dict (``Cheng2020Anchor``)."""

    defaults = {**_BASE, "transform": "residual-subpixel"}


@MODELS.register(
    "cheng2020-attn",
    taxonomy=["residual-blocks", "attention-based-priors", "autoregressive-context"],
    papers=["cheng2020-learned"],
    test_overrides={"N": 16, "M": 16},
)
class Cheng2020Attention(ComposedModel):
    """``cheng2020-anchor`` with simplified attention modules in g_a and g_s (Cheng et al.
    2020, ``cheng2020-learned``). CompressAI-compatible state dict (``Cheng2020Attention``)."""

    defaults = {**_BASE, "transform": "residual-attention"}
