"""One leaderboard row per model version and training objective, from ``rd table`` rows.

A model's curves come from several sources (measured here, its authors, CompressAI, C3's
baselines, digitised figures). They fold into one row per results name (each version of
a model has its own name: ``cool-chic-2023``, ``cool-chic-v2``, ...; a classical codec's
``meta.model_version`` tells its versions apart), ``meta.model_version`` and objective:
an MSE-trained and an MS-SSIM-trained model are two rows, ranked in their own views.
Identical points under two names (:mod:`lic_bench.rd.twins`) are one row and one source.
The row's numbers are those of its primary source (:func:`primary_key`); sources more than
:data:`DISAGREE_POINTS` BD-rate points apart are flagged.
"""

from __future__ import annotations

from typing import Any

#: BD-rate points between two sources of a row above which the row is flagged
DISAGREE_POINTS = 3.0
PROVENANCE_RANK = {"measured": 0, "reported": 1, "digitised": 2}
#: the views of the leaderboard: objective -> (which curves, which BD-rate ranks them)
VIEWS = {
    "mse": (("mse", "none"), "bd_rate_psnr"),
    "ms-ssim": (("ms-ssim", "none"), "bd_rate_ms-ssim"),
    "all": (("mse", "ms-ssim", "other", "none"), "bd_rate_psnr"),
}
#: columns of a folded table (CSV downloads and ``rd table --by-model --format csv``)
FOLDED_COLUMNS = ("rank", "name", "objective", "bd_rate_psnr", "bd_psnr_db", "bd_rate_ms-ssim", "bd_ms-ssim_db",
                  "dataset", "averaging", "anchor", "anchor_version", "anchor_averaging", "method",
                  "source", "provenance", "source_url", "path", "other_sources", "disagreement_points",
                  "also_named", "papers", "warnings")


def source_name(row: dict[str, Any]) -> str:
    """Who a curve's numbers come from, in a few words: ``measured here``, ``C3 baselines``…"""
    if row.get("provenance") == "measured":
        return "measured here"
    who = str(row.get("reported_by") or row.get("provenance") or "unknown source")
    if not who.startswith("paper figure"):
        who = who.split(", whose source")[0].split(" (")[0]
    if row.get("provenance") == "digitised" and "digitised" not in who:
        who += " (digitised)"
    return who


def primary_key(row: dict[str, Any]) -> tuple:
    """Which curve gives a row its numbers: measured before reported before digitised, the
    authors' own numbers before third parties', a curve with a PSNR BD-rate; then the path."""
    return (
        PROVENANCE_RANK.get(str(row.get("provenance")), 3),
        "authors" not in str(row.get("reported_by") or "").casefold(),
        row.get("bd_rate_psnr") is None,
        str(row.get("path") or ""),
    )


def _version(row: dict[str, Any]) -> str:
    """A classical codec's version (``vtm 9.1`` and ``vtm 18.0`` are two rows); a learned
    model's versions have names of their own, so its ``model_version`` only informs."""
    return str(row.get("model_version") or "") if row.get("objective") == "none" else ""


def _display(name: str, version: str) -> str:
    return f"{name} {version}" if version and version not in name else name


def fold_by_model(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Folded rows (see the module docstring), ranked by the PSNR BD-rate (missing last).

    Each has the primary row's fields plus ``name`` (with its version), ``also_named``
    (other names of identical curves), ``sources`` (one per distinct curve, primary first,
    each with ``same_points`` listing the files that repeat it), ``papers`` (union) and
    ``disagreement`` (largest gap between sources per BD-rate, in points).
    """
    keyed: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for row in rows:
        keyed.setdefault((str(row.get("name")), _version(row), str(row.get("objective") or "mse")), []).append(row)
    # groups holding a twin of each other (same objective) become one
    parent = {key: key for key in keyed}

    def root(key):
        while parent[key] != key:
            key = parent[key]
        return key

    by_twin: dict[tuple[str, int], tuple] = {}
    for key, members in keyed.items():
        for row in members:
            twin = row.get("twin_group")
            if twin is None or twin < 0:
                continue
            seen = by_twin.setdefault((key[2], twin), key)
            if root(seen) != root(key):
                parent[root(key)] = root(seen)
    merged: dict[tuple, list[tuple]] = {}
    for key in keyed:
        merged.setdefault(root(key), []).append(key)
    folded = []
    for keys in merged.values():
        # the row's name: one with a version first (it says more), then the most curves
        keys.sort(key=lambda k: (not k[1], -len(keyed[k]), k[0]))
        members = sorted((r for k in keys for r in keyed[k]), key=primary_key)
        sources: list[dict[str, Any]] = []
        for row in members:
            twin = row.get("twin_group")
            same = next((s for s in sources if twin is not None and twin >= 0 and s["twin_group"] == twin), None)
            if same is not None:
                same["same_points"].append(row["label"])
                continue
            sources.append({"label": row["label"], "source": source_name(row), "provenance": row.get("provenance"),
                            "url": row.get("source_url"), "path": row.get("path"), "twin_group": twin,
                            "bd_rate_psnr": row.get("bd_rate_psnr"), "bd_rate_ms-ssim": row.get("bd_rate_ms-ssim"),
                            "same_points": []})
        papers: list[str] = []
        for row in members:
            papers += [p for p in row.get("papers") or [] if p not in papers]
        disagreement = {}
        for key in ("bd_rate_psnr", "bd_rate_ms-ssim"):
            values = [s[key] for s in sources if s[key] is not None]
            disagreement[key] = (max(values) - min(values)) if len(values) > 1 else 0.0
        first = members[0]
        folded.append({
            **first,
            "name": _display(keys[0][0], keys[0][1]),
            "also_named": [_display(k[0], k[1]) for k in keys[1:]],
            "papers": papers,
            "sources": sources,
            "disagreement": disagreement,
        })
    folded.sort(key=lambda r: (r["bd_rate_psnr"] is None, r["bd_rate_psnr"] if r["bd_rate_psnr"] is not None else 0))
    return folded


def view_rows(folded: list[dict[str, Any]], view: str) -> list[dict[str, Any]]:
    """The rows of one objective view (:data:`VIEWS`), ranked on its BD-rate."""
    objectives, key = VIEWS[view]
    rows = [r for r in folded if r.get("objective") in objectives and r.get(key) is not None]
    return sorted(rows, key=lambda r: r[key])


def flat_row(row: dict[str, Any], rank: int, method: str, view: str) -> dict[str, Any]:
    """A folded row as one line of :data:`FOLDED_COLUMNS` (lists joined with ``; ``)."""
    key = VIEWS[view][1]
    others = [f"{s['source']} [{s['label']}]: {_pct(s[key])}" for s in row["sources"][1:]]
    return {
        **{c: row.get(c) for c in FOLDED_COLUMNS},
        "rank": rank,
        "method": method,
        "source": row["sources"][0]["source"] if row["sources"] else None,
        "other_sources": "; ".join(others),
        "disagreement_points": round(row["disagreement"][key], 4),
        "also_named": "; ".join(row.get("also_named") or []),
        "papers": "; ".join(row.get("papers") or []),
        "warnings": "; ".join(row.get("warnings") or []),
    }


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.2f} %"
