"""Experiment configs: YAML files merged over defaults, ``--set key=value`` overrides,
and the fully resolved form saved next to every run.

A config (Ferrari 2025, ferrari2025-registry, section 6.6: "configuration files must be
open, i.e., not specifying a field assumes the default value") has the sections of
:data:`DEFAULTS`. A file may start from others with ``extends: [base.yaml, ...]`` (paths
relative to the file); several ``--config`` files are merged left to right, then the
``--set`` overrides. ``model`` is resolved by :func:`lic_bench.models.load_model_config`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from lic_bench.config_files import read_yaml
from lic_bench.engine.settings import defaults, validate_config
from lic_bench.errors import UsageError
from lic_bench.lambdas import MS_SSIM_LAMBDAS, MSE_LAMBDAS  # noqa: F401 - the one λ table

#: every section with its defaults (the typed settings: :mod:`lic_bench.engine.settings`)
DEFAULTS: dict[str, Any] = defaults()

_SECTIONS = set(DEFAULTS) | {"extends"}


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` on top of ``base``; mappings merge, everything else replaces."""
    out = copy.deepcopy(dict(base))
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def load_file(path: str | Path, _seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """One config file with its ``extends`` chain merged in (bases first)."""
    path = Path(path).resolve()
    if path in _seen:
        raise UsageError(f"{path}: 'extends' loops back to itself")
    data = read_yaml(path)
    bases = data.pop("extends", None) or []
    if isinstance(bases, str):
        bases = [bases]
    merged: dict[str, Any] = {}
    for base in bases:
        merged = deep_merge(merged, load_file(path.parent / base, (*_seen, path)))
    return deep_merge(merged, data)


def parse_set(items: Sequence[str]) -> dict[str, Any]:
    """``["optim.lr=3e-4", "model.nonlinearity=1dn"]`` -> nested dict (values parsed as YAML)."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set expects key=value, got {item!r}")
        try:
            value = yaml.safe_load(raw) if raw.strip() else None
        except yaml.YAMLError:
            value = raw
        node = out
        parts = key.strip().split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise UsageError(f"--set {item!r} conflicts with an earlier --set")
        node[parts[-1]] = value
    return out



def model_overrides(items: Sequence[str] | None) -> dict[str, Any]:
    """``["model.context=checkerboard", "N=64"]`` -> ``{"context": "checkerboard", "N": 64}``.

    :func:`parse_set` for commands that only build a model: they take ``model.KEY``
    (``model.context.num_slices=3`` sets a setting of a component section) or a bare ``KEY``.
    """
    parsed = parse_set(items or [])
    model = parsed.pop("model", {})
    if not isinstance(model, dict):
        raise UsageError("--set model=... needs a key: --set model.KEY=VALUE")
    nested = [k for k, v in parsed.items() if isinstance(v, dict)]
    if nested:
        raise UsageError(f"--set {nested[0]}.…: this command sets model keys only (model.KEY=VALUE)")
    return {**parsed, **model}

def resolve_lambda(loss: Mapping[str, Any]) -> float:
    """λ from ``loss.lmbda`` or from ``loss.quality`` (1..8) and the distortion's table."""
    distortion = loss.get("distortion", "mse")
    if distortion not in ("mse", "ms-ssim"):
        raise UsageError(f"loss.distortion must be mse or ms-ssim, not {distortion!r}")
    if loss.get("lmbda") is not None:
        value = float(loss["lmbda"])
        if value <= 0:
            raise UsageError(f"loss.lmbda must be positive, got {value}")
        return value
    quality = loss.get("quality")
    if quality is None:
        raise UsageError("the config needs loss.lmbda or loss.quality (1..8)")
    table = MSE_LAMBDAS if distortion == "mse" else MS_SSIM_LAMBDAS
    if not (isinstance(quality, int) and 1 <= quality <= len(table)):
        raise UsageError(f"loss.quality must be an integer 1..{len(table)}, got {quality!r}")
    return table[quality - 1]


def _check(cfg: dict[str, Any]) -> dict[str, Any]:
    """``cfg`` typed (:func:`validate_config`) and checked across sections."""
    cfg = validate_config(cfg)
    if not isinstance(cfg.get("model"), Mapping) or not (
        cfg["model"].get("name") or cfg["model"].get("class_path")
    ):
        raise UsageError("the config needs a model section with a 'name' (see lic-bench registry list)")
    if cfg["loss"]["distortion"] == "ms-ssim":
        from lic_bench.metrics.distortion import MS_SSIM_MIN_SIDE

        for part in ("train", "val"):
            spec = cfg["data"].get(part) or {}
            if spec.get("transform") != "no-crop" and int(spec.get("patch_size", 256)) < MS_SSIM_MIN_SIDE:
                raise UsageError(
                    f"MS-SSIM needs patches of at least {MS_SSIM_MIN_SIDE} pixels; "
                    f"data.{part}.patch_size is {spec.get('patch_size')}"
                )
    return cfg


def load_config(
    paths: Sequence[str | Path] = (), overrides: Sequence[str] = (),
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Defaults + config files + ``extra`` + ``--set`` overrides, resolved and checked."""
    cfg = copy.deepcopy(DEFAULTS)
    for path in paths:
        cfg = deep_merge(cfg, load_file(path))
    if extra:
        cfg = deep_merge(cfg, extra)
    cfg = deep_merge(cfg, parse_set(overrides))
    return resolve(cfg)


def resolve(cfg: dict[str, Any]) -> dict[str, Any]:
    """Fill derived fields: λ, the model's full constructor arguments, the run name."""
    cfg = deep_merge(DEFAULTS, cfg)
    cfg.pop("extends", None)
    cfg = _check(cfg)
    from lic_bench.models import load_model_config

    cfg["model"] = load_model_config(dict(cfg["model"]))
    cfg["loss"]["lmbda"] = resolve_lambda(cfg["loss"])
    if not cfg.get("name"):
        cfg["name"] = f"{cfg['model']['name']}-{cfg['loss']['distortion']}-{cfg['loss']['lmbda']:g}"
    return cfg


def dump_config(cfg: Mapping[str, Any], path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(dict(cfg), sort_keys=False))
    return path
