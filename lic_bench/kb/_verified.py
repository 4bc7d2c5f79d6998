"""The rules of a record's ``verified:`` block that need the record itself (issue #25).

* a field is in ``fields`` or ``unverified``, never both;
* every record covers title, authors, year, venue and the identifiers it holds
  (doi / arxiv / url), each in ``fields`` (with a primary source) or ``unverified``
  (with a reason);
* a field in ``fields`` is set in the record, and its source is primary for it
  (:mod:`lic_bench.kb.sources`);
* a venue-arXiv record from 2023 on says when a published version was last searched
  for (``no_published_version``); no other record carries that date;
* no date is in the future.
"""

from __future__ import annotations

import datetime as _dt

from lic_bench.kb.problems import Problem
from lic_bench.kb.schema import VERIFIABLE, Paper
from lic_bench.kb.sources import primary_problem

#: Fields every record accounts for; identifiers count when the record holds them.
ALWAYS = ("title", "authors", "year", "venue")
IDENTIFIERS = ("doi", "arxiv", "url")
#: From this year on a preprint is expected to be re-checked for a published version.
PREPRINT_CHECK_FROM = 2023


def is_thesis(paper: Paper) -> bool:
    return "thesis" in (paper.venue or "").casefold()


def is_preprint(paper: Paper) -> bool:
    return (paper.venue or "").strip().casefold() == "arxiv"


def required_fields(paper: Paper) -> list[str]:
    """The fields ``paper``'s ``verified:`` block must account for."""
    return [*ALWAYS, *(f for f in IDENTIFIERS if getattr(paper, f))]


def _is_set(paper: Paper, field: str) -> bool:
    value = getattr(paper, field)
    return value is not None and value != [] and value != ""


def verified_problems(paper: Paper, rel: str, today: _dt.date | None = None) -> list[Problem]:
    """Every broken rule of ``paper.verified`` (nothing when the record has no block)."""
    verified = paper.verified
    if verified is None:
        return []
    today = today or _dt.date.today()
    problems: list[Problem] = []
    both = [f for f in VERIFIABLE if f in verified.fields and f in verified.unverified]
    if both:
        problems.append(Problem(rel, "verified", f"listed as both verified and unverified: {', '.join(both)}"))
    for field, url in verified.fields.items():
        where = f"verified.fields.{field}"
        if not _is_set(paper, field):
            problems.append(Problem(rel, where, f"the record has no {field} to verify"))
        why = primary_problem(field, url, thesis=is_thesis(paper), own_code=tuple(paper.code))
        if why is not None:
            problems.append(Problem(rel, where, why))
    missing = [f for f in required_fields(paper) if f not in verified.fields and f not in verified.unverified]
    if missing:
        problems.append(
            Problem(
                rel,
                "verified",
                f"no primary source and no reason given for {', '.join(missing)} "
                "(add each to fields with its source or to unverified with why)",
            )
        )
    for name in ("date", "no_published_version"):
        when = getattr(verified, name)
        if when is not None and when > today:
            problems.append(Problem(rel, f"verified.{name}", f"{when} is in the future"))
    preprint = is_preprint(paper) and paper.year >= PREPRINT_CHECK_FROM
    if preprint and verified.no_published_version is None:
        problems.append(
            Problem(
                rel,
                "verified.no_published_version",
                f"venue arXiv from {PREPRINT_CHECK_FROM} on: search for a conference or journal version "
                "and give the date none was found (or take the published venue)",
            )
        )
    elif not preprint and verified.no_published_version is not None:
        problems.append(
            Problem(
                rel,
                "verified.no_published_version",
                f"only for records with venue arXiv from {PREPRINT_CHECK_FROM} on",
            )
        )
    return problems


def open_fields(paper: Paper) -> list[str]:
    """The fields of ``paper`` that no primary source vouches for: those in ``unverified``,
    and those the record sets or must cover but its ``verified:`` block leaves out."""
    verified = paper.verified
    if verified is None:
        return [f for f in VERIFIABLE if f in required_fields(paper) or _is_set(paper, f)]
    wanted = [f for f in VERIFIABLE if f in required_fields(paper) or _is_set(paper, f) or f in verified.unverified]
    return [f for f in wanted if f not in verified.fields]


def status(paper: Paper) -> str:
    """``verified`` (every field has a primary source), ``partly verified`` or ``unverified``."""
    if paper.verified is None or not paper.verified.fields:
        return "unverified"
    return "partly verified" if open_fields(paper) else "verified"
