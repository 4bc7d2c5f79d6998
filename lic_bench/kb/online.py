"""Paper metadata from the arXiv API and Crossref's REST API: new record stubs and re-checks.

* arXiv: ``GET <arxiv api>?id_list=<id>`` answers an Atom feed (one ``<entry>`` per id,
  ``<title>``, ``<author><name>``, ``<published>``, ``<arxiv:doi>``,
  ``<arxiv:journal_ref>``); an unknown id gives no entry or an entry whose ``<id>`` is an
  ``/api/errors`` URL.
* Crossref: ``GET <crossref api>/works/<doi>`` answers JSON ``{"message": {"title": [..],
  "author": [{"given", "family"}], "container-title": [..], "issued": {"date-parts":
  [[year, ...]]}, "DOI": ..}}``; an unknown DOI is a 404.

Base URLs come from ``$LIC_BENCH_ARXIV_API`` and ``$LIC_BENCH_CROSSREF_API`` (tests
serve recorded responses from 127.0.0.1); ``$LIC_BENCH_API_DELAY`` sets the pause
between two requests to one service (default: arXiv's requested 3 s, 1 s for Crossref).
A service that cannot be reached raises :class:`OfflineError` (one line, exit 1).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from lic_bench.errors import LicBenchError, UsageError
from lic_bench.kb.bibtex import _DuplicateIndex, _norm_arxiv, make_paper_id, normalize_title
from lic_bench.kb.schema import ARXIV_PATTERN, DOI_PATTERN, ID_PATTERN, PAPER_FIELDS, Paper

if TYPE_CHECKING:
    from lic_bench.kb.base import KnowledgeBase

ARXIV_API = "https://export.arxiv.org/api/query"
CROSSREF_API = "https://api.crossref.org"
#: seconds between two requests to the same service (arXiv asks for 3 s)
DEFAULT_DELAY = {"arxiv": 3.0, "crossref": 1.0}
_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV_NS = "{http://arxiv.org/schemas/atom}"
_USER_AGENT = "lic-bench-kb (https://github.com/; knowledge base checks)"
#: container titles -> the short venue names the records use (papers/_template.yaml)
_VENUES = (
    ("computer vision and pattern recognition", "CVPR"),
    ("international conference on computer vision", "ICCV"),
    ("european conference on computer vision", "ECCV"),
    ("neural information processing systems", "NeurIPS"),
    ("international conference on learning representations", "ICLR"),
    ("international conference on machine learning", "ICML"),
    ("international conference on image processing", "ICIP"),
    ("data compression conference", "DCC"),
    ("picture coding symposium", "PCS"),
    ("acoustics, speech and signal processing", "ICASSP"),
    ("ieee transactions on image processing", "IEEE Transactions on Image Processing"),
    ("pattern analysis and machine intelligence", "IEEE Transactions on Pattern Analysis and Machine Intelligence"),
    ("circuits and systems for video technology", "IEEE Transactions on Circuits and Systems for Video Technology"),
)


class OfflineError(LicBenchError):
    """An API could not be reached (no network, DNS failure, time-out, server error)."""


class NotFoundError(UsageError):
    """The API answered, but knows no such arXiv id or DOI."""


@dataclass
class Fetched:
    """What one API says about one paper (already in record form)."""

    source: str  # "arxiv" | "crossref"
    title: str
    authors: list[str]
    year: int
    venue: str | None = None
    doi: str | None = None
    arxiv: str | None = None
    landing: str = ""  # the primary source's public page, for ``verified.fields``
    fields: list[str] = field(default_factory=list)  # record fields this source vouches for


def api_base(service: str) -> str:
    env = {"arxiv": "LIC_BENCH_ARXIV_API", "crossref": "LIC_BENCH_CROSSREF_API"}[service]
    return (os.environ.get(env) or {"arxiv": ARXIV_API, "crossref": CROSSREF_API}[service]).rstrip("/")


def api_delay(service: str) -> float:
    raw = os.environ.get("LIC_BENCH_API_DELAY")
    if raw:
        try:
            return max(0.0, float(raw))
        except ValueError:
            raise UsageError(f"LIC_BENCH_API_DELAY must be a number of seconds, not {raw!r}") from None
    return DEFAULT_DELAY[service]


class Client:
    """HTTP GET with a pause between requests to the same service (polite rate limit)."""

    def __init__(self, delay: float | None = None, timeout: float = 30.0):
        self.delay = delay
        self.timeout = timeout
        self._last: dict[str, float] = {}

    def get(self, service: str, url: str) -> bytes:
        pause = self.delay if self.delay is not None else api_delay(service)
        wait = self._last.get(service, -1e9) + pause - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        host = urllib.parse.urlsplit(url).netloc or url
        request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return response.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise NotFoundError(f"{host} knows no such record ({url})") from None
            raise OfflineError(f"{host} answered HTTP {exc.code} for {url}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise OfflineError(
                f"cannot reach {host} ({reason}); offline? (base URL: ${'LIC_BENCH_' + service.upper() + '_API'})"
            ) from None
        finally:
            self._last[service] = time.monotonic()


def _text(node: ET.Element | None) -> str:
    return " ".join((node.text or "").split()) if node is not None else ""


def parse_arxiv(xml: bytes, wanted: str) -> Fetched:
    """The entry for ``wanted`` in an arXiv API Atom feed."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise OfflineError(f"the arXiv API answered something that is not Atom XML ({exc})") from None
    for entry in root.iter(f"{_ATOM}entry"):
        link = _text(entry.find(f"{_ATOM}id"))
        if "/api/errors" in link:
            break
        found = re.search(r"arxiv\.org/abs/(.+?)(v\d+)?$", link)
        if not found or _norm_arxiv(found.group(1)) != _norm_arxiv(wanted):
            continue
        published = _text(entry.find(f"{_ATOM}published"))
        authors = [_text(a.find(f"{_ATOM}name")) for a in entry.findall(f"{_ATOM}author")]
        doi = _text(entry.find(f"{_ARXIV_NS}doi")) or None
        if doi and not re.match(DOI_PATTERN, doi):
            doi = None
        journal = _text(entry.find(f"{_ARXIV_NS}journal_ref"))
        fields = ["title", "authors", "year", "arxiv"] + (["doi"] if doi else [])
        return Fetched(
            source="arxiv",
            title=_text(entry.find(f"{_ATOM}title")).rstrip("."),
            authors=[a for a in authors if a],
            year=int(published[:4]) if published[:4].isdigit() else 0,
            venue=short_venue(journal) if journal else "arXiv",
            doi=doi,
            arxiv=found.group(1),
            landing=f"https://arxiv.org/abs/{found.group(1)}",
            fields=fields,
        )
    raise NotFoundError(f"arXiv knows no paper {wanted!r}")


