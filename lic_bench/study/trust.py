"""Study files are files from elsewhere: what they may set without ``--trust``.

Study files are shared like configs in papers' repositories, so by default a study
gets the checks a bitstream header or a checkpoint gets
(:func:`lic_bench.models.settings.check_untrusted`): the model of every cell, with
the study's settings, swaps and rates and the model section of its protocol files
merged in, may name only a registered model and registered components, with typed,
bounded settings; never ``class_path`` code. The other config sections are typed
settings already (:mod:`lic_bench.engine.settings`), and the run's name and output
folder are set by the runner, never by the file. ``lic-bench study run --trust``
skips this check, with a warning.
"""

from __future__ import annotations

from typing import Any

from lic_bench.errors import UsageError

__all__ = ["TRUST_WARNING", "cell_refusal", "check_cells"]

TRUST_WARNING = ("warning: --trust: the study file may name code (model class_path) and any model "
                 "settings; run it only if you trust where it came from")


def _protocol_model(paths: list) -> dict[str, Any]:
    from lic_bench.engine.config import deep_merge, load_file

    merged: dict[str, Any] = {}
    for path in paths:
        merged = deep_merge(merged, load_file(path))
    model = merged.get("model") or {}
    return dict(model) if isinstance(model, dict) else {"init_args": model}


def cell_refusal(cell: Any, protocol_model: dict[str, Any]) -> str | None:
    """Why ``cell`` may not run without ``--trust`` (one line), or None."""
    from lic_bench.engine.config import deep_merge, parse_set
    from lic_bench.models.config import constructor_params
    from lic_bench.models.settings import UntrustedConfigError, check_untrusted

    try:
        model = parse_set(list(cell.sets)).get("model") or {}
    except UsageError as exc:
        return str(exc)
    raw = deep_merge(protocol_model, model if isinstance(model, dict) else {"init_args": model})
    try:
        check_untrusted(raw, constructor_params)
    except UntrustedConfigError as exc:
        return str(exc).replace("the file's model config", "the study's model config")
    return None


def check_cells(study: Any, cells: list) -> dict[str, str]:
    """``{cell id: reason}`` for every cell the study may not run without ``--trust``."""
    from lic_bench.registry import load_all

    load_all()
    protocol_model = _protocol_model(study.protocol)
    refused = {}
    for cell in cells:
        reason = cell_refusal(cell, protocol_model)
        if reason is not None:
            refused[cell.id] = reason
    return refused
