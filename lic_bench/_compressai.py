"""Import CompressAI by the piece: its packages bind their names on first use.

``import compressai`` runs every subpackage's ``__init__``; through
``compressai.registry`` that imports ``torch_geometric`` (for point-cloud transforms),
and that imports ``torch._dynamo``. On this project's CPUs that is 1.5-2.5 s of every
``lic-bench compress``, ``decompress`` or ``inspect``, for modules lic-bench never
uses. The entropy models, ops and layers it does use are cheap.

:func:`install` (called by ``lic_bench/__init__.py``, so before any CompressAI import
of ours) puts a finder first on ``sys.meta_path`` for :data:`LAZY_PACKAGES`. Such a
package still runs its own ``__init__``, less its top-level ``from ... import``
statements of its own submodules; each name those statements would bind is bound on
first access instead, from the same submodule (a ``*`` import is resolved when a name
is not found otherwise). Nothing is reimplemented: every object is CompressAI's own,
and a name's first access gives what a plain ``import compressai`` would have bound
(``tests/core/test_compressai_import.py`` compares the two, name by name).

The same finder makes ``scipy.stats`` load on first attribute access
(:class:`importlib.util.LazyLoader`): ``compressai.entropy_models`` imports it at module
level for one normal quantile, which lic-bench's ``GaussianConditional`` takes from the
standard library; 0.5-1 s of start-up otherwise.

The finder does nothing if ``compressai`` was imported before lic-bench (then it is
already complete) or is not installed (the torch-free ``site`` extra).
"""

from __future__ import annotations

import ast
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
import warnings
from pathlib import Path

__all__ = ["LAZY_MODULES", "LAZY_PACKAGES", "install"]

#: the packages whose ``__init__`` reaches ``compressai.registry`` (and so torch_geometric)
LAZY_PACKAGES = ("compressai", "compressai.models", "compressai.latent_codecs")
#: modules loaded on first attribute access
LAZY_MODULES = ("scipy.stats",)

# CompressAI 1.2.8 calls ``torch.jit.script`` at import time; torch 2.14 warns that it is
# deprecated on every run, which says nothing to a lic-bench user.
warnings.filterwarnings("ignore", message=r".*torch\.jit\.script.*deprecated", category=FutureWarning)


class _LazyPackage(types.ModuleType):
    """A package module that imports a name's submodule when the name is first read."""

    def __getattr__(self, name: str):
        # Python's machinery probes dunders (``__path__``, ``__getstate__``...): never import for those
        if name.startswith("__") and name not in ("__all__", "__version__"):
            raise AttributeError(name)
        state = self.__dict__
        if name in state["_lazy_names"]:
            submodule, member = state["_lazy_names"][name]
            found = importlib.import_module(submodule)
            value = found if member is None else getattr(found, member)
        elif importlib.machinery.PathFinder.find_spec(f"{self.__name__}.{name}", self.__path__) is not None:
            value = importlib.import_module(f"{self.__name__}.{name}")
        else:
            value = self._from_stars(name)
        setattr(self, name, value)
        return value

    def _from_stars(self, name: str):
        stars = self.__dict__["_lazy_stars"]
        while stars:
            found = importlib.import_module(stars.pop(0))
            public = getattr(found, "__all__", [n for n in vars(found) if not n.startswith("_")])
            for key in public:
                self.__dict__.setdefault(key, getattr(found, key))
            if name in self.__dict__:
                return self.__dict__[name]
        raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")


def _split_init(package: str, source: bytes, filename: str) -> tuple[types.CodeType, dict, list[str]]:
    """The package's ``__init__`` less its imports of its own submodules, and those
    imports as (name -> (submodule, member or None)) and a list of ``*`` submodules."""
    names: dict[str, tuple[str, str | None]] = {}
    stars: list[str] = []
    body = []
    for node in ast.parse(source, filename).body:
        own = isinstance(node, ast.ImportFrom) and (
            (node.level == 1) or (node.level == 0 and (node.module or "").startswith(package))
        )
        if not own:
            body.append(node)
            continue
        base = (f"{package}.{node.module}" if node.module else package) if node.level == 1 else node.module
        for alias in node.names:
            if alias.name == "*":
                stars.append(base)
            elif base == package:  # ``from compressai import datasets``: the submodule itself
                names[alias.asname or alias.name] = (f"{package}.{alias.name}", None)
            else:
                names[alias.asname or alias.name] = (base, alias.name)
    code = compile(ast.Module(body=body, type_ignores=[]), filename, "exec")
    return code, names, stars


class _Loader(importlib.abc.Loader):
    def __init__(self, origin: str):
        self.origin = origin

    def create_module(self, spec):
        return None  # the default module, made lazy in exec_module

    def exec_module(self, module: types.ModuleType) -> None:
        code, names, stars = _split_init(module.__name__, Path(self.origin).read_bytes(), self.origin)
        module.__class__ = _LazyPackage
        module.__dict__.update(_lazy_names=names, _lazy_stars=stars)
        exec(code, module.__dict__)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname in LAZY_MODULES:
            spec = importlib.machinery.PathFinder.find_spec(fullname, path)
            if spec is not None and spec.loader is not None:
                spec.loader = importlib.util.LazyLoader(spec.loader)
            return spec
        if fullname not in LAZY_PACKAGES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or not spec.origin or not spec.origin.endswith("__init__.py"):
            return None
        lazy = importlib.machinery.ModuleSpec(fullname, _Loader(spec.origin), origin=spec.origin, is_package=True)
        lazy.submodule_search_locations = spec.submodule_search_locations
        lazy.has_location = True
        return lazy


def install() -> None:
    """Put the finder first on ``sys.meta_path``, once, unless CompressAI is already imported."""
    if "compressai" in sys.modules or any(isinstance(f, _Finder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _Finder())
