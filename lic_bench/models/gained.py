"""``cui2022-gained-mean``: a mean-scale hyperprior with gain units (a preset)."""

from __future__ import annotations

from lic_bench.models.compose import DEFAULT_LMBDAS, ComposedModel
from lic_bench.registry import MODELS

__all__ = ["DEFAULT_LMBDAS", "GainedMeanScaleHyperprior"]


@MODELS.register(
    "cui2022-gained-mean",
    taxonomy=["gain-units", "mean-scale-hyperprior"],
    papers=["cui2021-asymmetric", "minnen2018-joint"],
)
class GainedMeanScaleHyperprior(ComposedModel):
    """Gained mean-scale hyperprior: one set of weights for every λ.

    Cui et al., "Asymmetric Gained Deep Image Compression With Continuous Rate
    Adaptation", 2022 (``cui2021-asymmetric``), on the mean-scale hyperprior of
    Minnen et al. 2018 (``minnen2018-joint``)::

        x ─ g_a ─ ×G_s ─ y ─┬──────── Q ─ ŷ ─ ×G⁻¹_s ─ g_s ─ x̂
                            h_a ─ ×H_s ─ z ─ Q ─ ẑ ─ ×H⁻¹_s ─ h_s ─ (σ, μ)

    ``G``, ``G⁻¹``, ``H``, ``H⁻¹`` are gain units
    (:class:`~lic_bench.latent_codecs.GainedCodec`) with one vector per λ in
    ``lmbdas``. Training draws one level per sample and reports each sample's λ as
    ``out["lmbda"]`` (the rate-distortion loss uses it); evaluation and coding take
    ``quality`` in [1, len(lmbdas)], any float: between two levels the gains are
    interpolated exponentially.
    """

    defaults = {"N": 192, "M": 320, "backbone": "mean-scale-hyperprior", "variable_rate": "gain-units",
                "hyper_nonlinearity": "leaky-relu", "lmbdas": DEFAULT_LMBDAS}
