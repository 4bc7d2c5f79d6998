#!/usr/bin/env python
"""Write each taxonomy node's ``implementations:`` list from the registries.

The registries are the source of truth (each entry declares the taxonomy ids it
implements); this script mirrors them into ``taxonomy/*.yaml`` by rewriting only
the one-line ``implementations: [...]`` of each node, so comments and layout
stay as they are. ``--check`` changes nothing and exits 1 when a file is stale.

    python scripts/sync_implementations.py [--check]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_ID = re.compile(r"^\s*-\s+id:\s*([a-z0-9-]+)\s*$")
_IMPL = re.compile(r"^(\s*)implementations:.*$")


def wanted_implementations() -> dict[str, list[str]]:
    from lic_bench.registry import all_entries

    by_node: dict[str, set[str]] = defaultdict(set)
    for entry in all_entries():
        for node in entry.taxonomy:
            by_node[node].add(entry.name)
    return {node: sorted(names) for node, names in by_node.items()}


def sync_file(path: Path, wanted: dict[str, list[str]]) -> tuple[str, set[str]]:
    """The file's new text and the node ids it holds."""
    lines = path.read_text().splitlines(keepends=True)
    current, seen = None, set()
    for i, line in enumerate(lines):
        if m := _ID.match(line):
            current = m.group(1)
            seen.add(current)
        elif current and (m := _IMPL.match(line)):
            names = wanted.get(current, [])
            lines[i] = f"{m.group(1)}implementations: [{', '.join(names)}]\n"
            current = None
    return "".join(lines), seen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale files, change nothing")
    args = parser.parse_args()
    wanted = wanted_implementations()
    stale, known = [], set()
    for path in sorted((ROOT / "taxonomy").glob("*.yaml")):
        text, ids = sync_file(path, wanted)
        known |= ids
        if text != path.read_text():
            stale.append(path)
            if not args.check:
                path.write_text(text)
    unknown = sorted(set(wanted) - known)
    for node in unknown:
        print(f"registry names unknown taxonomy node {node!r}: {', '.join(wanted[node])}", file=sys.stderr)
    for path in stale:
        print(f"{'stale' if args.check else 'updated'}: {path.relative_to(ROOT)}")
    return 1 if unknown or (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
