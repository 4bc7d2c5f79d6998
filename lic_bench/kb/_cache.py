"""A parsed copy of the knowledge base, so `lic-bench kb ...` starts in a fraction of a second.

Parsing 200-odd YAML records with the strict loader and checking them is most of a
``kb`` command's time (about 0.25 s of CPU); restoring the checked records from one JSON
file takes a fifth of that. The file is keyed on the *contents* of every record and of
the code that reads them (modification times are too coarse for a test that rewrites a
record twice in a few milliseconds), so any change to either reads the YAML again.
Restoring goes through the same pydantic models and validators as a first read: the
cache can make a command faster, never looser. Any trouble with it (unreadable, stale
format, a read-only home) falls back to reading the records. ``LIC_BENCH_KB_CACHE=0``
turns it off; ``LIC_BENCH_CACHE_DIR`` moves it (default ``~/.cache/lic-bench``).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from lic_bench.kb._load import MAX_RECORD_BYTES, LoadResult, read_kb
from lic_bench.kb.problems import Problem
from lic_bench.kb.schema import Component, Paper
from lic_bench.paths import cache_dir, replace_cache_file
from lic_bench.safe_read import UnreadableFile, read_bounded

_FORMAT = 1


def _key(root: Path) -> str | None:
    digest = hashlib.sha256(f"format {_FORMAT}".encode())
    here = Path(__file__).parent
    try:
        # every module of lic_bench.kb (and lic_bench.safe_read) may decide what a read gives
        for path in [*sorted(here.glob("*.py")), here.parent / "safe_read.py"]:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        for folder, pattern in (("taxonomy", "*.yaml"), ("papers", "*.y*ml")):  # what _load globs
            for path in sorted((root / folder).glob(pattern)):
                # the loader's own bounded read: a FIFO or a huge file named like a record
                # must not block or fill memory here either; such a file is no cache key
                try:
                    data = read_bounded(path, MAX_RECORD_BYTES, "a record file")
                except UnreadableFile:
                    return None
                digest.update(f"{folder}/{path.name}".encode() + b"\0" + data + b"\0")
    except OSError:
        return None
    return digest.hexdigest()[:40]


def read_kb_cached(root: Path) -> LoadResult:
    """:func:`read_kb` of ``root``, from the cache when the records and code are unchanged."""
    if os.environ.get("LIC_BENCH_KB_CACHE", "1") == "0":
        return read_kb(root)
    key = _key(root)
    if key is None:
        return read_kb(root)
    where = cache_dir("kb")
    tag = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:12]  # one file per project root
    path = where / f"{tag}-{key}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return LoadResult(
            components=[Component.model_validate_json(c) for c in data["components"]],
            papers=[Paper.model_validate_json(p) for p in data["papers"]],
            problems=[Problem(**p) for p in data["problems"]],
        )
    except (OSError, ValueError, KeyError, TypeError):
        pass  # no cache yet, or one this code cannot use: read the records
    result = read_kb(root)
    text = json.dumps({
        "components": [c.model_dump_json() for c in result.components],
        "papers": [p.model_dump_json() for p in result.papers],
        "problems": [{"file": p.file, "field": p.field, "message": p.message} for p in result.problems],
    })
    replace_cache_file(path, text, stale=f"{tag}-*.json")  # one state per project root
    return result
