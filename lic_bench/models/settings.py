"""Typed settings of the registered models, checked on configs from untrusted files.

A bitstream header or a checkpoint carries the config of the model that wrote it.
Such a config may name only a registered model (by registry id) and give its
constructor arguments, each of the kind its default has and within bounds that
keep the model buildable on one machine: it never names code, and it cannot ask
for a 10⁶-channel model. Configs typed by the user are not checked here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from lic_bench.errors import UsageError
from lic_bench.models.legacy import upgrade_config
from lic_bench.models.sections import SECTIONS, merge_section, resolve_section
from lic_bench.registry import MODELS, NONLINEARITIES

__all__ = ["UntrustedConfigError", "check_untrusted", "class_path_of"]


class UntrustedConfigError(UsageError):
    """A config from a file that names code or settings lic-bench will not accept."""


#: Bounds of the model's own integer settings, by parameter name (others: 0..1024). A
#: component key (backbone, transform, context, entropy model, variable rate, quantizer)
#: is checked by its section, typed and bounded by the component
#: (:mod:`lic_bench.models.sections`).
INT_BOUNDS: dict[str, tuple[int, int]] = {
    # Channel widths: the largest registered model uses 384; 512 stays < 1 GB.
    "N": (1, 512),
    "M": (1, 512),
}
_KEYS = {"name", "class_path", "init_args", "description"}
_MAX_STR = 200
_MAX_LIST = 64


def class_path_of(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _fail(message: str) -> None:
    raise UntrustedConfigError(f"refused: the file's model config {message}")


def _scalar(key: str, value: Any) -> None:
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, int):
        if abs(value) > 1 << 20:
            _fail(f"sets {key} to an out-of-range number")
        return
    if isinstance(value, float):
        if not math.isfinite(value) or abs(value) > 1e6:
            _fail(f"sets {key} to a non-finite or out-of-range number")
        return
    if isinstance(value, str):
        if len(value) > _MAX_STR:
            _fail(f"sets {key} to an over-long string")
        return
    _fail(f"sets {key} to a {type(value).__name__}")


def _check_value(key: str, value: Any, default: Any) -> None:
    if key in SECTIONS:  # typed from the component's constructor, bounded by its class
        if isinstance(value, Mapping) and len(value) > 32:
            _fail(f"gives too many {key} settings")
        resolve_section(key, merge_section(default, value), fail=lambda message: _fail(message))
        return
    if key in ("nonlinearity", "hyper_nonlinearity") or key.endswith("_nonlinearity"):
        if not isinstance(value, str) or value not in NONLINEARITIES.list():
            _fail(f"names an unknown non-linearity for {key}")
        return
    if isinstance(default, bool) or isinstance(value, bool):
        if not isinstance(value, bool) or not isinstance(default, bool):
            _fail(f"sets {key} to a value of the wrong type")
        return
    if key in INT_BOUNDS or isinstance(default, int):
        lo, hi = INT_BOUNDS.get(key, (0, 1024))
        if value is None and default is None:
            return
        if not isinstance(value, int) or not lo <= value <= hi:
            _fail(f"sets {key} outside {lo}..{hi}")
        return
    if isinstance(value, list):
        if len(value) > _MAX_LIST:
            _fail(f"gives too long a list for {key}")
        for item in value:
            _scalar(key, item)
        return
    if isinstance(default, (float, str)) or default is None:
        _scalar(key, value)
        return
    _fail(f"sets {key} to an unsupported value")


def check_untrusted(raw: Mapping[str, Any], params_of: Callable[[type], dict[str, Any]]) -> None:
    """Refuse ``raw`` unless it names a registered model with well-typed, bounded settings.

    ``params_of(cls)`` gives the constructor's parameters and defaults.
    """
    extra = [k for k in raw if not isinstance(k, str)]
    if not extra:
        raw = upgrade_config(raw)
    if extra:
        _fail("has non-string keys")
    name = raw.get("name")
    if not isinstance(name, str) or name not in MODELS.list():
        shown = name if isinstance(name, str) and len(name) <= 60 else "?"
        _fail(f"names no registered model (name {shown!r}); it may name only lic-bench's registry ids")
    cls = MODELS.get(name)
    class_path = raw.get("class_path")
    if class_path is not None and class_path != class_path_of(cls):
        shown = class_path if isinstance(class_path, str) and len(class_path) <= 80 else "?"
        _fail(f"names code outside lic-bench's registries (class_path {shown!r})")
    description = raw.get("description")
    if description is not None and (not isinstance(description, str) or len(description) > 2000):
        _fail("has a malformed description")
    params = params_of(cls)
    init_args = raw.get("init_args") or {}
    if not isinstance(init_args, Mapping):
        _fail("has malformed init_args")
    flat = {k: v for k, v in raw.items() if k not in _KEYS}
    for key, value in {**init_args, **flat}.items():
        if not isinstance(key, str) or key not in params:
            shown = key if isinstance(key, str) and len(key) <= 40 else "?"
            _fail(f"sets {shown!r}, which model {name!r} does not have")
        _check_value(key, value, params[key])