def short_venue(container: str) -> str:
    """``2021 IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)`` -> ``CVPR``."""
    low = container.casefold()
    for words, short in _VENUES:
        if words in low:
            return short
    return container


def parse_crossref(data: bytes, wanted: str) -> Fetched:
    """A Crossref ``/works/<doi>`` answer as record fields."""
    try:
        work = json.loads(data)["message"]
    except (ValueError, KeyError, TypeError):
        raise OfflineError("Crossref answered something that is not a work record") from None

    def strip_tags(text: str) -> str:
        return " ".join(re.sub(r"<[^>]+>", "", text).split())

    title = strip_tags(" ".join(work.get("title") or []))
    authors = []
    for person in work.get("author") or []:
        name = " ".join(x for x in (person.get("given"), person.get("family")) if x) or person.get("name")
        if name:
            authors.append(" ".join(name.split()))
    year = 0
    for key in ("issued", "published", "published-print", "published-online", "created"):
        parts = (work.get(key) or {}).get("date-parts") or [[None]]
        if parts and parts[0] and parts[0][0]:
            year = int(parts[0][0])
            break
    container = strip_tags(" ".join(work.get("container-title") or [])) or None
    # Crossref lowercases DOIs; they are case-insensitive, so keep the form asked for.
    doi = str(work.get("DOI") or wanted)
    doi = wanted if doi.casefold() == wanted.casefold() else doi
    return Fetched(
        source="crossref",
        title=title.rstrip("."),
        authors=authors,
        year=year,
        venue=short_venue(container) if container else None,
        doi=doi,
        landing=f"https://doi.org/{doi}",
        fields=["title", "authors", "year", "doi"] + (["venue"] if container else []),
    )


