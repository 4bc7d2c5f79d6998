"""Complete compression models (registry kind ``model``). Needs torch.

Public API::

    from lic_bench.models import build_model, load_model_config, transforms
    model = build_model("mbt2018-mean")                       # configs/models/mbt2018-mean.yaml
    model = build_model({"name": "mbt2018-mean", "N": 64, "nonlinearity": "1dn"})
"""

from lic_bench.models import residual_transforms, transforms
from lic_bench.models.base import LatentCompressionModel
from lic_bench.models.checkpoint import (
    checkpoint_sizes,
    load_checkpoint,
    read_checkpoint,
    weights_hash,
)
from lic_bench.models.compose import BACKBONES, ComposedModel
from lic_bench.models.config import (
    build_model,
    config_dir,
    constructor_params,
    load_model_config,
)
from lic_bench.models.presets import (
    Cheng2020Anchor,
    Cheng2020Attention,
    FactorizedPrior,
    GainedMeanScaleHyperprior,
    He2021Checkerboard,
    He2022Elic,
    Mbt2018,
    MeanScaleHyperprior,
    Minnen2020Channelwise,
    ScaleHyperprior,
    Uludag2022Unified,
    Uludag2022UnifiedParallel,
)

__all__ = [
    "BACKBONES",
    "Cheng2020Anchor",
    "Cheng2020Attention",
    "ComposedModel",
    "FactorizedPrior",
    "GainedMeanScaleHyperprior",
    "He2021Checkerboard",
    "He2022Elic",
    "LatentCompressionModel",
    "Mbt2018",
    "MeanScaleHyperprior",
    "Minnen2020Channelwise",
    "ScaleHyperprior",
    "Uludag2022Unified",
    "Uludag2022UnifiedParallel",
    "build_model",
    "checkpoint_sizes",
    "config_dir",
    "constructor_params",
    "load_checkpoint",
    "load_model_config",
    "read_checkpoint",
    "residual_transforms",
    "transforms",
    "weights_hash",
]
