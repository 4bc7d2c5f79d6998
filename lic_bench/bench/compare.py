"""CompressAI's implementation of the same architecture, loaded with identical weights.

Used by ``lic-bench bench --compare compressai`` to time both in one run and to
check that ours produces the same bitstream and reconstruction bit for bit. The
CompressAI model is wrapped in :class:`CompressAITwin`, which gives it the coding
protocol (:class:`~lic_bench.models.base.CodingModel`), so that the benchmark reads
both implementations alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn as nn
from torch import Tensor

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


class CompressAITwin(nn.Module):
    """A CompressAI model of :data:`COMPRESSAI_CLASSES` with the coding protocol: its
    own ``compress``/``decompress`` (fixed-rate: no quality), its modules as they are
    for the transform stages (Ballé 2018's scale hyperprior feeds ``|y|`` to ``h_a``).

    Args:
        net: the CompressAI model.
        name, config: the registry id and config of the lic-bench model it twins.
        context_model: that model's y context id.
    """

    variable_rate = False
    default_quality = None
    weights_info = {"init": "copied from the lic-bench model it twins"}

    def __init__(self, net: nn.Module, name: str, config: dict[str, Any] | None, context_model: str = "none"):
        super().__init__()
        self.net, self.name, self.config, self.context_model = net, name, config, context_model
        self.M = int(net.M)

    @property
    def g_a(self) -> nn.Module:
        return self.net.g_a

    @property
    def g_s(self) -> nn.Module:
        return self.net.g_s

    def _hyper(self) -> bool:
        import compressai.models as cm

        return isinstance(self.net, cm.ScaleHyperprior)

    def _joint(self) -> bool:
        import compressai.models as cm

        return isinstance(self.net, cm.JointAutoregressiveHierarchicalPriors)

    @property
    def downsampling_factor(self) -> int:
        return int(self.net.downsampling_factor)

    @property
    def n_strings(self) -> int:
        return 2 if self._hyper() else 1  # [y strings, z strings] or [y strings]

    def update(self, scale_table=None, force: bool = False) -> bool:
        return self.net.update(scale_table, force=force)

    def forward(self, x: Tensor, quality: float | None = None) -> dict[str, Any]:
        if quality is not None:
            raise ValueError("a fixed-rate model takes no quality")
        return self.net(x)

    def compress(self, x: Tensor, quality: float | None = None) -> dict[str, Any]:
        if quality is not None:
            raise ValueError("a fixed-rate model takes no quality")
        return self.net.compress(x)

    def decompress(self, strings: list, shape, quality: float | None = None) -> dict[str, Tensor]:
        if quality is not None:
            raise ValueError("a fixed-rate model takes no quality")
        return self.net.decompress(strings, shape)

    def eval_transforms(self) -> dict[str, Callable[[Tensor], Any]]:
        import compressai.models as cm

        net = self.net
        out: dict[str, Callable] = {"g_a": net.g_a}
        if self._hyper():
            scale = not isinstance(net, cm.MeanScaleHyperprior)
            out["h_a"] = (lambda y: net.h_a(torch.abs(y))) if scale else net.h_a
            out["h_s"] = net.h_s
        out["g_s"] = net.g_s
        return out

    def parameter_networks(self) -> dict[str, list[nn.Module]]:
        out = {"h_s": [self.net.h_s]} if self._hyper() else {}
        if self._joint():
            out["entropy_parameters"] = [self.net.entropy_parameters]
        return out

    def gaussian_outputs(self) -> list[tuple[nn.Module, nn.Module | None]]:
        if self._joint():
            return [(self.net.entropy_parameters, None)]
        return [(self.net.h_s, None)] if self._hyper() else []

    def pinned_threads(self) -> int | None:
        return None


def compressai_twin(model: torch.nn.Module, cfg: dict[str, Any]) -> CompressAITwin:
    """CompressAI's model for ``cfg`` holding ``model``'s weights (CDF tables rebuilt),
    with the coding protocol."""
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
    return CompressAITwin(twin, name, cfg, model.context_model)


def _is_cdf_buffer(key: str) -> bool:
    from lic_bench.entropy.internals import DERIVED_BUFFERS

    return key.rsplit(".", 1)[-1] in DERIVED_BUFFERS