def fetch_arxiv(arxiv: str, client: Client | None = None) -> Fetched:
    arxiv = clean_arxiv(arxiv)
    client = client or Client()
    url = f"{api_base('arxiv')}?{urllib.parse.urlencode({'id_list': arxiv, 'max_results': 1})}"
    return parse_arxiv(client.get("arxiv", url), arxiv)


def fetch_crossref(doi: str, client: Client | None = None) -> Fetched:
    doi = clean_doi(doi)
    client = client or Client()
    url = f"{api_base('crossref')}/works/{urllib.parse.quote(doi, safe='/')}"
    return parse_crossref(client.get("crossref", url), doi)


def clean_arxiv(value: str) -> str:
    value = re.sub(r"^(?:arxiv:|https?://arxiv\.org/(?:abs|pdf)/)", "", value.strip(), flags=re.I)
    value = value.removesuffix(".pdf")
    if not re.match(ARXIV_PATTERN, value):
        raise UsageError(f"{value!r} is not an arXiv id such as 1802.01436")
    return value


def clean_doi(value: str) -> str:
    value = re.sub(r"^(?:doi:|https?://(?:dx\.)?doi\.org/)", "", value.strip(), flags=re.I)
    if not re.match(DOI_PATTERN, value):
        raise UsageError(f"{value!r} is not a DOI such as 10.1109/CVPR46437.2021.01453")
    return value


# -- kb add ----------------------------------------------------------------------------------
_STUB_HEADER = (
    "# Written by `lic-bench kb add` from {source} on {date}.\n"
    "# TODO: components, builds_on, code and notes in your own words (papers/_template.yaml);\n"
    "# check venue and year against the publisher's page.\n"
)


def stub_verified(found: Fetched, today: _dt.date) -> dict[str, Any]:
    """The stub's ``verified:`` block: the API's landing page for the fields it shows,
    a reason for the rest a record must cover (lic_bench.kb._verified)."""
    shown = [f for f in found.fields if f in ("title", "authors", "year", "venue", "doi", "arxiv")]
    fields = {f: found.landing for f in shown}
    unverified = {}
    for f in ("title", "authors", "year", "venue"):
        if f not in fields:
            unverified[f] = f"the {found.source} API does not show it; check the publisher's page"
    # A preprint's no_published_version is left for the person who searches for one:
    # `kb validate` asks for it.
    return {"date": today, "fields": fields, "unverified": unverified}


def stub_record(found: Fetched, pid: str, today: _dt.date | None = None) -> dict[str, Any]:
    """A record dict in template field order, ``verified`` by the API it came from."""
    record: dict[str, Any] = {
        "id": pid,
        "title": found.title,
        "authors": found.authors,
        "year": found.year,
        "venue": found.venue,
        "doi": found.doi,
        "arxiv": found.arxiv,
        "url": None,
        "components": [],
        "uses": [],
        "builds_on": [],
        "code": [],
        "notes": None,
        "aliases": [],
        "verified": stub_verified(found, today or _dt.date.today()),
        "surveys": {},
        "claims": [],
    }
    assert tuple(record) == PAPER_FIELDS, "stub fields must follow the template"
    return record


def duplicate_of(kb: KnowledgeBase, *, arxiv: str | None = None, doi: str | None = None,
                 title: str | None = None, pid: str | None = None) -> str | None:
    """Why a paper would duplicate a record (same id or former id, DOI, arXiv id, title)."""
    if pid is not None and kb.resolve(pid) is not None:
        which = "id" if pid in kb.papers else f"former id of {kb.resolve(pid)}"
        return f"{pid!r} is already a record's {which}"
    index = _DuplicateIndex()
    for paper in kb.papers.values():
        index.add(f"papers/{paper.id}.yaml", paper.doi, paper.arxiv, paper.title)
    return index.find(doi, arxiv, title or "")


