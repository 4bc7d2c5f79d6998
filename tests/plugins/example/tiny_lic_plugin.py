"""A lic-bench plugin outside the package: one non-linearity, one transform set, one
context model, a model preset built from them, one metric and one dataset, registered
through the public registries only.

The plugin test (tests/plugins/test_plugins.py) installs this file with a dist-info
whose ``entry_points.txt`` names it in the ``lic_bench.plugins`` group; the guide
site/guides/add-a-component.md walks through the same code. It is data for that test,
not a module of the test suite: nothing imports it in the test process.
"""

from __future__ import annotations

import os

import numpy as np
import torch.nn as nn

from lic_bench.data.catalogue import DatasetInfo, register_dataset
from lic_bench.latent_codecs import JointContext
from lic_bench.layers import conv, deconv, get_nonlinearity
from lic_bench.metrics.specs import ResultKey, register_metric
from lic_bench.models.compose import ComposedModel
from lic_bench.models.transforms import hyper_analysis, hyper_synthesis
from lic_bench.registry import CONTEXT_MODELS, MODELS, NONLINEARITIES, TRANSFORMS


@NONLINEARITIES.register("tiny-swish", description="x * sigmoid(x) (plugin example)")
def tiny_swish(channels: int | None = None, inverse: bool = False) -> nn.Module:
    """Swish / SiLU (Ramachandran et al. 2017); the same form for synthesis."""
    return nn.SiLU()


@TRANSFORMS.register("tiny-3x3", description="g_a / g_s of 3x3 strided convolutions (plugin example)")
class Tiny3x3:
    """Ballé et al. 2018's four stride-2 stages with 3x3 instead of 5x5 kernels; the
    hyper transforms are the default set's."""

    @staticmethod
    def analysis(N: int, M: int, nonlinearity: str = "gdn", in_channels: int = 3) -> nn.Sequential:
        widths = [in_channels, N, N, N, M]
        layers: list[nn.Module] = []
        for i in range(4):
            layers.append(conv(widths[i], widths[i + 1], kernel_size=3))
            if i < 3:
                layers.append(get_nonlinearity(nonlinearity, widths[i + 1]))
        return nn.Sequential(*layers)

    @staticmethod
    def synthesis(N: int, M: int, nonlinearity: str = "gdn", out_channels: int = 3) -> nn.Sequential:
        widths = [M, N, N, N, out_channels]
        layers: list[nn.Module] = []
        for i in range(4):
            layers.append(deconv(widths[i], widths[i + 1], kernel_size=3))
            if i < 3:
                layers.append(get_nonlinearity(nonlinearity, widths[i + 1], inverse=True))
        return nn.Sequential(*layers)

    hyper_analysis = staticmethod(hyper_analysis)
    hyper_synthesis = staticmethod(hyper_synthesis)


@CONTEXT_MODELS.register("tiny-checkerboard", description="Checkerboard context, 3x3 mask (plugin example)")
def tiny_checkerboard(M: int = 192, quantizer="additive-uniform-noise", entropy_model=None) -> JointContext:
    """He et al. 2021's two-pass checkerboard with a 3x3 instead of a 5x5 context mask."""
    extra = {"entropy_model": entropy_model} if entropy_model is not None else {}
    return JointContext(M, "checkerboard", 3, quantizer=quantizer, **extra)


@MODELS.register("tiny-plugin-model", description="The three components above on a small mean-scale hyperprior")
class TinyPluginModel(ComposedModel):
    """A preset of this plugin's components: what ``--set`` builds from he2021-checkerboard."""

    defaults = {"N": 8, "M": 12, "backbone": "mean-scale-hyperprior", "hyper_nonlinearity": "leaky-relu",
                "context": "tiny-checkerboard", "nonlinearity": "tiny-swish", "transform": "tiny-3x3"}


@register_metric("tiny-mae", keys=[ResultKey("mae", "MAE", "levels", higher_is_better=False)],
                 label="Mean absolute error (RGB)", higher_is_better=False, packages=["numpy"])
def tiny_mae(ref: np.ndarray, dist: np.ndarray) -> dict[str, float]:
    """Mean absolute difference of two 8-bit RGB images, in 8-bit levels."""
    return {"mae": float(np.mean(np.abs(ref.astype(np.int16) - dist.astype(np.int16))))}


register_dataset(DatasetInfo(
    name="tiny-set",
    description="A few crops written by the plugin test",
    folder=os.environ.get("TINY_LIC_PLUGIN_DATA", "tiny-set"),  # absolute: outside the data folder
    splits={"test": ""},
    default_split="test",
))
