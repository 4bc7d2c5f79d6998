"""Model configs: YAML (or dict) -> fully resolved config -> ``nn.Module``.

A config names a registered model, or a class by import path, and gives any
constructor arguments; omitted arguments take the constructor's defaults::

    # configs/models/mbt2018-mean.yaml           # jsonargparse style also works:
    name: mbt2018-mean                           # name: my-model
    N: 192                                       # class_path: pkg.module.Class
    M: 320                                       # init_args: {N: 192}
    nonlinearity: gdn        # 1dn | gsdn | relu | gelu | leaky-relu
    quantizer: additive-uniform-noise

The resolved form, which bitstreams embed and hash, is always
``{"name", "class_path", "init_args": {every constructor argument}}``.

Trust: a config a user writes (``--config``, ``--model``, ``--set``) may name any
class. A config that arrives inside a file from elsewhere (a bitstream header, a
checkpoint) is untrusted: ``load_model_config(..., trusted=False)`` accepts only a
registered model, by its registry id, whose ``class_path`` (if given) is that
model's own, and whose arguments pass :mod:`lic_bench.models.settings`. Nothing
named in such a file is imported or called.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lic_bench.config_files import read_yaml
from lic_bench.errors import UsageError
from lic_bench.models.legacy import upgrade_args, upgrade_config
from lic_bench.models.sections import SECTIONS, merge_section, resolve_section
from lic_bench.models.settings import UntrustedConfigError, check_untrusted
from lic_bench.paths import model_config_dir as config_dir
from lic_bench.registry import MODELS, NONLINEARITIES, load_all

__all__ = [
    "build_model",
    "config_dir",
    "constructor_params",
    "load_model_config",
    "model_config_path",
    "UntrustedConfigError",
]

_RESERVED = {"name", "class_path", "init_args", "description"}


def model_config_path(name: str) -> Path | None:
    path = config_dir() / f"{name}.yaml"
    return path if path.is_file() else None


REQUIRED = "<required>"


def constructor_params(cls: type) -> dict[str, Any]:
    """Constructor parameters and their defaults (:data:`REQUIRED` marks one without)."""
    params = {}
    for p in inspect.signature(cls.__init__).parameters.values():
        if p.name == "self" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        default = REQUIRED if p.default is inspect.Parameter.empty else p.default
        params[p.name] = list(default) if isinstance(default, tuple) else default
    return params


def _raw_config(source: Mapping | str | Path) -> dict[str, Any]:
    if isinstance(source, Mapping):
        return dict(source)
    text = str(source)
    path = Path(text)
    if path.suffix in (".yaml", ".yml") or path.is_file():
        if not path.is_file():
            raise UsageError(f"{path}: no such config file")
        return read_yaml(path)
    MODELS.entry(text)  # unknown names fail here, with suggestions
    return {"name": text}  # its preset holds the defaults (configs/models documents them)


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` on ``base``; a component section changes the settings of ``base``'s
    component unless it names another (:func:`~lic_bench.models.sections.merge_section`)."""
    out = dict(base)
    for key, value in over.items():
        out[key] = merge_section(out.get(key), value) if key in SECTIONS and key in out else value
    return out


def _import_class(class_path: str) -> type:
    module, _, attr = class_path.rpartition(".")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError, ValueError):
        raise UsageError(f"cannot import model class {class_path!r}") from None


def _name_of(cls: type) -> str | None:
    for name in MODELS.list():
        if MODELS.get(name) is cls:
            return name
    return None


def _check_components(args: dict[str, Any]) -> None:
    # component keys with a section were checked when resolved
    for key, value in args.items():
        if "nonlinearity" in key and isinstance(value, str):
            NONLINEARITIES.entry(value)


def load_model_config(
    source: Mapping | str | Path,
    overrides: Mapping[str, Any] | None = None,
    *,
    trusted: bool = True,
) -> dict[str, Any]:
    """The fully resolved config of a model.

    Args:
        source: a registry name (its ``configs/models/<name>.yaml`` is used when
            present), a YAML path, or a dict (flat, ``init_args`` style, or a
            training config with a ``model:`` section).
        overrides: constructor arguments that replace the config's, e.g.
            ``{"N": 64, "nonlinearity": "1dn"}``.
        trusted: False for a config read from a bitstream or checkpoint: only
            registry ids and checked settings are accepted
            (:class:`UntrustedConfigError` otherwise).

    Returns:
        ``{"name", "class_path", "init_args"}`` with every constructor argument.
    """
    load_all()  # models registered by other packages (lic_bench.context, ...)
    if isinstance(source, Mapping):
        source = upgrade_config(source)
    if not trusted:
        if not isinstance(source, Mapping):
            raise UntrustedConfigError("a model config from a file must be a mapping")
        # Checked before anything is resolved: the result names only a registered class.
        check_untrusted(source, constructor_params)
    raw = _raw_config(source)
    if isinstance(raw.get("model"), Mapping):
        raw = dict(upgrade_config(raw["model"]))
    else:
        raw = dict(upgrade_config(raw))
    args = dict(raw.get("init_args") or {})
    args.update({k: v for k, v in raw.items() if k not in _RESERVED})
    args = _merge(args, upgrade_args(overrides or {}))

    if raw.get("class_path"):
        cls = _import_class(str(raw["class_path"]))
        name = raw.get("name") or _name_of(cls) or cls.__name__.lower()
    elif raw.get("name"):
        name = str(raw["name"])
        cls = MODELS.get(name)
    else:
        raise UsageError("a model config needs a 'name' (registry name) or a 'class_path'")

    params = constructor_params(cls)
    unknown = sorted(set(args) - set(params))
    if unknown:
        hints = [
            f"{k} (did you mean {close[0]}?)" if (close := difflib.get_close_matches(k, params, 1)) else k
            for k in unknown
        ]
        raise UsageError(
            f"model {name!r} has no parameter(s) {', '.join(hints)}; "
            f"known: {', '.join(params)}"
        )
    resolved = _merge(params, args)
    for key in SECTIONS:
        if key in resolved:
            resolved[key] = resolve_section(key, resolved[key])
    missing = [k for k, v in resolved.items() if v is REQUIRED]
    if missing:
        raise UsageError(f"model {name!r} needs {', '.join(missing)}")
    _check_components(resolved)
    return {
        "name": name,
        "class_path": f"{cls.__module__}.{cls.__qualname__}",
        "init_args": resolved,
    }


def build_model(
    config: Mapping | str | Path,
    overrides: Mapping[str, Any] | None = None,
    *,
    trusted: bool = True,
):
    """Instantiate a model from a config (see :func:`load_model_config`).

    The module gets ``.config`` (the resolved config) and ``.name``.
    """
    cfg = load_model_config(config, overrides, trusted=trusted)
    cls = _import_class(cfg["class_path"])
    try:
        model = cls(**cfg["init_args"])
    except (TypeError, ValueError) as exc:
        raise UsageError(f"cannot build model {cfg['name']!r}: {exc}") from None
    model.config = cfg
    model.name = cfg["name"]
    return model
