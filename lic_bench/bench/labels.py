"""Human labels and taxonomy ids for a resolved model config.

The model's registry entry names the components it is built from by default;
a config that swaps the non-linearity or quantizer swaps those ids too, so a
ReLU variant's results land on the ``relu`` page, not the ``gdn`` one.
"""

from __future__ import annotations

from typing import Any

_SWAPPABLE = {"nonlinearity": "nonlinearity", "quantizer": "quantizer", "context": "context-model",
              "variable_rate": "variable-rate", "transform": "transform", "entropy_model": "entropy-model"}
#: keys whose preset value keeps the model's registered labels (only a swap changes them)
_LABELLED_BY_PRESET = ("context", "variable_rate", "transform", "entropy_model")


def _args(cfg: dict[str, Any]) -> dict[str, Any]:
    return dict(cfg.get("init_args") or {}) | {k: v for k, v in cfg.items() if k in _SWAPPABLE}


def _shown(value: Any) -> str:
    """An id, or a section as ``id(setting=value, ...)``."""
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        settings = ", ".join(f"{k}={v}" for k, v in value.items() if k != "name")
        return f"{value['name']}({settings})" if settings else value["name"]
    return str(value)


def describe_config(cfg: dict[str, Any]) -> str:
    args = _args(cfg)
    shown = [f"{k}={_shown(args[k])}" for k in ("N", "M", "nonlinearity", "quantizer") if k in args]
    return f"{cfg['name']} ({', '.join(shown)})" if shown else cfg["name"]


def taxonomy_for_config(cfg: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(taxonomy ids, paper ids) of a model config, following swapped components."""
    from lic_bench.registry import BACKBONES, MODELS, REGISTRIES, load_all

    load_all()
    entry = MODELS.entry(cfg["name"])
    taxonomy, papers = list(entry.taxonomy), list(entry.papers)
    args = _args(cfg)
    from lic_bench.models.config import constructor_params
    from lic_bench.models.sections import section_name

    defaults = {k: section_name(v) if isinstance(v, dict) else v for k, v in constructor_params(entry.obj).items()}
    for key, kind in _SWAPPABLE.items():
        chosen = section_name(args.get(key))  # an id, or the name of its section
        if key in _LABELLED_BY_PRESET and chosen == defaults.get(key):
            continue  # the preset's own component: its registered labels stand
        registry = REGISTRIES[kind]
        if not isinstance(chosen, str) or (chosen not in registry and chosen != "none"):
            continue
        kind_ids = {t for e in registry.entries() for t in e.taxonomy}
        kind_papers = {p for e in registry.entries() for p in e.papers}
        taxonomy = [t for t in taxonomy if t not in kind_ids]
        papers = [p for p in papers if p not in kind_papers or p in entry.papers[:1]]
        if chosen == "none":
            continue
        chosen_entry = registry.entry(chosen)
        taxonomy += [t for t in chosen_entry.taxonomy if t not in taxonomy]
        papers += [p for p in chosen_entry.papers if p not in papers]
    backbone = section_name(args.get("backbone"))
    if backbone in BACKBONES:
        backbone_ids = {t for e in BACKBONES.entries() for t in e.taxonomy}
        taxonomy = [*BACKBONES.entry(backbone).taxonomy, *[t for t in taxonomy if t not in backbone_ids]]
    return taxonomy, papers
