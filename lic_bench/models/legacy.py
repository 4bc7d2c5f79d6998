"""The one translation of configs written by older lic-bench versions.

Bitstream headers and checkpoints keep the config of the model that wrote them,
and those configs outlive the code's layout: presets used to live in one module
each (``lic_bench.models.hyperprior.MeanScaleHyperprior``,
``lic_bench.context.joint_models.Mbt2018``, ...). :func:`upgrade_config` maps such
a config onto today's form before anything reads it; it never imports what a
config names, so it is safe on untrusted input.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["FLAT_SECTION_KEYS", "LEGACY_CLASS_PATHS", "upgrade_args", "upgrade_config"]

#: class path a preset had before ``lic_bench.models.presets`` -> its registry id
LEGACY_CLASS_PATHS = {
    "lic_bench.models.factorized.FactorizedPrior": "bmshj2018-factorized",
    "lic_bench.models.hyperprior.ScaleHyperprior": "bmshj2018-hyperprior",
    "lic_bench.models.hyperprior.MeanScaleHyperprior": "mbt2018-mean",
    "lic_bench.models.gained.GainedMeanScaleHyperprior": "cui2022-gained-mean",
    "lic_bench.models.cheng2020.Cheng2020Anchor": "cheng2020-anchor",
    "lic_bench.models.cheng2020.Cheng2020Attention": "cheng2020-attn",
    "lic_bench.context.joint_models.Mbt2018": "mbt2018",
    "lic_bench.context.joint_models.He2021Checkerboard": "he2021-checkerboard",
    "lic_bench.context.channel_models.Minnen2020Channelwise": "minnen2020-channelwise",
    "lic_bench.context.channel_models.He2022Elic": "he2022-elic",
    "lic_bench.context.channel_models.Uludag2022Unified": "uludag2022-unified",
    "lic_bench.context.channel_models.Uludag2022UnifiedParallel": "uludag2022-unified-parallel",
}


#: flat model keys of the context model's settings before the ``context`` section
#: (:mod:`lic_bench.models.sections`) -> (section, setting)
FLAT_SECTION_KEYS = {
    "context_kernel": ("context", "kernel_size"),
    "num_slices": ("context", "num_slices"),
    "groups": ("context", "groups"),
    "max_support_slices": ("context", "max_support_slices"),
    "lrp": ("context", "lrp"),
    "patch_size": ("context", "patch_size"),
    "parallel": ("context", "parallel"),
    "lmbdas": ("variable_rate", "lmbdas"),
    "gain_init": ("variable_rate", "gain_init"),
}

#: flat settings every config carried, with no effect while their component was ``none``
#: (dropped there rather than refused: a file written then still decodes)
_INERT_WITHOUT_COMPONENT = frozenset({"lmbdas", "gain_init"})


def upgrade_args(args: Mapping[str, Any]) -> dict[str, Any]:
    """Model arguments with the former flat component settings moved into their
    sections: ``{"context": "channel-wise", "num_slices": 5}`` becomes ``{"context":
    {"name": "channel-wise", "num_slices": 5}}`` (a section without ``name`` when the
    arguments name no component: it changes the model's own). A flat setting left at
    None (a former "the component's default") is dropped, and so are ``lmbdas`` and
    ``gain_init`` beside ``variable_rate: none``, which every config once held."""
    out = dict(args)
    for flat, (key, setting) in FLAT_SECTION_KEYS.items():
        if flat not in out:
            continue
        value = out.pop(flat)
        if value is None:
            continue
        current = out.get(key)
        if flat in _INERT_WITHOUT_COMPONENT and (current == "none" or (
                isinstance(current, Mapping) and current.get("name") == "none")):
            continue
        if isinstance(current, Mapping):
            section = dict(current)
        elif isinstance(current, str):
            section = {"name": current}
        else:
            section = {}
        section.setdefault(setting, list(value) if isinstance(value, tuple) else value)
        out[key] = section
    return out


def upgrade_config(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    """``raw`` in today's form: flat component settings move into their sections
    (:func:`upgrade_args`), and a former preset class path becomes the registry id it
    stood for (kept only when ``name`` disagrees, so the check can refuse it). A
    config already in today's form comes back unchanged (the same object)."""
    out: Any = raw
    if any(k in FLAT_SECTION_KEYS for k in raw):
        out = upgrade_args(raw)
    init_args = raw.get("init_args")
    if isinstance(init_args, Mapping) and any(k in FLAT_SECTION_KEYS for k in init_args):
        out = {**out, "init_args": upgrade_args(init_args)}
    path = raw.get("class_path")
    if not isinstance(path, str) or path not in LEGACY_CLASS_PATHS:
        return out
    name = LEGACY_CLASS_PATHS[path]
    if raw.get("name") not in (None, name):
        return out
    out = {k: v for k, v in out.items() if k != "class_path"}
    out["name"] = name
    return out
