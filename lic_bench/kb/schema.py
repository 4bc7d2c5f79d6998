"""Record schemas of the knowledge base: taxonomy nodes and paper records.

The models are strict (``extra="forbid"``) so that a misspelt field in a YAML
record is reported instead of silently ignored. Cross-record checks (unknown
component ids, ``builds_on`` cycles, file names) live in :mod:`lic_bench.kb.validate`.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

#: kebab-case id: lowercase ASCII letters and digits separated by single hyphens.
ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
#: a DOI as registered (without the https://doi.org/ prefix).
DOI_PATTERN = r"^10\.\d{4,9}/\S+$"
#: a bare arXiv id: new style ``1802.01436`` (optional version) or old style ``cs/0601001``.
ARXIV_PATTERN = r"^(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$"
#: an http(s) URL without the characters RFC 3986 never allows unencoded (quotes,
#: angle brackets, braces, backslash, backtick, spaces): they only serve to break
#: out of the HTML attribute or Markdown link the URL is written into.
URL_PATTERN = r"^https?://[^\s<>\"'`{}|\\^]+$"

# A script URL anywhere in a record's text. Browsers drop tabs and newlines inside a
# URL (WHATWG URL), so "java\tscript:" counts too.
_SCRIPT_URL = re.compile(r"(?i)\b(?:java|vb|live)[\s\x00-\x1f]*script[\s\x00-\x1f]*:")
# A Markdown link (inline ``](dest`` or reference ``[x]: dest``) to a scheme other than
# http(s) or mailto, e.g. ``data:text/html,...``.
_OTHER_SCHEME_LINK = re.compile(
    r"(?im)(?:\]\(|^[ ]{0,3}\[[^\]\n]+\]:)[\s<]*(?!https?:|mailto:)([a-z][a-z0-9+.\-]*):"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

MIN_YEAR = 1900


def max_year() -> int:
    """Latest acceptable publication year: next year (accepted papers appear early)."""
    return _dt.date.today().year + 1


def _strings(value: object):
    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)


class _Strict(BaseModel):
    """Base of every record model: unknown fields, coerced types and script URLs are errors.

    ``strict`` makes ``year: "2018"`` an error instead of silently turning the string
    into a number: a record says what it means.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, strict=True)

    @field_validator("*")
    @classmethod
    def _safe_text(cls, value: object) -> object:
        # Records are rendered into web pages: refuse what only serves to run script there.
        for text in _strings(value):
            if (bad := _CONTROL.search(text)) is not None:
                raise ValueError(f"holds a control character (U+{ord(bad.group(0)):04X})")
            if _SCRIPT_URL.search(text):
                raise ValueError(
                    "holds a script URL (javascript:); records may link only to http(s) addresses"
                )
            if (link := _OTHER_SCHEME_LINK.search(text)) is not None:
                raise ValueError(
                    f"links to a {link.group(1).lower()}: URL; records may link only to http(s) addresses"
                )
        return value


class TaxonomyNode(_Strict):
    """One node as written in ``taxonomy/<area>.yaml``."""

    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    parent: str | None = None
    summary: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    #: Registry names (kebab-case ids) of the node's implementations.
    implementations: list[Annotated[str, Field(pattern=ID_PATTERN)]] = Field(default_factory=list)
    #: ``seed`` for the nodes of the first thesis' taxonomy (ch. 5) and the leaves
    #: the benchmark needs; ``beyond-seed`` for branches the thesis does not cover.
    origin: Literal["seed", "beyond-seed"] = "seed"
    #: Paper ids that define the node (required for ``beyond-seed`` nodes).
    defining_papers: list[str] = Field(default_factory=list)


class TaxonomyFile(_Strict):
    """A whole ``taxonomy/<area>.yaml``: the area id and its nodes (area first)."""

    area: str = Field(pattern=ID_PATTERN)
    nodes: list[TaxonomyNode] = Field(min_length=1)


class Component(TaxonomyNode):
    """A taxonomy node once loaded: the node plus the id of its top-level area."""

    area: str


#: Record fields a ``verified:`` entry can vouch for.
VERIFIABLE = ("title", "authors", "year", "venue", "doi", "arxiv", "url", "code")


#: Field names a ``verified:`` block may use as keys.
VerifiableField = Literal[VERIFIABLE]  # type: ignore[valid-type]


class Verified(_Strict):
    """Per field, the primary source that shows its value, or why none could (KB-SCHEMA.md).

    ``fields`` maps a record field to the URL of the primary source that shows its value
    (the allowlist is :mod:`lic_bench.kb.sources`); ``unverified`` maps a field to the
    reason no primary source reachable at check time confirmed it. ``no_published_version``
    is the date a venue-arXiv record from 2023 on was last searched for a conference or
    journal version, none found. Rules that need the record itself (coverage, non-empty
    fields, primary sources) are checked by :mod:`lic_bench.kb._verified`.
    """

    date: _dt.date
    fields: dict[VerifiableField, str] = Field(default_factory=dict)
    unverified: dict[VerifiableField, str] = Field(default_factory=dict)
    no_published_version: _dt.date | None = None

    @field_validator("fields")
    @classmethod
    def _source_urls(cls, value: dict[str, str]) -> dict[str, str]:
        for key, url in value.items():
            if not re.match(URL_PATTERN, url):
                raise ValueError(f"{key}: not an http(s) URL: {url!r}")
        return value

    @field_validator("unverified")
    @classmethod
    def _reasons(cls, value: dict[str, str]) -> dict[str, str]:
        for key, reason in value.items():
            if not reason.strip():
                raise ValueError(f"{key}: give the reason it could not be verified")
        return value


