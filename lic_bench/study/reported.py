"""Published BD tables of a study's variants, kept beside the study's own results.

``results/reported/studies/<study>/<source>.yaml`` holds the numbers a paper reports for
the same grid a study file runs, e.g. Ferrari 2025's Tables 7.1 and 7.6
(ferrari2025-registry, ch. 7: BD-rate and BD-PSNR of the factorized prior and the
mean-scale hyperprior with GDN, 1DN, GSDN and ReLU against BPG 4:4:4 on Kodak). They are
reported numbers, never measured here: the site shows them next to the study's table,
marked as such. The files are YAML, not results JSON, because a BD table is not an RD
curve and must not be read as one by :func:`lic_bench.results.load_results`.

Layout (the committed file is the example)::

    study: nonlinearity          # the study file's name
    provenance: reported
    source: {paper: ferrari2025-registry, ...}
    anchor: bpg444               # the paper's anchor, which may differ from the study's
    dataset: kodak
    tables:
      - table: "7.1"
        page: 62
        model: bmshj2018-factorized
        rows: [{label: fp_gdn, variant: fp-gdn, component: gdn, bd_rate: 41.67, bd_psnr: -1.35}]
    metrics:                     # optional: RD points a paper prints per variant
      - {table: "7.2", page: 63, variant: fp-gdn, component: gdn,
         kodak: {bpp: [...], psnr: [...]}, clic2021: {...}}
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from lic_bench.errors import UsageError

#: Largest file read: a BD table is a few kilobytes.
MAX_BYTES = 1 << 20


def reported_dir(root: Path | None = None) -> Path:
    from lic_bench.paths import results_dir

    return results_dir(root) / "reported" / "studies"


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise UsageError(f"{where}: must be a finite number")
    return float(value)


def _text(value: Any, where: str) -> str:
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise UsageError(f"{where}: must be text")
    return str(value)


def check_reported(doc: Any, where: str) -> dict[str, Any]:
    """A reported table as plain, checked data (one-line :class:`UsageError` otherwise)."""
    if not isinstance(doc, dict):
        raise UsageError(f"{where}: not a mapping")
    if doc.get("provenance") != "reported":
        raise UsageError(f"{where}: provenance must be 'reported'")
    source = doc.get("source")
    if not isinstance(source, dict) or not isinstance(source.get("paper"), str):
        raise UsageError(f"{where}: source.paper (a paper id) is required")
    tables = doc.get("tables")
    if not isinstance(tables, list) or not tables:
        raise UsageError(f"{where}: 'tables' must be a non-empty list")
    out_tables = []
    for i, table in enumerate(tables):
        at = f"{where}: tables[{i}]"
        if not isinstance(table, dict) or not isinstance(table.get("rows"), list):
            raise UsageError(f"{at}: needs 'table' and 'rows'")
        rows = []
        for j, row in enumerate(table["rows"]):
            rat = f"{at}.rows[{j}]"
            if not isinstance(row, dict):
                raise UsageError(f"{rat}: not a mapping")
            rows.append({"label": _text(row.get("label"), f"{rat}.label"),
                         "variant": _text(row.get("variant"), f"{rat}.variant"),
                         "component": _text(row.get("component"), f"{rat}.component"),
                         "bd_rate": _number(row.get("bd_rate"), f"{rat}.bd_rate"),
                         "bd_psnr": _number(row.get("bd_psnr"), f"{rat}.bd_psnr")})
        out_tables.append({"table": _text(table.get("table"), f"{at}.table"),
                           "page": table.get("page") if isinstance(table.get("page"), int) else None,
                           "model": _text(table.get("model", ""), f"{at}.model"),
                           "about": _text(table.get("about", ""), f"{at}.about"), "rows": rows})
    metrics = []
    for i, table in enumerate(doc.get("metrics") or []):
        at = f"{where}: metrics[{i}]"
        if not isinstance(table, dict):
            raise UsageError(f"{at}: not a mapping")
        sets = {}
        for dataset, columns in table.items():
            if dataset in ("table", "page", "variant", "component"):
                continue
            if not isinstance(columns, dict) or not all(isinstance(v, list) for v in columns.values()):
                raise UsageError(f"{at}.{dataset}: must map metric names to lists of numbers")
            sets[str(dataset)] = {str(k): [_number(x, f"{at}.{dataset}.{k}") for x in v] for k, v in columns.items()}
        metrics.append({"table": _text(table.get("table"), f"{at}.table"),
                        "page": table.get("page") if isinstance(table.get("page"), int) else None,
                        "variant": _text(table.get("variant"), f"{at}.variant"),
                        "component": _text(table.get("component"), f"{at}.component"), "datasets": sets})
    return {"study": _text(doc.get("study"), f"{where}: study"), "provenance": "reported", "metrics": metrics,
            "paper": source["paper"], "anchor": _text(doc.get("anchor", ""), f"{where}: anchor"),
            "anchor_note": _text(doc.get("anchor_note", ""), f"{where}: anchor_note"),
            "dataset": _text(doc.get("dataset", ""), f"{where}: dataset"), "tables": out_tables}


def load_reported(root: Path | None = None) -> list[dict[str, Any]]:
    """Every reported study table under ``results/reported/studies/``, checked, with ``_path``."""
    import yaml

    from lic_bench.paths import results_dir
    from lic_bench.safe_read import UnreadableFile, read_bounded

    base = reported_dir(root)
    out = []
    for path in sorted(base.glob("*/*.yaml")) if base.is_dir() else []:
        try:
            doc = yaml.safe_load(read_bounded(path, MAX_BYTES, "a reported table").decode("utf-8"))
        except (UnreadableFile, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise UsageError(f"{path}: not a reported table ({str(exc).splitlines()[0]})") from None
        table = check_reported(doc, str(path))
        if table["study"] != path.parent.name:
            raise UsageError(f"{path}: study {table['study']!r} does not match its folder {path.parent.name!r}")
        table["_path"] = str(path.relative_to(results_dir(root)))
        out.append(table)
    return out
