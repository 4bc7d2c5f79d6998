"""Which web addresses count as a primary source for a record's fields (issue #25).

A primary source is the paper's own publication or its publisher's record of it:
arXiv, OpenReview, CVF open access, the DOI resolver and publisher pages, the
NeurIPS/PMLR/AAAI/ACL proceedings, IEEE Xplore, the ACM DL and DBLP. The official
code repository (GitHub) is primary for ``code``, and for the other fields only when it
is the record's own repository (its URL lies inside one of the record's ``code``
links): the issue names "the official code repository" among the primary sources,
and the authors' README and BibTeX there speak for the authors, while somebody
else's repository (a re-implementation, a list of papers) does not. A university's own thesis repository is primary
for theses only. Mirrors (ar5iv), aggregators (papers-with-code, Semantic Scholar,
paper-note and summary sites) and any search-result page are not.

This module is the one place the list lives: ``kb validate`` and the migration of old
``verified:`` blocks both read it.
"""

from __future__ import annotations

import re
import urllib.parse

#: host -> kind of primary source. A host matches itself and ``www.<host>``.
PRIMARY_HOSTS: dict[str, str] = {
    "arxiv.org": "arxiv",
    "export.arxiv.org": "arxiv",
    "openreview.net": "proceedings",
    "openaccess.thecvf.com": "proceedings",
    "proceedings.neurips.cc": "proceedings",
    "papers.nips.cc": "proceedings",
    "papers.neurips.cc": "proceedings",
    "proceedings.mlr.press": "proceedings",
    "ojs.aaai.org": "proceedings",
    "aclanthology.org": "proceedings",
    "ecva.net": "proceedings",
    "doi.org": "publisher",
    "dx.doi.org": "publisher",
    "ieeexplore.ieee.org": "publisher",
    "dl.acm.org": "publisher",
    "link.springer.com": "publisher",
    "sciencedirect.com": "publisher",
    "dblp.org": "index",
    "dblp.uni-trier.de": "index",
    "github.com": "code",
}

#: Universities' own thesis repositories (primary for records whose venue is a thesis).
THESIS_REPOSITORIES: frozenset[str] = frozenset({
    "repositum.tuwien.at",
})

#: arXiv pages that show a paper (not listings or searches).
_ARXIV_PAGE = re.compile(r"^/(?:abs|pdf|html)/")
#: paths and query keys of search-result pages, which show whatever the query finds today.
_SEARCH_PATH = re.compile(r"(?i)(?:^|/)(?:simple-)?search(?:$|[/?.])|/discover(?:$|/)")
_SEARCH_KEYS = frozenset({"q", "query", "search", "searchtext", "querytext"})


def _host(url: str) -> str:
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def is_search_url(url: str) -> bool:
    """True for a search-result page (``/search``, ``?query=``, ...)."""
    parts = urllib.parse.urlsplit(url)
    keys = {k.lower() for k, _ in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)}
    return bool(_SEARCH_PATH.search(parts.path)) or bool(keys & _SEARCH_KEYS)


def source_kind(url: str) -> str | None:
    """``arxiv`` / ``proceedings`` / ``publisher`` / ``index`` / ``code`` / ``thesis`` for a
    primary source, None for anything else (mirrors, aggregators, search pages)."""
    if not url.lower().startswith(("https://", "http://")) or is_search_url(url):
        return None
    host = _host(url)
    if host in THESIS_REPOSITORIES:
        return "thesis"
    kind = PRIMARY_HOSTS.get(host)
    if kind == "arxiv" and not _ARXIV_PAGE.match(urllib.parse.urlsplit(url).path):
        return None
    if kind == "code" and len([p for p in urllib.parse.urlsplit(url).path.split("/") if p]) < 2:
        return None  # a user or organisation page is not a repository
    return kind


def _inside(url: str, repo: str) -> bool:
    """True when ``url`` lies in repository ``repo`` (same host, owner and name)."""
    def key(u: str) -> tuple[str, ...]:
        parts = [p for p in urllib.parse.urlsplit(u).path.split("/") if p][:2]
        return (_host(u), *(p.lower().removesuffix(".git") for p in parts))
    mine = key(repo)
    return len(mine) == 3 and key(url) == mine


def primary_problem(field: str, url: str, *, thesis: bool = False,
                    own_code: tuple[str, ...] = ()) -> str | None:
    """Why ``url`` cannot vouch for record field ``field`` (None when it can).

    ``own_code`` are the record's ``code`` links: a repository among them is the
    paper's official one and may vouch for any field.
    """
    kind = source_kind(url)
    host = _host(url) or url
    if kind is None:
        why = "a search-result page" if is_search_url(url) else f"{host} is not a primary source"
        return f"{url} cannot vouch for {field}: {why} (see lic_bench/kb/sources.py)"
    if kind == "code" and field != "code" and not any(_inside(url, repo) for repo in own_code):
        return (f"{url} cannot vouch for {field}: a code repository is a primary source for "
                "other fields only when it is the record's own (listed in its code)")
    if kind == "thesis" and not thesis:
        return f"{url} cannot vouch for {field}: a thesis repository is a primary source for theses only"
    return None
