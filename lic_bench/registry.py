"""One registry per kind of component, keyed by the kebab-case taxonomy-style name.

A registered name is the same string as the component's taxonomy id (or, for
models, the CompressAI-style paper name such as ``mbt2018-mean``), its config
``name``, its results ``name`` and its page URL.

Example::

    from lic_bench.registry import NONLINEARITIES

    @NONLINEARITIES.register("gdn", taxonomy=["gdn"], papers=["balle2016-density"])
    class GDN(nn.Module): ...

    NONLINEARITIES.get("gdn")          # -> GDN
    NONLINEARITIES.list("*dn")         # -> ["1dn", "gdn", "gsdn"]

This module imports no torch; :func:`load_all` imports the implementation
packages (which do) so that their ``register`` calls run, then the plugins of other
installed packages (:mod:`lic_bench.plugins`). The metric and dataset registries
fill themselves on their first lookup (their built-ins need no torch), plugins
included.
"""

from __future__ import annotations

import difflib
import fnmatch
import importlib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from lic_bench.errors import UsageError
from lic_bench.plugins import load_plugins

__all__ = [
    "Entry",
    "Registry",
    "REGISTRIES",
    "NONLINEARITIES",
    "QUANTIZERS",
    "ENTROPY_MODELS",
    "CONTEXT_MODELS",
    "SPATIAL_SCHEDULES",
    "VARIABLE_RATE",
    "TRANSFORMS",
    "BACKBONES",
    "MODELS",
    "METRICS",
    "DATASETS",
    "EVALUATION_REGISTRIES",
    "load_all",
    "all_entries",
]

_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

# Packages whose import registers implementations, in dependency order.
IMPLEMENTATION_PACKAGES = (
    "lic_bench.layers",
    "lic_bench.quantizers",
    "lic_bench.entropy",
    "lic_bench.context",
    "lic_bench.latent_codecs",
    "lic_bench.variable_rate",
    "lic_bench.models",
)


@dataclass(frozen=True)
class Entry:
    """What a registry knows about one implementation."""

    name: str
    kind: str
    obj: Any
    taxonomy: tuple[str, ...] = ()
    papers: tuple[str, ...] = ()
    description: str = ""
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        # a dataset's entry is a record instance, which has no __qualname__ of its own
        owner = self.obj if hasattr(self.obj, "__qualname__") else type(self.obj)
        return {
            "name": self.name,
            "kind": self.kind,
            "taxonomy": list(self.taxonomy),
            "papers": list(self.papers),
            "description": self.description,
            "target": f"{owner.__module__}.{owner.__qualname__}",
            **self.extra,
        }


