"""Summarise how well the knowledge base's facts are verified (issue #25) as Markdown.

    python scripts/kb_verification_summary.py [--report FILE] [-o OUT]

Counts come from the records as they are (``lic_bench.kb``): the status of each record
(verified / partly verified / unverified, :func:`lic_bench.kb._verified.status`), the
share with a code link, the venue-arXiv records from 2023 on with
``no_published_version``, which fields lack a primary source, and the kinds of primary
source cited (:mod:`lic_bench.kb.sources`). ``--report`` names the output of
``lic-bench kb check --online --report FILE``; its first line is quoted (offline, it is
the only line).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import subprocess
import sys
from collections import Counter
from pathlib import Path

from lic_bench.kb import load_kb
from lic_bench.kb._verified import PREPRINT_CHECK_FROM, is_preprint, open_fields, status
from lic_bench.kb.sources import source_kind


def _share(n: int, total: int) -> str:
    return f"{n} of {total} ({100 * n / total:.0f} %)" if total else "0 of 0"


def summary(root: Path | None, report: Path | None) -> str:
    kb = load_kb(root)
    papers = sorted(kb.papers.values(), key=lambda p: p.id)
    total = len(papers)
    states = Counter(status(p) for p in papers)
    with_code = sum(1 for p in papers if p.code)
    recent = [p for p in papers if p.year >= PREPRINT_CHECK_FROM]
    preprints = [p for p in recent if is_preprint(p)]
    npv = [p for p in preprints if p.verified and p.verified.no_published_version]
    missing = Counter(f for p in papers for f in open_fields(p))
    kinds = Counter(
        source_kind(url) or "not primary" for p in papers if p.verified for url in p.verified.fields.values()
    )
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=root or Path.cwd(), check=False).stdout.strip() or "unknown"
    except OSError:
        commit = "unknown"
    lines = [
        "# Verification of the knowledge base",
        "",
        f"Written by `python scripts/kb_verification_summary.py` on {_dt.date.today()} at commit {commit}.",
        "",
        "## Online re-check (`lic-bench kb check --online --report FILE`)",
        "",
    ]
    if report is not None and report.is_file():
        first = (report.read_text(encoding="utf-8").splitlines() or ["(empty report)"])[0]
        lines += [f"The report's first line: `{first}`", ""]
        if first.startswith("offline"):
            lines += [
                "The arXiv API and Crossref cannot be reached from the machine this ran on, so no",
                "field was re-checked online. The fields were checked by other means instead: the",
                "venue-arXiv records from 2023 on were searched for a conference or journal version",
                "and their fields compared with the primary sources found (arXiv HTML pages, CVF",
                "open access, OpenReview, the official GitHub repositories) through a search index",
                "of public pages; each record's `verified:` block names the page per field, or why",
                "none could be found.",
                "",
            ]
    else:
        lines += ["No report given.", ""]
    lines += [
        "## Records",
        "",
        f"- records: {total}; from {PREPRINT_CHECK_FROM} on: {len(recent)}",
        f"- every field verified by a primary source: {_share(states['verified'], total)}",
        f"- partly verified: {_share(states['partly verified'], total)}",
        f"- unverified (no field with a primary source): {_share(states['unverified'], total)}",
        f"- with a code link: {_share(with_code, total)}",
        f"- venue arXiv from {PREPRINT_CHECK_FROM} on: {len(preprints)}, of which {len(npv)} state "
        "`no_published_version` (a published version was searched for, none found as of that date)",
        "",
        "## Fields without a primary source (in `unverified`, or set but not covered)",
        "",
        "| field | records |",
        "|---|---|",
        *(f"| {field} | {n} |" for field, n in sorted(missing.items(), key=lambda kv: (-kv[1], kv[0]))),
        "",
        "## Kinds of primary source cited (one per verified field)",
        "",
        "| kind | fields |",
        "|---|---|",
        *(f"| {kind} | {n} |" for kind, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, help="output of `lic-bench kb check --online --report FILE`")
    parser.add_argument("-o", "--out", type=Path, help="write here instead of stdout")
    parser.add_argument("--root", type=Path, help="project root (default: this checkout)")
    args = parser.parse_args(argv)
    text = summary(args.root, args.report)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
