"""Records describing every registered implementation (for ``lic-bench ... list``)."""

from __future__ import annotations

from typing import Any

from lic_bench.errors import UsageError
from lic_bench.registry import EVALUATION_REGISTRIES, MODELS, REGISTRIES, load_all

__all__ = ["component_records", "model_records", "COMPONENT_KINDS"]

#: what ``components list`` shows: model components, then metrics and datasets
_LISTED = {**{k: r for k, r in REGISTRIES.items() if k != MODELS.kind}, **EVALUATION_REGISTRIES}
COMPONENT_KINDS = tuple(_LISTED)


def component_records(pattern: str = "*", kind: str | None = None) -> list[dict[str, Any]]:
    """Non-model components matching ``pattern`` (fnmatch), optionally of one kind."""
    load_all()
    if kind is not None and kind not in COMPONENT_KINDS:
        raise UsageError(f"unknown kind {kind!r} (known: {', '.join(COMPONENT_KINDS)})")
    kinds = [kind] if kind else list(COMPONENT_KINDS)
    return [e.as_dict() for k in kinds for e in _LISTED[k].entries(pattern)]


def model_records(pattern: str = "*") -> list[dict[str, Any]]:
    """Registered models matching ``pattern``, with constructor parameters and defaults."""
    from lic_bench.models.config import constructor_params

    load_all()
    out = []
    for entry in MODELS.entries(pattern):
        record = entry.as_dict()
        record["params"] = constructor_params(entry.obj)
        out.append(record)
    return out