class Registry:
    """Name -> implementation, with the taxonomy and paper ids it implements."""

    def __init__(self, kind: str, builtins: Sequence[str] = ()):
        self.kind = kind
        self._entries: dict[str, Entry] = {}
        #: modules whose import registers this kind's own implementations on first lookup
        #: (component registries leave it empty: :func:`load_all` imports theirs)
        self._builtins = tuple(builtins)
        self._filled = not self._builtins

    def import_builtins(self) -> None:
        """Import the modules that register this kind's own implementations (once)."""
        if self._filled:
            return
        self._filled = True  # before importing: a built-in module may look itself up
        try:
            for module in self._builtins:
                importlib.import_module(module)
        except BaseException:
            self._filled = False
            raise

    def _fill(self) -> None:
        if self._filled:
            return
        self.import_builtins()
        _load_plugins()

    def register(
        self,
        name: str,
        *,
        taxonomy: Sequence[str] = (),
        papers: Sequence[str] = (),
        description: str | None = None,
        **extra: Any,
    ) -> Callable[[Any], Any]:
        if not _NAME.match(name):
            raise ValueError(f"registry names are kebab-case, got {name!r}")

        def decorator(obj: Any) -> Any:
            if name in self._entries and self._entries[name].obj is not obj:
                raise ValueError(f"{self.kind} {name!r} is registered twice")
            doc = (obj.__doc__ or "").strip().splitlines()
            self._entries[name] = Entry(
                name=name,
                kind=self.kind,
                obj=obj,
                taxonomy=tuple(taxonomy),
                papers=tuple(papers),
                description=description if description is not None else (doc[0] if doc else ""),
                extra=dict(extra),
            )
            return obj

        return decorator

    def entry(self, name: str) -> Entry:
        self._fill()
        try:
            return self._entries[name]
        except KeyError:
            close = difflib.get_close_matches(name, self._entries, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            known = ", ".join(sorted(self._entries)) or "none"
            raise UsageError(f"unknown {self.kind} {name!r}{hint} (known: {known})") from None

    def get(self, name: str) -> Any:
        return self.entry(name).obj

    def list(self, pattern: str = "*") -> list[str]:
        self._fill()
        return sorted(n for n in self._entries if fnmatch.fnmatchcase(n, pattern))

    def entries(self, pattern: str = "*") -> list[Entry]:
        return [self._entries[n] for n in self.list(pattern)]

    def registered(self) -> list[Entry]:
        """Every entry in the order it was registered (built-ins first, then plugins)."""
        self._fill()
        return list(self._entries.values())

    def __contains__(self, name: object) -> bool:
        self._fill()
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        self._fill()
        return iter(sorted(self._entries))

    def __len__(self) -> int:
        self._fill()
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {len(self)} entries)"


NONLINEARITIES = Registry("nonlinearity")
QUANTIZERS = Registry("quantizer")
ENTROPY_MODELS = Registry("entropy-model")
CONTEXT_MODELS = Registry("context-model")
#: Orders in which the positions of a latent are coded (used by the context models).
SPATIAL_SCHEDULES = Registry("spatial-schedule")
VARIABLE_RATE = Registry("variable-rate")
#: Sets of analysis, synthesis and hyper transforms a backbone is built from.
TRANSFORMS = Registry("transform")
#: How y is coded without context: factorized prior, scale or mean-scale hyperprior.
BACKBONES = Registry("backbone")
MODELS = Registry("model")
#: Image quality metrics (:func:`lic_bench.metrics.specs.register_metric`).
METRICS = Registry("metric", builtins=("lic_bench.metrics.suite",))
#: Named image datasets (:func:`lic_bench.data.catalogue.register_dataset`).
DATASETS = Registry("dataset", builtins=("lic_bench.data.catalogue",))

#: The registries of model components, each implementing taxonomy nodes.
REGISTRIES: dict[str, Registry] = {
    r.kind: r
    for r in (NONLINEARITIES, QUANTIZERS, ENTROPY_MODELS, CONTEXT_MODELS, SPATIAL_SCHEDULES, VARIABLE_RATE,
              TRANSFORMS, BACKBONES, MODELS)
}
#: What models are measured with and on; no taxonomy nodes, so apart from REGISTRIES.
EVALUATION_REGISTRIES: dict[str, Registry] = {r.kind: r for r in (METRICS, DATASETS)}


def load_all() -> None:
    """Import every implementation package so all registries are filled (needs torch),
    then the plugins of other installed packages."""
    for module in IMPLEMENTATION_PACKAGES:
        importlib.import_module(module)
    _load_plugins()


def _import_evaluation_builtins() -> None:
    for registry in EVALUATION_REGISTRIES.values():
        registry.import_builtins()


def _load_plugins() -> None:
    # the evaluation built-ins go first, so listings keep their order and plugins follow
    load_plugins(before=_import_evaluation_builtins)


def all_entries(pattern: str = "*", kinds: Sequence[str] | None = None) -> list[Entry]:
    load_all()
    out: list[Entry] = []
    for kind, registry in REGISTRIES.items():
        if kinds is None or kind in kinds:
            out.extend(registry.entries(pattern))
    return out
