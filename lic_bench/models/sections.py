"""A config section per component, typed from the component's own constructor.

Each model key that selects a component (:data:`SECTIONS`: ``backbone``,
``transform``, ``context``, ``entropy_model``, ``variable_rate``, ``quantizer``,
``nonlinearity``, ``hyper_nonlinearity``) takes its registry id, or a section that names
it and sets its settings::

    context: checkerboard
    context: {name: channel-wise, num_slices: 5, lrp: false}
    context: {num_slices: 5}          # the model's own context model, one setting changed
    variable_rate: {name: gain-units, lmbdas: [0.0018, 0.0067, 0.025]}
    quantizer: {name: universal-quantization, seed: 3}
    hyper_nonlinearity: {name: leaky-relu, negative_slope: 0.2}

The settings a section accepts are the keyword arguments of the registered class,
less what the model supplies itself (its width, quantizer, the codec of y's elements,
non-linearity), typed from their annotations (pydantic, strict: ``5`` is an int,
``"5"`` is not; ``Annotated[..., Field(gt=0)]`` bounds included) and bounded:
integers within the class's ``setting_bounds`` (else 0..1024), lists of at most 64
entries, ids of another kind (``setting_kinds``, e.g. a spatial schedule)
registered. A new setting is a new constructor argument: nothing else changes. The
same check serves configs a user types (files, ``--set model.<key>.<setting>=...``,
study cells) and configs from untrusted files (:mod:`lic_bench.models.settings`).

A resolved section holds every setting, so bitstreams pin them all: ``{"name": id,
**settings}``, or the bare id for a component that has no settings (so the configs of
files written before a key had a section resolve as they did).
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ConfigDict, ValidationError, create_model

from lic_bench.errors import UsageError
from lic_bench.registry import (
    BACKBONES,
    CONTEXT_MODELS,
    ENTROPY_MODELS,
    NONLINEARITIES,
    QUANTIZERS,
    REGISTRIES,
    TRANSFORMS,
    VARIABLE_RATE,
    Registry,
)

__all__ = ["SECTIONS", "Section", "merge_section", "resolve_section", "section_name", "section_settings"]


@dataclass(frozen=True)
class Section:
    """How one model key names its component."""

    #: the registry its id names
    registry: Registry
    #: constructor arguments the model supplies itself (not settings)
    supplied: frozenset[str] = frozenset()
    #: values that select no component (``"none"``; None: "the backbone's own")
    empty: tuple = ()
    #: how messages name the kind (default: the registry's kind)
    label: str = ""

    @property
    def what(self) -> str:
        return self.label or self.registry.kind


#: model key -> its section
SECTIONS: dict[str, Section] = {
    "backbone": Section(BACKBONES),
    "transform": Section(TRANSFORMS),
    "context": Section(CONTEXT_MODELS, frozenset({"M", "quantizer", "y_codec", "entropy_model", "activation"}),
                       ("none",)),
    "entropy_model": Section(ENTROPY_MODELS, frozenset({"scale_table", "channels"}), empty=(None,)),
    "variable_rate": Section(VARIABLE_RATE, empty=("none",)),
    "quantizer": Section(QUANTIZERS),
    "nonlinearity": Section(NONLINEARITIES, frozenset({"channels", "inverse"}), label="non-linearity"),
    "hyper_nonlinearity": Section(NONLINEARITIES, frozenset({"channels", "inverse"}), label="non-linearity"),
}
_DEFAULT_BOUNDS = (0, 1024)
_MAX_LIST = 64


def section_name(value: Any) -> str | None:
    """The component id a key's value selects (``"none"`` included), or None."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("name"), str):
        return value["name"]
    return None


@functools.cache
def _schema(key: str, name: str):
    section = SECTIONS[key]
    registry = section.registry
    cls = registry.get(name)
    # a class or a factory; Annotated bounds (pydantic Field) are kept
    hints = typing.get_type_hints(cls.__init__ if isinstance(cls, type) else cls, include_extras=True) \
        if callable(cls) else {}
    fields = {}
    for p in (inspect.signature(cls).parameters.values() if callable(cls) else ()):  # an object: no settings
        if p.name in section.supplied or p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            continue
        if p.default is inspect.Parameter.empty:
            raise TypeError(f"{registry.kind} {name}: setting {p.name} needs a default")
        fields[p.name] = (hints.get(p.name, Any), p.default)
    model = create_model(f"{getattr(cls, '__name__', 'Component')}Settings",
                         __config__=ConfigDict(extra="forbid", strict=True, arbitrary_types_allowed=True),
                         **fields)
    return cls, model


