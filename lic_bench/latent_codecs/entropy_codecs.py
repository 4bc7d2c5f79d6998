"""The two leaf codecs: an entropy bottleneck (factorized density) and a Gaussian
conditional (density from hyper parameters).

Papers: Ballé et al., "Variational image compression with a scale hyperprior", 2018
(``balle2018-variational``) for both; the mean-scale form is Minnen et al. 2018
(``minnen2018-joint``). Densities and CDF tables are CompressAI's
(:mod:`lic_bench.entropy`); coding goes through :mod:`lic_bench.entropy.internals`.
The training quantizer is the model's (:mod:`lic_bench.quantizers`); a quantizer with
a coding offset (universal quantization) shifts the symbols identically on both sides.
"""

from __future__ import annotations

from typing import Any

from torch import Tensor

from lic_bench.entropy import EntropyBottleneck, GaussianConditional
from lic_bench.entropy.internals import (
    bottleneck_decode,
    bottleneck_encode,
    bottleneck_likelihood,
    bottleneck_medians,
    gaussian_decode,
    gaussian_encode,
    gaussian_likelihood,
)
from lic_bench.latent_codecs.base import ConditionalCodec, LatentCodec, split_params
from lic_bench.quantizers import Quantizer, get_quantizer

__all__ = ["EntropyBottleneckCodec", "GaussianConditionalCodec", "attach_y_codec"]


class EntropyBottleneckCodec(LatentCodec):
    """A latent coded with one learned non-parametric density per channel.

    Args:
        channels: channels of the latent.
        quantizer: the model's quantizer (shared, not owned).
        entropy_bottleneck: an existing :class:`EntropyBottleneck` (default: a new one).
    """

    def __init__(self, channels: int, quantizer: Quantizer, entropy_bottleneck: EntropyBottleneck | None = None):
        super().__init__()
        self.entropy_bottleneck = entropy_bottleneck if entropy_bottleneck is not None else EntropyBottleneck(channels)
        object.__setattr__(self, "quantizer", quantizer)  # the model owns it

    def forward(self, y: Tensor, quality: Any = None) -> dict[str, Any]:
        eb = self.entropy_bottleneck
        y_rate, y_hat = self.quantizer(y, means=bottleneck_medians(eb, y))
        return {"y_hat": y_hat, "likelihoods": {"y": bottleneck_likelihood(eb, y_rate)}}

    def compress(self, y: Tensor, quality: Any = None) -> dict[str, Any]:
        strings, y_hat = bottleneck_encode(self.entropy_bottleneck, y, self.quantizer.offset(y))
        return {"strings": [strings], "shape": tuple(y.shape[-2:]), "y_hat": y_hat}

    def decompress(self, strings: list, shape, quality: Any = None) -> dict[str, Any]:
        y_hat = bottleneck_decode(self.entropy_bottleneck, strings[0], shape, self.quantizer.offset)
        return {"y_hat": y_hat}


class GaussianConditionalCodec(ConditionalCodec):
    """A latent coded with a Gaussian per element, its scale (and mean) given by the
    hyper-synthesis output.

    Args:
        quantizer: the model's quantizer (shared, not owned).
        mean_scale: whether ``params`` hold means too (Minnen et al. 2018).
        entropy_model: class of the conditional (default CompressAI's Gaussian).
    """

    def __init__(self, quantizer: Quantizer, mean_scale: bool = True, entropy_model=GaussianConditional):
        super().__init__()
        self.mean_scale = bool(mean_scale)
        self.needs = "mean-scale" if mean_scale else "scale"
        self.gaussian_conditional = entropy_model(None)
        object.__setattr__(self, "quantizer", quantizer)

    def forward(self, y: Tensor, params, quality: Any = None) -> dict[str, Any]:
        scales, means = split_params(params, self.mean_scale)
        y_rate, y_hat = self.quantizer(y, means=means)
        lik = gaussian_likelihood(self.gaussian_conditional, y_rate, scales, means)
        return {"y_hat": y_hat, "likelihoods": {"y": lik}}

    def compress(self, y: Tensor, params, quality: Any = None) -> dict[str, Any]:
        scales, means = split_params(params, self.mean_scale)
        shift = self.quantizer.shift(y, means)
        strings = gaussian_encode(self.gaussian_conditional, y, scales, shift)
        return {"strings": [strings]}

    def decompress(self, strings: list, params, quality: Any = None) -> dict[str, Any]:
        scales, means = split_params(params, self.mean_scale)
        shift = self.quantizer.shift(scales, means)
        return {"y_hat": gaussian_decode(self.gaussian_conditional, strings[0], scales, shift)}


def attach_y_codec(module: Any, quantizer: Quantizer | str | dict[str, Any], y_codec: ConditionalCodec | None,
                   entropy_model: Any) -> None:
    """Give a context codec its quantizer and the codec of the elements it predicts.

    A :class:`Quantizer` instance is the model's own and is shared, not registered a
    second time (its parameters stay under the model's name); a name builds one. Without
    ``y_codec`` the context codec owns a :class:`GaussianConditionalCodec`, whose
    ``gaussian_conditional`` keeps CompressAI's state-dict keys.
    """
    if isinstance(quantizer, Quantizer):
        object.__setattr__(module, "quantizer", quantizer)
    else:
        module.quantizer = get_quantizer(quantizer)
    module.y_codec = y_codec if y_codec is not None else GaussianConditionalCodec(module.quantizer, True, entropy_model)
