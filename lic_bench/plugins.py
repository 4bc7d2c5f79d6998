"""Components, models, metrics and datasets from other installed packages.

A package extends lic-bench without editing it by naming a module (or a function) in
the ``lic_bench.plugins`` entry-point group of its metadata, e.g. in its
``pyproject.toml``::

    [project.entry-points."lic_bench.plugins"]
    my-lab = "my_lab.lic_plugin"            # importing it runs its register() decorators
    # or  my-lab = "my_lab.lic_plugin:register"   (a function called once, no arguments)

The module registers through the ordinary registries (:mod:`lic_bench.registry`),
:func:`lic_bench.metrics.specs.register_metric` and
:func:`lic_bench.data.catalogue.register_dataset`. See the guide
``site/guides/add-a-component.md``.

Plugins are loaded once per process, lazily: at the end of
:func:`lic_bench.registry.load_all` (which model building and ``components list``
call) or at the first metric or dataset lookup, so commands that touch no registry
pay nothing. This module knows no registry (the registry calls it, never the other
way round): the caller says what must be in place before the first plugin runs.
Listing the entry points reads installed metadata only; a plugin module is imported
then. A plugin that fails to load is reported in one line on stderr (and
kept in :data:`FAILED`); the rest of lic-bench, other plugins included, keeps working.
``LIC_BENCH_NO_PLUGINS=1`` turns plugins off.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

__all__ = ["GROUP", "LOADED", "FAILED", "installed", "load_plugins"]

GROUP = "lic_bench.plugins"
#: entry-point name -> its value, for every plugin that loaded
LOADED: dict[str, str] = {}
#: entry-point name -> the one-line reason it did not load
FAILED: dict[str, str] = {}

_done = False


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _off() -> bool:
    return os.environ.get("LIC_BENCH_NO_PLUGINS", "").strip() not in ("", "0")


def installed() -> list[str]:
    """Names of the plugin entry points installed (and not turned off); imports none."""
    if _off():
        return []
    import importlib.metadata  # here: it costs ~20 ms, and importing the registry must stay cheap

    try:
        return sorted({p.name for p in importlib.metadata.entry_points(group=GROUP)})
    except Exception:  # noqa: BLE001 - load_plugins reports broken metadata
        return []


def load_plugins(before: Callable[[], None] | None = None) -> None:
    """Import every ``lic_bench.plugins`` entry point once (later calls return at once).

    ``before`` runs once, just before the first plugin is imported (the registry passes
    the import of its built-ins, so that listings keep them first and plugins follow)."""
    global _done
    if _done:
        return
    _done = True  # first: a plugin's own registry lookups must not load plugins again
    if _off():
        return
    if before is not None:
        before()
    import importlib.metadata

    try:
        points = importlib.metadata.entry_points(group=GROUP)
    except Exception as exc:  # noqa: BLE001 - broken metadata of some package must not stop us
        print(f"lic-bench: plugins not listed: {_one_line(exc)}", file=sys.stderr)
        return
    seen: set[str] = set()
    for point in sorted(points, key=lambda p: p.name):
        if point.name in seen:  # the same distribution on the path twice
            continue
        seen.add(point.name)
        try:
            loaded = point.load()
            if point.attr:  # "module:function": the function registers
                loaded()
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - a broken plugin is reported, never fatal
            FAILED[point.name] = _one_line(exc)
            print(f"lic-bench: plugin {point.name!r} ({point.value}) not loaded: {FAILED[point.name]}",
                  file=sys.stderr)
        else:
            LOADED[point.name] = point.value