def section_settings(key: str, name: str) -> dict[str, Any]:
    """The settings of component ``name`` under model key ``key``, with their defaults."""
    _, model = _schema(key, name)
    return {k: _plain(f.default) for k, f in model.model_fields.items()}


def _plain(value: Any) -> Any:
    return [_plain(v) for v in value] if isinstance(value, (list, tuple)) else value


def _bounded(cls: type, what: str, settings: dict[str, Any], fail) -> None:
    bounds = getattr(cls, "setting_bounds", {})
    kinds = getattr(cls, "setting_kinds", {})
    for k, v in settings.items():
        if k in kinds and v not in REGISTRIES[kinds[k]]:
            fail(f"{what} names an unknown {kinds[k]} for {k}")
        values = v if isinstance(v, list) else [v]
        if len(values) > _MAX_LIST:
            fail(f"{what} gives too long a list for {k}")
        lo, hi = bounds.get(k, _DEFAULT_BOUNDS)
        for item in values:
            if isinstance(item, int) and not isinstance(item, bool) and not lo <= item <= hi:
                fail(f"{what} sets {k} outside {lo}..{hi}")
            if isinstance(item, float) and not (-1e6 <= item <= 1e6):
                fail(f"{what} sets {k} to an out-of-range number")
            if isinstance(item, str) and len(item) > 200:
                fail(f"{what} sets {k} to an over-long string")


def merge_section(base: Any, over: Any) -> Any:
    """``over`` on top of ``base`` (a default or a file's value): a section that names no
    other component changes ``base``'s settings; anything else replaces it."""
    if not isinstance(over, Mapping):
        return over
    name = over.get("name")
    base_name = section_name(base)
    if name is not None and name != base_name:
        return dict(over)
    start = dict(base) if isinstance(base, Mapping) else ({"name": base_name} if base_name else {})
    return {**start, **{k: v for k, v in over.items() if k != "name"}, "name": name or base_name}


def resolve_section(key: str, value: Any, *, fail=None) -> Any:
    """``{"name": id, **every setting}`` with the settings checked, the bare id of a
    component without settings, or the key's empty value (``"none"``, None).

    ``fail(message)`` raises (default: :class:`UsageError`); untrusted files pass their own.
    """
    section = SECTIONS[key]
    registry = section.registry

    def usage(message: str):
        raise UsageError(message)

    fail = fail or usage
    if value is None and None in section.empty:
        return None
    name = section_name(value)
    if name is None:
        fail(f"{key} is a {section.what} id or a section {{name: id, ...}}")
    if name in section.empty:
        if isinstance(value, Mapping) and set(value) - {"name"}:
            shown = ", ".join(sorted(str(k) for k in value if k != "name"))
            fail(f"{shown} set without a {registry.kind.replace('-', ' ')} ({key}: {name})")
        return name
    if name not in registry:
        if fail is usage:
            registry.entry(name)  # one line with suggestions
        fail(f"names an unknown {section.what} for {key}")
    # a tuple written in Python (a preset's default) is the list a file would hold
    settings = {k: _plain(v) for k, v in value.items() if k != "name"} if isinstance(value, Mapping) else {}
    bad = [k for k in settings if not isinstance(k, str)]
    if bad:
        fail(f"the {key} section has non-string keys")
    cls, model = _schema(key, name)
    unknown = sorted(set(settings) - set(model.model_fields))
    if unknown:
        shown = unknown[0] if len(unknown[0]) <= 40 else "?"
        fail(f"{key}.{shown}: {registry.kind} {name!r} has no setting {shown!r} "
             f"(settings: {', '.join(model.model_fields) or 'none'})")
    try:
        checked = model(**settings)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        fail(f"{registry.kind} {name!r}: {where}: {err['msg']}")
    out = {k: _plain(getattr(checked, k)) for k in model.model_fields}
    _bounded(cls, f"{registry.kind} {name!r}", out, fail)
    return {"name": name, **out} if out else name