def add_paper(
    kb: KnowledgeBase,
    root: Path,
    *,
    arxiv: str | None = None,
    doi: str | None = None,
    pid: str | None = None,
    client: Client | None = None,
    dry_run: bool = False,
) -> tuple[str, Path, dict[str, Any]]:
    """Fetch one paper and write ``papers/<id>.yaml``; (id, path, record). Refuses duplicates."""
    if (arxiv is None) == (doi is None):
        raise UsageError("give exactly one of --arxiv ID or --doi DOI")
    if pid is not None and not re.match(ID_PATTERN, pid):
        raise UsageError(f"--id {pid!r} is not a kebab-case id")
    if arxiv is not None:
        arxiv = clean_arxiv(arxiv)
        clash = duplicate_of(kb, arxiv=arxiv, pid=pid)
    else:
        doi = clean_doi(doi or "")
        clash = duplicate_of(kb, doi=doi, pid=pid)
    if clash:  # refuse before asking the network
        raise UsageError(f"refused: duplicate ({clash})")
    found = fetch_arxiv(arxiv, client) if arxiv is not None else fetch_crossref(doi or "", client)
    clash = duplicate_of(kb, arxiv=found.arxiv, doi=found.doi, title=found.title)
    if clash:
        raise UsageError(f"refused: duplicate ({clash})")
    papers_dir = Path(root) / "papers"
    taken = set(kb.papers) | set(kb.aliases) | {p.stem for p in papers_dir.glob("*.yaml")}
    pid = pid or make_paper_id(found.authors, found.year, found.title, taken)
    record = stub_record(found, pid)
    try:
        Paper.model_validate(record)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise UsageError(f"refused: the {found.source} answer makes no valid record ({where}: {first['msg']})") from None
    path = papers_dir / f"{pid}.yaml"
    if not dry_run:
        papers_dir.mkdir(parents=True, exist_ok=True)
        text = _STUB_HEADER.format(source=found.landing, date=record["verified"]["date"])
        text += yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=100)
        try:
            with path.open("x", encoding="utf-8") as fh:  # never overwrite
                fh.write(text)
        except FileExistsError:
            raise UsageError(f"refused: {path} exists") from None
    return pid, path, record


# -- kb check --online -----------------------------------------------------------------------
@dataclass
class Mismatch:
    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


def check_requests(kb: KnowledgeBase) -> list[tuple[str, str, str]]:
    """``(paper id, service, identifier)`` for every identifier a record holds."""
    todo = []
    for paper in kb.papers.values():
        if paper.arxiv:
            todo.append((paper.id, "arxiv", paper.arxiv))
        if paper.doi:
            todo.append((paper.id, "crossref", paper.doi))
    return todo


def looked_up(
    kb: KnowledgeBase, client: Client, advance: Callable[[str], None] | None = None
) -> Iterator[tuple[str, str, str, Fetched | None]]:
    """``(paper id, service, id, what the service says)`` for each of :func:`check_requests`;
    None where the service knows no such id. ``advance(pid)`` after each request."""
    for pid, service, ident in check_requests(kb):
        try:
            found = fetch_arxiv(ident, client) if service == "arxiv" else fetch_crossref(ident, client)
        except NotFoundError:
            found = None
        finally:
            if advance is not None:
                advance(pid)
        yield pid, service, ident, found


def check_online(
    kb: KnowledgeBase, client: Client | None = None, advance: Callable[[str], None] | None = None
) -> Iterator[Mismatch]:
    """Ask arXiv / Crossref about each record's ids; yield one :class:`Mismatch` per disagreement.

    An id the service does not know and a title that differs (compared letters and
    digits only, case and accents folded) are mismatches; records without an arXiv id
    or DOI are one mismatch each (nothing to check them against). Raises
    :class:`OfflineError` at the first request that cannot reach a service.
    """
    client = client or Client()
    for pid, service, ident, found in looked_up(kb, client, advance):
        paper = kb.papers[pid]
        rel = f"papers/{pid}.yaml"
        key = "arxiv" if service == "arxiv" else "doi"
        where = "arXiv" if service == "arxiv" else "Crossref"
        if found is None:
            yield Mismatch(rel, key, f"{where} knows no {ident!r}")
        elif normalize_title(found.title) != normalize_title(paper.title):
            yield Mismatch(rel, "title", f"{where} has {found.title!r} for {ident} (record: {paper.title!r})")
    for paper in kb.papers.values():
        if not (paper.arxiv or paper.doi):
            yield Mismatch(f"papers/{paper.id}.yaml", "-", "no arXiv id or DOI to check against")
