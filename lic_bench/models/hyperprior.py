"""``bmshj2018-hyperprior`` and ``mbt2018-mean``: scale and mean-scale hyperpriors (presets)."""

from __future__ import annotations

from lic_bench.models.compose import ComposedModel
from lic_bench.registry import MODELS

__all__ = ["ScaleHyperprior", "MeanScaleHyperprior"]


@MODELS.register(
    "bmshj2018-hyperprior",
    taxonomy=["scale-hyperprior"],
    papers=["balle2018-variational"],
)
class ScaleHyperprior(ComposedModel):
    """Scale hyperprior: side information z predicts the scale of each latent.

    Ballé, Minnen, Singh, Hwang, Johnston, "Variational image compression with a
    scale hyperprior", 2018 (``balle2018-variational``)::

        x ─ g_a ─ y ─┬──────── Q ─ ŷ ─ g_s ─ x̂
                     │|y|          ↑ N(0, σ)
                     h_a ─ z ─ Q ─ ẑ ─ h_s ─ σ          ẑ: EntropyBottleneck(N)

    Same modules and state-dict keys as CompressAI's ``ScaleHyperprior``.
    """

    defaults = {"N": 128, "M": 192, "backbone": "scale-hyperprior", "hyper_nonlinearity": "relu"}


@MODELS.register(
    "mbt2018-mean",
    taxonomy=["mean-scale-hyperprior"],
    papers=["minnen2018-joint"],
)
class MeanScaleHyperprior(ComposedModel):
    """Mean-scale hyperprior: z predicts the mean and the scale of each latent.

    Minnen, Ballé, Toderici, "Joint Autoregressive and Hierarchical Priors for
    Learned Image Compression", 2018 (``minnen2018-joint``), its model without the
    autoregressive context::

        x ─ g_a ─ y ─┬──────── Q ─ ŷ ─ g_s ─ x̂
                     │             ↑ N(μ, σ)
                     h_a ─ z ─ Q ─ ẑ ─ h_s ─ (σ, μ)

    Same modules and state-dict keys as CompressAI's ``MeanScaleHyperprior``;
    the hyper-transforms use LeakyReLU by default, as there. ``context: checkerboard``
    (or any context model) turns it into a context model of that kind.
    """

    defaults = {"N": 192, "M": 320, "backbone": "mean-scale-hyperprior", "hyper_nonlinearity": "leaky-relu"}