class SurveyView(_Strict):
    """What one survey (itself a paper record) says about a paper.

    Only the facts where the survey differs from the record are given: ``year``
    and ``components`` are null when the survey agrees with the record.
    """

    year: int | None = None
    components: list[str] | None = None
    #: The survey's tables that list the paper, e.g. ["5.6", "5.3"].
    tables: list[str] = Field(default_factory=list)
    note: str | None = None


#: Metrics a claimed BD-rate can be measured on (results keys, see lic_bench.rd.curves).
CLAIM_METRICS = ("psnr-rgb", "ms-ssim-rgb", "psnr-y", "ms-ssim-y")


class Claim(_Strict):
    """A BD-rate a paper states for its codec, as printed, with what it is measured against.

    ``lic-bench rd claims`` recomputes it from the published points (``results/reported``)
    against the same anchor and version; a claim is data, never a measurement of ours.
    """

    #: results name of the curve the claim is about (e.g. ``tcm-large``); one model version.
    codec: str = Field(pattern=ID_PATTERN)
    #: the stated BD-rate in percent; negative = fewer bits than the anchor.
    bd_rate: float
    #: results name of the anchor (``vtm``, ``bpg444``, ``he2022-elic``, ...).
    anchor: str = Field(pattern=ID_PATTERN)
    #: the anchor's version as the paper states it (``"12.1"`` for VTM-12.1); null if unstated.
    anchor_version: str | None = None
    #: dataset name (``kodak``, ``clic2020-pro-valid``, ``tecnick``, ...); several when the
    #: paper states one figure over datasets (see ``over_datasets``); ``unstated`` when the
    #: paper names none (the claim is kept, and cannot be recomputed).
    dataset: str | list[str]
    #: with several datasets: ``mean`` (one figure averaged over them) or ``best`` (the paper
    #: says "up to": the largest saving among them).
    over_datasets: Literal["mean", "best"] = "mean"
    metric: Literal[CLAIM_METRICS] = "psnr-rgb"  # type: ignore[valid-type]
    #: where the paper states it: "Table 2", "abstract", "Section 4.2", "README".
    where: str = Field(min_length=1)
    #: the page the number was read on (arXiv abstract/HTML, proceedings, repository).
    source: str = Field(pattern=URL_PATTERN)
    note: str | None = None

    @field_validator("dataset")
    @classmethod
    def _dataset_ids(cls, value: str | list[str]) -> str | list[str]:
        names = [value] if isinstance(value, str) else value
        if not names:
            raise ValueError("names no dataset")
        for name in names:
            if not re.match(ID_PATTERN, name):
                raise ValueError(f"not a kebab-case dataset name: {name!r}")
        return value

    @field_validator("bd_rate")
    @classmethod
    def _plausible(cls, value: float) -> float:
        if not -100.0 < value < 1000.0:
            raise ValueError(f"{value} is not a BD-rate in percent (-100 < x < 1000)")
        return value


class Paper(_Strict):
    """One paper record, ``papers/<id>.yaml`` (see ``papers/_template.yaml``).

    Reported rate-distortion numbers are not part of the record; they live in
    ``results/reported/`` with their source.
    """

    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    authors: list[str] = Field(min_length=1)
    year: int
    venue: str | None = None
    doi: str | None = Field(default=None, pattern=DOI_PATTERN)
    arxiv: str | None = Field(default=None, pattern=ARXIV_PATTERN)
    url: str | None = Field(default=None, pattern=URL_PATTERN)
    components: list[str] = Field(default_factory=list)
    #: Components the paper's method relies on without contributing them (see
    #: ``KnowledgeBase.uses`` for what it also inherits through ``builds_on``).
    uses: list[str] = Field(default_factory=list)
    builds_on: list[str] = Field(default_factory=list)
    code: list[str] = Field(default_factory=list)
    notes: str | None = None
    #: Former ids of this record (renamed when its id's year was wrong); they
    #: still resolve in queries, BibTeX and the site.
    aliases: list[str] = Field(default_factory=list)
    verified: Verified | None = None
    #: survey record id -> what that survey says about this paper.
    surveys: dict[str, SurveyView] = Field(default_factory=dict)
    #: BD-rates the paper states for its codecs (see :class:`Claim`).
    claims: list[Claim] = Field(default_factory=list)

    @field_validator("year")
    @classmethod
    def _year_in_range(cls, value: int) -> int:
        if value < MIN_YEAR:
            raise ValueError(f"year {value} is before {MIN_YEAR}")
        if value > max_year():
            raise ValueError(f"year {value} is after {max_year()} (next year)")
        return value

    @field_validator("authors")
    @classmethod
    def _authors_not_blank(cls, value: list[str]) -> list[str]:
        for name in value:
            if not name.strip():
                raise ValueError("author names must not be empty")
        return value

    @field_validator("code")
    @classmethod
    def _code_urls(cls, value: list[str]) -> list[str]:
        for url in value:
            if not re.match(URL_PATTERN, url):
                raise ValueError(f"not an http(s) URL: {url!r}")
        return value

    @field_validator("components", "uses", "builds_on", "aliases")
    @classmethod
    def _ids(cls, value: list[str]) -> list[str]:
        for item in value:
            if not re.match(ID_PATTERN, item):
                raise ValueError(f"not a kebab-case id: {item!r}")
        if len(set(value)) != len(value):
            raise ValueError("lists the same id twice")
        return value


#: Field names of a paper record, in template order.
PAPER_FIELDS: tuple[str, ...] = tuple(Paper.model_fields)
