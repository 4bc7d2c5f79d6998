"""``lic-bench rd claims``: the BD-rates papers state beside those recomputed from their points."""

from __future__ import annotations

import json
from enum import Enum
from typing import Annotated

import typer

from lic_bench.cli._options import OutputOpt
from lic_bench.errors import UsageError


class ClaimsFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


def rd_claims(
    fmt: Annotated[ClaimsFormat, typer.Option("--format", "-f", help="table, json or csv.")] = ClaimsFormat.table,
    threshold: Annotated[float, typer.Option("--threshold", help="List gaps larger than this many BD-rate points.")] = 2.0,
    codec: Annotated[str, typer.Option("--codec", help="Only the claims about this results name.")] = "",
    output: OutputOpt = None,
) -> None:
    """Each paper's stated BD-rate beside the one recomputed from its published points against
    the same anchor and version (claims: papers/*.yaml; points: results/reported)."""
    from lic_bench.rd.claims import claim_rows, largest_gaps, rows_to_csv, rows_to_text

    if not 0 <= threshold < 1000:
        raise UsageError(f"--threshold {threshold}: give a number of points between 0 and 1000")
    rows = claim_rows(threshold=threshold)
    if codec:
        rows = [r for r in rows if r.codec == codec]
        if not rows:
            raise UsageError(f"no claims about {codec!r} in papers/*.yaml")
    if fmt is ClaimsFormat.json:
        gaps = largest_gaps(rows, threshold)
        text = json.dumps({"method": "pchip", "threshold": threshold,
                           "codecs": len({r.codec for r in rows}),
                           "rows": [r.to_dict() for r in rows],
                           "largest_gaps": [{"paper": r.paper, "codec": r.codec, "dataset": r.dataset,
                                             "anchor": r.anchor, "anchor_version": r.anchor_version,
                                             "claimed": r.claimed, "recomputed": r.recomputed, "gap": r.gap}
                                            for r in gaps]}, indent=2)
    elif fmt is ClaimsFormat.csv:
        text = rows_to_csv(rows)
    else:
        text = rows_to_text(rows, threshold)
    if output:
        output.write_text(text + "\n")
        typer.echo(f"wrote {output} ({len(rows)} claims)")
    else:
        typer.echo(text)


def register(app: typer.Typer) -> None:
    """Add ``rd claims`` to the ``rd`` group (made by :mod:`lic_bench.cli.anchors`)."""
    from lic_bench.cli.anchors import rd_app

    rd_app.command("claims")(rd_claims)
