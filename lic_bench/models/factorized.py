"""``bmshj2018-factorized``: the factorized-prior model (a preset)."""

from __future__ import annotations

from lic_bench.models.compose import ComposedModel
from lic_bench.registry import MODELS

__all__ = ["FactorizedPrior"]


@MODELS.register(
    "bmshj2018-factorized",
    taxonomy=["factorized-prior"],
    papers=["balle2018-variational", "balle2017-end-to-end"],
)
class FactorizedPrior(ComposedModel):
    """Factorized-prior model: one non-parametric density per latent channel.

    Ballé et al., "Variational image compression with a scale hyperprior", 2018
    (``balle2018-variational``), baseline of its experiments, after "End-to-end
    Optimized Image Compression", 2017 (``balle2017-end-to-end``)::

        x ─ g_a ─ y ─ Q ─ ŷ ─ g_s ─ x̂        ŷ coded with EntropyBottleneck(M)

    Same modules and state-dict keys as CompressAI's ``FactorizedPrior``
    (``bmshj2018-factorized``); ``nonlinearity: relu`` gives its
    ``FactorizedPriorReLU``. ``variable_rate: gain-units`` puts gain units around y.
    """

    defaults = {"N": 128, "M": 192, "backbone": "factorized-prior", "hyper_nonlinearity": "relu"}
