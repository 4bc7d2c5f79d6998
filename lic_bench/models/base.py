"""Shared machinery of the models: a CompressAI ``CompressionModel`` whose
quantizer is swappable and whose entropy-coding calls go through it.

Conventions (CompressAI's): ``forward(x) -> {"x_hat", "likelihoods": {...}}``,
``compress(x) -> {"strings": [[bytes per image] per latent], "shape"}``,
``decompress(strings, shape) -> {"x_hat"}``, ``update(force=True)`` before coding,
``aux_loss()`` for the entropy bottleneck's quantiles. Extra attributes used by
:mod:`lic_bench.bitstream`: ``downsampling_factor`` (what input sizes are padded
to a multiple of) and ``variable_rate`` (whether ``compress``/``decompress`` take
a ``quality``).
"""

from __future__ import annotations

from typing import Any

from compressai.models import CompressionModel
from torch import Tensor

from lic_bench.entropy import (
    EntropyBottleneck,
    GaussianConditional,
    bottleneck_likelihood,
    bottleneck_medians,
    gaussian_likelihood,
)
from lic_bench.quantizers import get_quantizer

__all__ = ["LatentCompressionModel"]


class LatentCompressionModel(CompressionModel):
    """Base of the lic-bench models.

    Args:
        quantizer: registry name (or ``{"name": ..., **kwargs}``) of the quantizer
            used for every latent while training; inference always rounds.
    """

    variable_rate = False
    #: number of entropy-coded latents (string groups in ``compress``'s output): y and z
    coded_latents = 2
    #: number of stride-2 stages between the image and the deepest latent
    _stages = 4

    def __init__(self, quantizer: str | dict[str, Any] = "additive-uniform-noise"):
        super().__init__()
        self.quantizer = get_quantizer(quantizer)

    @property
    def downsampling_factor(self) -> int:
        return 2**self._stages

    # -- factorized latent (z, or y of the factorized-prior model) ------------
    def quantize_factorized(
        self, eb: EntropyBottleneck, z: Tensor
    ) -> tuple[Tensor, Tensor]:
        """(z_hat for synthesis, likelihoods) with the model's quantizer."""
        z_rate, z_hat = self.quantizer(z, means=bottleneck_medians(eb, z))
        return z_hat, bottleneck_likelihood(eb, z_rate)

    def compress_factorized(self, eb: EntropyBottleneck, z: Tensor) -> tuple[list, Tensor]:
        """Entropy-code ``z``; returns its strings and the decoder's ``z_hat``."""
        d = self.quantizer.offset(z)
        strings = eb.compress(z if d is None else z - d)
        return strings, self.decompress_factorized(eb, strings, z.shape[-2:], d)

    def decompress_factorized(
        self, eb: EntropyBottleneck, strings: list, shape, d: Tensor | None = None
    ) -> Tensor:
        z_hat = eb.decompress(strings, tuple(shape))
        if d is None:
            d = self.quantizer.offset(z_hat)
        return z_hat if d is None else z_hat + d

    # -- Gaussian latent ----------------------------------------------------------
    def quantize_gaussian(
        self, gc: GaussianConditional, y: Tensor, scales: Tensor, means: Tensor | None = None
    ) -> tuple[Tensor, Tensor]:
        """(y_hat for synthesis, likelihoods) with the model's quantizer."""
        y_rate, y_hat = self.quantizer(y, means=means)
        return y_hat, gaussian_likelihood(gc, y_rate, scales, means)

    def compress_gaussian(
        self, gc: GaussianConditional, y: Tensor, scales: Tensor, means: Tensor | None = None
    ) -> list:
        indexes = gc.build_indexes(scales)
        return gc.compress(y, indexes, means=self.quantizer.shift(y, means))

    def decompress_gaussian(
        self, gc: GaussianConditional, strings: list, scales: Tensor, means: Tensor | None = None
    ) -> Tensor:
        indexes = gc.build_indexes(scales)
        return gc.decompress(strings, indexes, scales.dtype, self.quantizer.shift(scales, means))
