"""Eval-mode transforms: the same arithmetic as the modules, bit for bit, in less time.

:class:`FastSequential` is how every model runs ``g_a``, ``g_s``, ``h_a`` and ``h_s``
outside training (through :func:`lic_bench.latent_codecs.eval_transform`, which keeps
one per module and rebuilds it when the weights change). Entropy coding without
CompressAI's repeated work lives with the rest of CompressAI's internals in
:mod:`lic_bench.entropy.internals`.

What costs time in a plain module, and what replaces it (measured with pyinstrument
on ``MeanScaleHyperprior(128, 192)`` at 768×512, one thread):

* transposed convolutions (~75 % of decoding): run in ``channels_last``, which
  PyTorch hands to oneDNN's direct kernels; the output is bit-identical
  (ordinary stride-2 convolutions are not, so they stay NCHW);
* divisive normalisation (~20 %): beta/gamma re-parameterised once, ``x²``,
  the channel mix and the root computed into reused buffers, the result
  multiplied into the convolution output in place (no 50 MB allocations, which
  glibc serves with fresh, page-faulting mmaps).
"""

from lic_bench.fastpath.transforms import FastSequential

__all__ = ["FastSequential"]
