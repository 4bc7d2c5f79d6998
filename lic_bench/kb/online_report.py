"""The re-verification report of ``lic-bench kb check --online --report FILE`` (issue #25).

For every record and every field the online sources show (title, authors, year, venue,
DOI, arXiv id), what the arXiv API and Crossref say *now*, beside the record's value and
the source its ``verified:`` block cites. One row per (record, field, service):

* ``agrees`` - the service shows the record's value (titles compared on letters and
  digits, case and accents folded; authors on their folded surnames in order);
* ``differs`` - the service shows another value (a conference year may rightly differ
  from the arXiv year: the row says what each holds, a person decides);
* ``not shown`` - the service has no value for that field (arXiv has no venue unless the
  authors gave a journal reference);
* ``unknown id`` - the service knows no such arXiv id or DOI.

Records without an arXiv id or DOI get one row saying there is nothing to ask. When the
first request cannot reach a service the report is one line saying so (see
:func:`offline_report`); nothing is guessed.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from lic_bench.kb.bibtex import ascii_fold, normalize_title
from lic_bench.kb.online import Client, Fetched, looked_up

if TYPE_CHECKING:
    from lic_bench.kb.base import KnowledgeBase
    from lic_bench.kb.schema import Paper

#: Fields an API answer can speak to, in report order.
REPORTED = ("title", "authors", "year", "venue", "doi", "arxiv")
_SERVICE_NAME = {"arxiv": "arXiv", "crossref": "Crossref"}


@dataclass(frozen=True)
class Row:
    record: str
    field: str
    service: str  # "arXiv" | "Crossref" | "-"
    status: str  # agrees | differs | not shown | unknown id | nothing to ask
    online: str  # what the service says ("" when nothing)
    recorded: str  # the record's value
    cited: str  # the source the record's verified: block cites for the field, or why unverified


def _surnames(names: list[str]) -> list[str]:
    return [ascii_fold(n.split()[-1]).casefold() if n.split() else "" for n in names]


def _value(paper: Paper, field: str) -> str:
    value = getattr(paper, field)
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _cited(paper: Paper, field: str) -> str:
    verified = paper.verified
    if verified is None:
        return ""
    if field in verified.fields:
        return verified.fields[field]
    if field in verified.unverified:
        return f"unverified: {verified.unverified[field]}"
    return ""


def _compare(paper: Paper, field: str, found: Fetched) -> tuple[str, str]:
    """(status, what the service shows) for one field."""
    if field == "title":
        same = normalize_title(found.title) == normalize_title(paper.title)
        return ("agrees" if same else "differs"), found.title
    if field == "authors":
        same = _surnames(found.authors) == _surnames(paper.authors)
        return ("agrees" if same else "differs"), "; ".join(found.authors)
    if field == "year":
        if not found.year:
            return "not shown", ""
        return ("agrees" if found.year == paper.year else "differs"), str(found.year)
    if field == "venue":
        if found.source == "arxiv" and found.venue == "arXiv":
            status = "agrees" if (paper.venue or "").casefold() == "arxiv" else "not shown"
            return status, "arXiv (no journal reference)"
        if not found.venue:
            return "not shown", ""
        same = found.venue.casefold() == (paper.venue or "").casefold()
        return ("agrees" if same else "differs"), found.venue
    if field == "doi":
        if not found.doi:
            return "not shown", ""
        same = found.doi.casefold() == (paper.doi or "").casefold()
        return ("agrees" if same else "differs"), found.doi
    if not found.arxiv:
        return "not shown", ""
    same = (paper.arxiv or "").split("v")[0] == found.arxiv.split("v")[0]
    return ("agrees" if same else "differs"), found.arxiv


def report_rows(
    kb: KnowledgeBase, client: Client | None = None, advance: Callable[[str], None] | None = None
) -> Iterator[Row]:
    """The report's rows, record by record. Raises ``OfflineError`` when a service is unreachable."""
    client = client or Client()
    for pid, service, ident, found in looked_up(kb, client, advance):
        paper = kb.papers[pid]
        name = _SERVICE_NAME[service]
        if found is None:
            key = "arxiv" if service == "arxiv" else "doi"
            yield Row(pid, key, name, "unknown id", "", ident, _cited(paper, key))
            continue
        for field in REPORTED:
            status, online = _compare(paper, field, found)
            yield Row(pid, field, name, status, online, _value(paper, field), _cited(paper, field))
    for paper in kb.papers.values():
        if not (paper.arxiv or paper.doi):
            yield Row(paper.id, "-", "-", "nothing to ask", "", "no arXiv id or DOI", "")


def is_mismatch(row: Row) -> bool:
    """The rows ``kb check --online`` prints as mismatches."""
    return row.status in ("differs", "unknown id", "nothing to ask")


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|")


def render_report(rows: list[Row], n_records: int, fmt: str, today: _dt.date | None = None) -> str:
    """The report as Markdown (``md``) or JSON (``json``)."""
    today = today or _dt.date.today()
    counts = Counter(row.status for row in rows)
    if fmt == "json":
        return json.dumps(
            {"date": str(today), "records": n_records, "status_counts": dict(sorted(counts.items())),
             "rows": [asdict(r) for r in rows]},
            indent=1, ensure_ascii=False,
        ) + "\n"
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "no rows"
    out = [
        f"# Online re-check of the knowledge base, {today}",
        "",
        f"{n_records} records; {len(rows)} (record, field, service) rows: {summary}.",
        "",
        "| record | field | service | status | online now | record | cited in verified: |",
        "|---|---|---|---|---|---|---|",
    ]
    out += [
        f"| {_cell(r.record)} | {r.field} | {r.service} | {r.status} | {_cell(r.online)} | "
        f"{_cell(r.recorded)} | {_cell(r.cited)} |"
        for r in rows
    ]
    return "\n".join(out) + "\n"


def offline_report(reason: str, today: _dt.date | None = None) -> str:
    """The whole report when no service could be reached: one line."""
    return f"offline on {today or _dt.date.today()}: {reason}; no record was checked online\n"
