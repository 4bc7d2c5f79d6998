"""Reading and writing results documents under ``results/``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lic_bench.errors import UsageError
from lic_bench.paths import results_dir
from lic_bench.safe_read import UnreadableFile, read_bounded


def result_path(kind: str, name: str, tag: str, root: Path | None = None) -> Path:
    """``results/<kind>/<name>/<tag>.json``: one folder per component, one file per run.

    Each part is checked (:func:`lic_bench.ids.path_part`): names from a checkpoint, a
    header or a study file cannot lead outside ``results/``."""
    from lic_bench.ids import path_part

    parts = [path_part(kind, "results kind"), path_part(name, "name"), path_part(tag, "run tag")]
    return results_dir(root) / parts[0] / parts[1] / f"{parts[2]}.json"


def _same_run(a: dict[str, Any], b: dict[str, Any]) -> bool:
    keys = ("name", "kind", "config_hash", "checkpoint_hash", "dataset", "codec")
    ma, mb = a.get("meta", {}), b.get("meta", {})
    return a.get("name") == b.get("name") and all(ma.get(k) == mb.get(k) for k in keys)


def write_result(doc: dict[str, Any], path: str | Path, *, overwrite_same_run: bool = True,
                 force: bool = False) -> Path:
    """Write ``doc`` atomically (temp file + rename).

    An existing file is replaced only when it records the same run (same name,
    kind, config, checkpoint, dataset); a different run gets a ``-2``, ``-3``...
    suffix instead, so no measured result is ever lost. ``force`` (a user's ``-o FILE
    --force``) replaces ``path`` whatever run it holds.
    """
    for key in ("name", "results", "meta"):
        if key not in doc:
            raise ValueError(f"results document lacks {key!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    target, n = path, 1
    while target.exists() and not force:
        try:
            existing = json.loads(target.read_text())
        except (OSError, json.JSONDecodeError):
            existing = {}
        if overwrite_same_run and _same_run(existing, doc):
            break
        n += 1
        target = path.with_name(f"{path.stem}-{n}{path.suffix}")
    from lic_bench import safe_write

    # force: the loop above chose a free name or the same run's file; the writer still
    # refuses anything but a regular file there.
    with safe_write.open_atomic(target, "w", force=True) as fh:
        json.dump(doc, fh, indent=2, sort_keys=False, allow_nan=True)
        fh.write("\n")
    return target


#: Largest results file read (bytes); per-image results of a big dataset stay far below.
MAX_RESULT_BYTES = 256 << 20


def read_result(path: str | Path) -> dict[str, Any]:
    """A results document; a one-line :class:`UsageError` for anything else.

    Results files may come from elsewhere (shared runs, imports): a directory, a FIFO,
    binary data or a huge file is refused before it is read or parsed.
    """
    path = Path(path)
    try:
        data = read_bounded(path, MAX_RESULT_BYTES, "a results file")
    except UnreadableFile as exc:
        raise UsageError(f"{path}: {exc}") from None
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not a results file (not UTF-8 text; binary?)") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise UsageError(f"{path}: not a results file (JSON nested too deeply)") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), dict):
        raise UsageError(f"{path}: not a results file (no 'results' object)")
    return doc


def load_results(root: Path | None = None, kind: str | None = None) -> list[dict[str, Any]]:
    """Every results document under ``results/`` (optionally one kind), with ``_path`` added."""
    base = results_dir(root)
    if kind:
        base = base / kind
    docs = []
    for path in sorted(base.rglob("*.json")) if base.is_dir() else []:
        if path.name.startswith("."):
            continue
        doc = read_result(path)
        doc["_path"] = str(path.relative_to(results_dir(root)))
        docs.append(doc)
    return docs
