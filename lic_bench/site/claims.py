"""The "claimed vs recomputed" page: every BD-rate a paper states beside the one the
project's BD code gets from the published points against the same anchor and version
(:mod:`lic_bench.rd.claims`)."""

from __future__ import annotations

from typing import Any

from lic_bench.site import _md

PAGE = "results/claims.md"


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{v:+.2f} %"


def _row(r: Any, kb: Any) -> list[str]:
    paper = _md.link(r.paper, _md.rel(PAGE, _md.paper_path(r.paper))) if r.paper in kb.papers else _md.cell(r.paper)
    where = _md.cell(r.where)
    url = _md.href(r.source)
    if url:  # an HTML link: MkDocs would take a Markdown link to a README.md for a page of its own
        where = f'<a href="{_md.esc(url)}">{where}</a>'
    version = r.anchor_version if r.anchor_version else "version not stated"
    return [paper, _md.code(r.codec), _md.cell(r.dataset.replace("+", " + ")), _md.cell(r.metric),
            f"{_md.code(r.anchor)} {_md.cell(version)}", _pct(r.claimed), _pct(r.recomputed),
            "n/a" if r.gap is None else f"**{r.gap:+.2f}**" if r.status == "gap" else f"{r.gap:+.2f}",
            _md.cell(r.status), where]


HEADERS = ["paper", "codec", "dataset", "metric", "anchor", "claimed", "recomputed", "gap (points)", "status", "where"]


def claims_page(kb: Any, docs: list[dict[str, Any]], threshold: float | None = None) -> str:
    """Markdown of the page; "" when no paper record states a claim."""
    from lic_bench.rd.claims import GAP_THRESHOLD, largest_gaps, recompute

    threshold = GAP_THRESHOLD if threshold is None else threshold
    claims = [(pid, c) for pid, paper in kb.papers.items() for c in (getattr(paper, "claims", None) or [])]
    if not claims:
        return ""
    usable = [d for d in docs if (d.get("meta") or {}).get("kind") in ("reported", "anchor")
              and (d.get("meta") or {}).get("averaging") != "per-target-rate"]
    rows = [recompute(pid, c, usable, threshold=threshold) for pid, c in claims]
    gaps = largest_gaps(rows, threshold)
    done = [r for r in rows if r.recomputed is not None]
    parts = [
        "# Claimed vs recomputed BD-rates",
        "",
        f"{len(rows)} BD-rates stated by {len({r.paper for r in rows})} papers about "
        f"{len({r.codec for r in rows})} codecs, each beside the BD-rate recomputed from the published points "
        "(`results/reported`) against the same anchor **and version**, with this project's BD code "
        "(PCHIP, `lic_bench.rd.bd`). Negative = fewer bits than the anchor; gap = recomputed − claimed. "
        f"{len(done)} could be recomputed; the others lack the codec's points or the anchor curve of the "
        "stated version (`no-points`, `no-anchor`). Same table: `lic-bench rd claims` (table, json, csv).",
        "",
        f"## Gaps larger than {threshold:g} points",
        "",
    ]
    if gaps:
        parts.append(_md.table(HEADERS, [_row(r, kb) for r in gaps]))
    else:
        parts.append(f"No recomputed claim differs by more than {threshold:g} points.")
    parts += ["", "## All claims", "", _md.table(HEADERS, [_row(r, kb) for r in rows]), ""]
    notes = [(r, n) for r in rows for n in r.notes]
    if notes:
        parts += ["## Notes", ""]
        parts += [f"- {_md.code(r.codec)} vs {_md.code(r.anchor)} ({_md.cell(r.dataset)}): {_md.cell(n)}" for r, n in notes]
        parts.append("")
    return "\n".join(parts)
