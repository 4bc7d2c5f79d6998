"""Checking the model config a bitstream header carries, and a memo of configs that passed.

The check (:func:`check_header_config`) resolves the config against lic-bench's
registries, whose components are torch modules: importing them is 2-3 s. ``lic-bench
inspect`` only shows a header, so it asks :func:`known_good` first: whether this very
config (its canonical JSON) already passed the full check under the same code, i.e.
the same lic-bench sources, model configs and installed plugins. Every full check that
passes (a ``decompress``, the read-back of each ``compress``) records its config; a
config never seen before is checked in full. Only passes are recorded, so a memo can
make ``inspect`` faster but never accept what the full check refuses; ``decompress``
always checks in full. Any trouble with the memo file (unreadable, foreign, a read-only
home) means "not known". ``LIC_BENCH_CACHE_DIR`` moves it (default
``~/.cache/lic-bench``), as for the knowledge-base cache.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
from pathlib import Path
from typing import Any

from lic_bench.bitstream.format import BitstreamError
from lic_bench.errors import UsageError
from lic_bench.paths import cache_dir, model_config_dir, replace_cache_file

__all__ = ["check_header_config", "known_good"]

_FORMAT = 1
_MAX_ENTRIES = 4096  # configs remembered per code version; the oldest go first


def check_header_config(header: dict[str, Any]) -> dict[str, Any]:
    """The header's config, checked once and resolved: refused (one line) when it names
    code or settings outside lic-bench's registries, or another model than ``model``."""
    from lic_bench.models import load_model_config
    from lic_bench.models.config import UntrustedConfigError

    try:
        cfg = load_model_config(header["config"], trusted=False)
    except UntrustedConfigError as exc:
        raise BitstreamError(str(exc)) from None
    except UsageError as exc:
        raise BitstreamError(f"cannot rebuild model {str(header.get('model'))[:60]!r}: {exc}") from None
    if header["model"] != header["config"].get("name") or cfg["name"] != header["model"]:
        raise BitstreamError("malformed header (its model does not match its config)")
    _remember(header)
    return cfg


def known_good(header: dict[str, Any]) -> bool:
    """Whether this header's model and config passed :func:`check_header_config` before,
    under the same code (see the module docstring)."""
    path = _memo_path()
    if path is None:
        return False
    try:
        return _digest(header) in json.loads(path.read_text(encoding="utf-8"))["passed"]
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _digest(header: dict[str, Any]) -> str:
    text = json.dumps([header.get("model"), header.get("config")], sort_keys=True, allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()


@functools.cache
def _code_key() -> str | None:
    """A digest of everything the check's verdict depends on besides the config."""
    digest = hashlib.sha256(f"format {_FORMAT}".encode())
    package = Path(__file__).resolve().parents[1]
    try:
        for path in sorted(package.rglob("*.py")):
            digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
        for path in sorted(model_config_dir().glob("*.yaml")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    except OSError:
        return None
    for point in sorted(importlib.metadata.entry_points(group="lic_bench.plugins"), key=lambda p: p.name):
        dist = getattr(point, "dist", None)
        digest.update(f"{point.name}={point.value}@{getattr(dist, 'version', '?')}".encode())
    return digest.hexdigest()[:40]


def _memo_path() -> Path | None:
    key = _code_key()
    if key is None:
        return None
    return cache_dir("checked-configs") / f"{key}.json"


def _remember(header: dict[str, Any]) -> None:
    path = _memo_path()
    if path is None:
        return
    try:
        digest = _digest(header)
    except (TypeError, ValueError):
        return
    try:
        passed = json.loads(path.read_text(encoding="utf-8"))["passed"]
        if not isinstance(passed, list):
            passed = []
    except (OSError, ValueError, KeyError, TypeError):
        passed = []
    if digest in passed:
        return
    passed = [*passed, digest][-_MAX_ENTRIES:]
    replace_cache_file(path, json.dumps({"format": _FORMAT, "passed": passed}), stale="*.json")
