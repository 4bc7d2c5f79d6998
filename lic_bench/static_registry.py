"""The registered models read from the source, without importing torch.

``lic-bench models list`` must answer in a second; importing the implementations (and
torch with them) takes several. Every model registers itself with a literal decorator,
``@MODELS.register("name", taxonomy=[...], papers=[...])`` on its class, so the same
facts can be read from the source files' syntax trees. Whatever is not literal (a name
computed at run time, a registration this reader does not recognise) makes
:func:`static_model_records` return None, and the caller imports the registry instead:
never a silently shorter list. ``tests/core`` checks the two agree.
"""

from __future__ import annotations

import ast
import fnmatch
from pathlib import Path
from typing import Any

from lic_bench.registry import IMPLEMENTATION_PACKAGES


def _package_files() -> list[tuple[str, Path]]:
    root = Path(__file__).resolve().parents[1]
    out = []
    for package in IMPLEMENTATION_PACKAGES:
        folder = root.joinpath(*package.split("."))
        for path in sorted(folder.rglob("*.py")):
            rel = path.relative_to(root).with_suffix("")
            module = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
            out.append((module, path))
    return out


def _is_models_register(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "register" and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "MODELS")


def _record(call: ast.Call, cls: ast.ClassDef | None, module: str) -> dict[str, Any] | None:
    try:
        args = [ast.literal_eval(a) for a in call.args]
        kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg}
    except ValueError:
        return None
    if len(args) != 1 or not isinstance(args[0], str) or len(kwargs) != len(call.keywords):
        return None
    doc = (ast.get_docstring(cls) or "").strip().splitlines() if cls is not None else []
    description = kwargs.pop("description", None)
    return {
        "name": args[0],
        "kind": "model",
        "taxonomy": list(kwargs.pop("taxonomy", ())),
        "papers": list(kwargs.pop("papers", ())),
        "description": description if description is not None else (doc[0] if doc else ""),
        "target": f"{module}.{cls.name}" if cls is not None else "",
        **kwargs,
    }


def static_model_records(pattern: str = "*") -> list[dict[str, Any]] | None:
    """Model records like ``Entry.as_dict()`` (by name), or None where the source holds a
    registration that is not a literal decorator on a class, or where plugins are installed
    (their models register only when imported: :mod:`lic_bench.plugins`)."""
    from lic_bench.plugins import installed

    if installed():
        return None
    found: dict[str, dict[str, Any]] = {}
    for module, path in _package_files():
        text = path.read_text(encoding="utf-8")
        if "MODELS.register" not in text:
            continue
        tree = ast.parse(text, filename=str(path))
        decorators = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                for dec in node.decorator_list:
                    if _is_models_register(dec):
                        decorators.add(id(dec))
                        record = _record(dec, node, module)
                        if record is None:
                            return None
                        found[record["name"]] = record
        # any other use (MODELS.register(...)(obj), a loop) is not read here
        if any(_is_models_register(n) and id(n) not in decorators for n in ast.walk(tree)):
            return None
    return [found[n] for n in sorted(found) if fnmatch.fnmatchcase(n, pattern)]
