"""Faster inference for the hyperprior model family, bit-identical to the reference.

``prepare_for_inference(model)`` returns a :class:`FastCodec` whose ``compress``
and ``decompress`` give the same strings and the same reconstruction, bit for
bit, as the model's own (and, for the same weights, CompressAI's) — only
sooner. It works on lic-bench's ``bmshj2018-factorized``,
``bmshj2018-hyperprior``, ``mbt2018-mean`` and ``cui2022-gained-mean`` and on
CompressAI's ``FactorizedPrior``, ``ScaleHyperprior`` and
``MeanScaleHyperprior``; :func:`supports` says whether a model qualifies.

What costs time in the reference path, and what replaces it (measured with
pyinstrument on ``MeanScaleHyperprior(128, 192)`` at 768×512, one thread):

* transposed convolutions (~75 % of decoding): run in ``channels_last``, which
  PyTorch hands to oneDNN's direct kernels; the output is bit-identical
  (ordinary stride-2 convolutions are not, so they stay NCHW);
* divisive normalisation (~20 %): beta/gamma re-parameterised once, ``x²``,
  the channel mix and the root computed into reused buffers, the result
  multiplied into the convolution output in place (no 50 MB allocations, which
  glibc serves with fresh, page-faulting mmaps);
* the encoder's rANS *decoding* of z just to get ẑ: ẑ = round(z − median) +
  median is what the decoder reconstructs, so it is computed directly;
* ``build_indexes``' loop over the 64-entry scale table: one ``bucketize``;
* CDF tables turned into Python lists on every call: converted once.

Call :func:`prepare_for_inference` again after the weights or the entropy
models' tables change (training, ``update()``), or use :func:`codec_for`,
which keeps one on the model and rebuilds it when it goes stale.
"""

from lic_bench.fastpath.cache import codec_for, fast_transform, reference_path
from lic_bench.fastpath.codec import FastCodec, prepare_for_inference, supports
from lic_bench.fastpath.transforms import FastSequential

__all__ = [
    "FastCodec",
    "FastSequential",
    "codec_for",
    "fast_transform",
    "prepare_for_inference",
    "reference_path",
    "supports",
]
