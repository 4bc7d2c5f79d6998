"""``mbt2018`` and ``he2021-checkerboard``: mean-scale hyperprior + spatial context (presets).

Both are the Minnen et al. 2018 transforms with a spatial-context y codec
(:class:`~lic_bench.context.joint.JointContext`) in the hyperprior codec::

    x ─ g_a ─ y ─┬───────────────── Q ─ ŷ ─┬─ g_s ─ x̂
                 │                          └─ context (masked conv) ─┐
                 h_a ─ z ─ Q ─ ẑ ─ h_s ─ params ─────── entropy_parameters ─ (σ, μ)

State-dict keys and shapes are those of CompressAI's
``JointAutoregressiveHierarchicalPriors`` (``mbt2018``), so the same weights load
into both; ``compress``/``decompress`` produce one rANS string per image for ŷ and
one for ẑ (``{"strings": [y_strings, z_strings], "shape": z_shape}``).
"""

from __future__ import annotations

from lic_bench.models.compose import ComposedModel
from lic_bench.registry import MODELS

__all__ = ["Mbt2018", "He2021Checkerboard"]

_BASE = {"N": 192, "M": 192, "backbone": "mean-scale-hyperprior", "hyper_nonlinearity": "leaky-relu"}


@MODELS.register(
    "mbt2018",
    taxonomy=["autoregressive-context", "mean-scale-hyperprior"],
    papers=["minnen2018-joint"],
    test_overrides={"N": 16, "M": 24},
)
class Mbt2018(ComposedModel):
    """Joint autoregressive and hierarchical priors (Minnen, Ballé, Toderici 2018,
    ``minnen2018-joint``): serial 5x5 masked context, decoded by wavefront.
    CompressAI-compatible state dict (``JointAutoregressiveHierarchicalPriors``)."""

    defaults = {**_BASE, "context": "autoregressive-context"}


@MODELS.register(
    "he2021-checkerboard",
    taxonomy=["checkerboard", "mean-scale-hyperprior"],
    papers=["he2021-checkerboard", "minnen2018-joint"],
    test_overrides={"N": 16, "M": 24},
)
class He2021Checkerboard(ComposedModel):
    """Checkerboard context model (He et al. 2021, ``he2021-checkerboard``) on the
    Minnen et al. 2018 architecture, as in the paper's main experiments: two decoding
    passes, anchors with a zero context then non-anchors."""

    defaults = {**_BASE, "context": "checkerboard"}
