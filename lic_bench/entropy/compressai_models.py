"""CompressAI's entropy models, registered by name and used unchanged.

``EntropyBottleneck`` (factorized prior, Ballé et al. 2018, ``balle2018-variational``,
after ``balle2017-end-to-end``) and ``GaussianConditional`` (scale hyperprior,
``balle2018-variational``). Departure: their ``entropy_coder`` is
:class:`lic_bench.entropy.rans.SafeEntropyCoder`, which writes CompressAI's streams
byte for byte but checks every read, so a forged string cannot crash the decoder.
The state-dict keys are CompressAI's. The helpers below only
evaluate their likelihoods on values that a :mod:`lic_bench.quantizers` quantizer
produced, instead of letting the entropy model add noise or round by itself, so
the quantizer is swappable without touching CompressAI.
"""

from __future__ import annotations

from statistics import NormalDist

from compressai.entropy_models import EntropyBottleneck as _EntropyBottleneck
from compressai.entropy_models import GaussianConditional as _GaussianConditional

from lic_bench.entropy.internals import (  # noqa: F401 - re-exported
    bottleneck_likelihood,
    bottleneck_medians,
    gaussian_likelihood,
)
from lic_bench.entropy.rans import SafeEntropyCoder
from lic_bench.registry import ENTROPY_MODELS

__all__ = [
    "EntropyBottleneck",
    "GaussianConditional",
    "bottleneck_likelihood",
    "bottleneck_medians",
    "gaussian_likelihood",
]

class EntropyBottleneck(_EntropyBottleneck):
    """CompressAI's ``EntropyBottleneck`` coding through the memory-safe rANS coder."""

    #: takes no parameters from a hyperprior (:mod:`lic_bench.models.backbones`)
    needs = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.entropy_coder = SafeEntropyCoder()


class GaussianConditional(_GaussianConditional):
    """CompressAI's ``GaussianConditional`` coding through the memory-safe rANS coder.

    Departure: the standard normal quantile of :meth:`update` comes from the standard
    library instead of ``scipy.stats`` (the same value to 1e-15), so building a model
    does not load scipy.stats (0.5 s of every command's start; :mod:`lic_bench._compressai`).

    A subclass changes the density by overriding ``_standardized_cumulative`` and
    ``_standardized_quantile`` (:class:`~lic_bench.entropy.laplacian.LaplacianConditional`):
    CompressAI builds the CDF tables and likelihoods from those two alone.
    """

    #: reads the scales (and means) a hyperprior predicts (:mod:`lic_bench.models.backbones`)
    needs = "scale"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.entropy_coder = SafeEntropyCoder()

    @staticmethod
    def _standardized_quantile(quantile):
        return NormalDist().inv_cdf(float(quantile))


ENTROPY_MODELS.register(
    "entropy-bottleneck",
    taxonomy=["factorized-prior"],
    papers=["balle2018-variational", "balle2017-end-to-end"],
    description="Non-parametric factorized density per channel (CompressAI EntropyBottleneck)",
)(EntropyBottleneck)

ENTROPY_MODELS.register(
    "gaussian-conditional",
    taxonomy=["scale-hyperprior"],
    papers=["balle2018-variational"],
    description="Gaussian conditional on hyper-decoded scales/means (CompressAI GaussianConditional)",
)(GaussianConditional)
