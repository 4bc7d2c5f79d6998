"""CompressAI's implementation of the same architecture, loaded with identical weights.

Used by ``lic-bench bench --compare compressai`` to time both in one run and to
check that ours produces the same bitstream and reconstruction bit for bit.
"""

from __future__ import annotations

from typing import Any

import torch

from lic_bench.errors import UsageError
from lic_bench.models.sections import section_name

# Our registry name -> CompressAI class with the same layers and state_dict keys.
COMPRESSAI_CLASSES = {
    "bmshj2018-factorized": "FactorizedPrior",
    "bmshj2018-hyperprior": "ScaleHyperprior",
    "mbt2018-mean": "MeanScaleHyperprior",
    "mbt2018": "JointAutoregressiveHierarchicalPriors",
}

# CompressAI's fixed hyper-transform activations (None: no hyper-transforms).
_HYPER_NONLINEARITY = {
    "bmshj2018-factorized": None,
    "bmshj2018-hyperprior": "relu",
    "mbt2018-mean": "leaky-relu",
    "mbt2018": "leaky-relu",
}


def compressai_twin(model: torch.nn.Module, cfg: dict[str, Any]) -> torch.nn.Module:
    """CompressAI's model for ``cfg`` holding ``model``'s weights (CDF tables rebuilt)."""
    import compressai.models as cm

    name = cfg["name"]
    if name not in COMPRESSAI_CLASSES:
        known = ", ".join(COMPRESSAI_CLASSES)
        raise UsageError(f"CompressAI has no twin of {name!r}; --compare works for {known}")
    args = dict(cfg.get("init_args") or {})
    if section_name(args.get("nonlinearity", "gdn")) != "gdn":
        raise UsageError("--compare compressai needs nonlinearity: gdn (CompressAI's only choice)")
    hyper = args.get("hyper_nonlinearity", _HYPER_NONLINEARITY.get(name))
    # CompressAI's LeakyReLU keeps PyTorch's default slope: a section that changes it has no twin
    plain = {"name": "leaky-relu", "negative_slope": 0.01}
    if hyper == plain:
        hyper = "leaky-relu"
    if _HYPER_NONLINEARITY.get(name) is not None and hyper != _HYPER_NONLINEARITY[name]:
        raise UsageError(
            f"--compare compressai needs hyper_nonlinearity: {_HYPER_NONLINEARITY[name]} for {name}"
        )
    twin = getattr(cm, COMPRESSAI_CLASSES[name])(N=args.get("N", 128), M=args.get("M", 192))
    # CDF tables are derived state: drop them and let update() rebuild them from the weights.
    state = {k: v for k, v in model.state_dict().items() if not _is_cdf_buffer(k)}
    missing, unexpected = torch.nn.Module.load_state_dict(twin, state, strict=False)
    real_missing = [k for k in missing if not _is_cdf_buffer(k)]
    real_unexpected = [k for k in unexpected if not _is_cdf_buffer(k)]
    if real_missing or real_unexpected:
        raise UsageError(
            f"weights of {name!r} do not map onto CompressAI's {COMPRESSAI_CLASSES[name]}: "
            f"missing {real_missing[:3]}, unexpected {real_unexpected[:3]}"
        )
    twin.update(force=True)
    return twin


def _is_cdf_buffer(key: str) -> bool:
    from lic_bench.entropy.internals import DERIVED_BUFFERS

    return key.rsplit(".", 1)[-1] in DERIVED_BUFFERS

