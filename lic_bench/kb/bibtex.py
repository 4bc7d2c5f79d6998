"""BibTeX export of paper records and import of BibTeX entries as record stubs.

Uses bibtexparser 2 (``parse_string``/``write_string``, ``Library``,
``model.Entry``/``model.Field``) and pylatexenc (its dependency) to turn LaTeX in
imported fields into plain text. The entry key is always the paper id.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import bibtexparser
import yaml
from bibtexparser import Library, model
from pydantic import ValidationError

from lic_bench.kb.schema import ARXIV_PATTERN, DOI_PATTERN, Paper, max_year

if TYPE_CHECKING:
    from lic_bench.kb.base import KnowledgeBase

#: title words that never start a paper id (COMMON.md's id rule)
STOPWORDS = frozenset(
    "a an the on of for with and to in using via through".split()
)
_JOURNAL_WORDS = (
    "journal", "transactions", "trans.", "letters", "magazine", "ieee access",
    "foundations and trends", "signal processing: image", "review",
)
#: Journals whose name holds none of the words above; matched as the whole venue.
_JOURNAL_NAMES = frozenset({
    "signal processing", "pattern recognition", "multimedia systems", "entropy",
    "expert systems with applications", "engineering applications of artificial intelligence",
    "neurocomputing", "neural networks", "information sciences", "sensors", "electronics",
    "applied sciences", "remote sensing",
})
_PARTICLES = frozenset("van von der den de da di du del della le la ten ter".split())
_LATEX_SPECIALS = re.compile(r"([&%$#_])")
_ASCII_EXTRA = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ß": "ss", "đ": "d",
                              "Đ": "D", "æ": "ae", "Æ": "AE", "œ": "oe", "ı": "i"})


# -- export ----------------------------------------------------------------------------------
def entry_type(venue: str | None) -> str:
    """The BibTeX entry type that fits a venue string (see papers/_template.yaml)."""
    text = (venue or "").casefold()
    if not text or "arxiv" in text or "preprint" in text:
        return "misc"
    if "thesis" in text or "dissertation" in text:
        if "phd" in text or "doctoral" in text or "dissertation" in text:
            return "phdthesis"
        return "mastersthesis"
    if text.strip() in _JOURNAL_NAMES or any(word in text for word in _JOURNAL_WORDS):
        return "article"
    return "inproceedings"


def _school(venue: str) -> str:
    """``TU Wien (Master's thesis)`` -> ``TU Wien``."""
    return re.sub(r"\s*\([^)]*thesis[^)]*\)\s*", " ", venue, flags=re.IGNORECASE).strip() or venue


def _protect(title: str) -> str:
    """Escape LaTeX specials and brace words with inner capitals (acronyms) against lowercasing."""
    out = []
    for token in _LATEX_SPECIALS.sub(r"\\\1", title).split(" "):
        core = re.match(r"^([(\"']*)(.*?)([)\"'.,:;!?]*)$", token)
        lead, word, trail = core.groups() if core else ("", token, "")
        if any(ch.isupper() for ch in word[1:]) and "\\" not in word:
            word = "{" + word + "}"
        out.append(lead + word + trail)
    return " ".join(out)


def _entry(paper: Paper) -> model.Entry:
    kind = entry_type(paper.venue)
    fields = [
        model.Field("author", " and ".join(paper.authors)),
        model.Field("title", _protect(paper.title)),
        model.Field("year", str(paper.year)),
    ]
    if paper.venue:
        venue_field = {
            "article": "journal",
            "inproceedings": "booktitle",
            "mastersthesis": "school",
            "phdthesis": "school",
        }.get(kind, "howpublished")
        value = _school(paper.venue) if venue_field == "school" else paper.venue
        fields.append(model.Field(venue_field, _LATEX_SPECIALS.sub(r"\\\1", value)))
    if paper.doi:
        fields.append(model.Field("doi", paper.doi))
    if paper.arxiv:
        fields += [model.Field("eprint", paper.arxiv), model.Field("archiveprefix", "arXiv")]
    if paper.url:
        fields.append(model.Field("url", paper.url))
    if paper.aliases:
        # biblatex resolves a citation of any key listed in `ids` to this entry.
        fields.append(model.Field("ids", ", ".join(paper.aliases)))
    return model.Entry(kind, paper.id, fields)


def _alias_entry(paper: Paper, alias: str) -> model.Entry:
    """A copy of ``paper``'s entry under a former key, for BibTeX (which knows no ``ids``)."""
    entry = _entry(paper)
    fields = [f for f in entry.fields if f.key != "ids"]
    fields.append(model.Field("note", f"Former key of {paper.id}"))
    return model.Entry(entry.entry_type, alias, fields)


#: how former ids (aliases) appear in an export: an ``ids`` field (biblatex), or
#: that plus one copy of the entry per former key (plain BibTeX; biber warns about
#: such duplicates, so the copies are opt-in)
ALIAS_STYLES = ("ids", "entries")


def papers_bibtex(papers: Iterable[Paper], aliases: str = "ids") -> str:
    if aliases not in ALIAS_STYLES:
        raise ValueError(f"aliases must be one of {ALIAS_STYLES}, not {aliases!r}")
    library = Library()
    copies = []
    for paper in papers:
        library.add(_entry(paper))
        if aliases == "entries":
            copies += [_alias_entry(paper, alias) for alias in paper.aliases]
    for entry in copies:
        library.add(entry)
    return bibtexparser.write_string(library)


def paper_bibtex(paper: Paper) -> str:
    """One BibTeX entry for ``paper``, key = paper id (former ids in ``ids``)."""
    return papers_bibtex([paper])


def kb_bibtex(kb: KnowledgeBase, aliases: str = "ids") -> str:
    """BibTeX for every paper of the knowledge base, by year then id.

    Former ids stay citable: every entry lists them in biblatex's ``ids`` field, and
    with ``aliases="entries"`` each also gets a copy of the entry under its old key.
    """
    return papers_bibtex(kb.papers.values(), aliases=aliases)


# -- ids and duplicate keys -----------------------------------------------------------------
def ascii_fold(text: str) -> str:
    text = text.translate(_ASCII_EXTRA)
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def _surname(author: str) -> str:
    parts = [p for p in re.split(r"\s+", author.strip()) if p]
    while len(parts) > 1 and parts[-1].rstrip(".").casefold() in {"jr", "sr", "ii", "iii"}:
        parts.pop()
    if not parts:
        return ""
    # Lowercase particles belong to the surname: "Aäron van den Oord" -> "van den Oord".
    start = len(parts) - 1
    while start > 1 and parts[start - 1] in _PARTICLES:
        start -= 1
    return "".join(parts[start:])


def title_words(title: str) -> list[str]:
    """Significant title words for ids: lowercase ASCII, hyphens kept, stopwords dropped."""
    words = []
    for raw in ascii_fold(title).casefold().split():
        word = re.sub(r"[^a-z0-9-]", "", raw).strip("-")
        word = re.sub(r"-{2,}", "-", word)
        if word and word not in STOPWORDS:
            words.append(word)
    return words


def make_paper_id(authors: list[str], year: int, title: str, taken: set[str] | frozenset = frozenset()) -> str:
    """``<surname><year>-<first significant title word>``, growing on a collision."""
    surname = re.sub(r"[^a-z0-9]", "", ascii_fold(_surname(authors[0]) if authors else "").casefold())
    words = title_words(title) or ["untitled"]
    base = f"{surname or 'anonymous'}{year}"
    for n in range(1, len(words) + 1):
        candidate = base + "-" + "-".join(words[:n])
        if candidate not in taken:
            return candidate
    n = 2
    while f"{candidate}-{n}" in taken:
        n += 1
    return f"{candidate}-{n}"


def normalize_title(title: str) -> str:
    return re.sub(r"[^a-z0-9]", "", ascii_fold(title).casefold())


def _norm_arxiv(arxiv: str) -> str:
    return re.sub(r"v\d+$", "", arxiv.strip())


class _DuplicateIndex:
    """Where a DOI, arXiv id or normalized title is already recorded."""

    def __init__(self) -> None:
        self._keys: dict[tuple[str, str], str] = {}

    def add(self, where: str, doi: str | None, arxiv: str | None, title: str) -> None:
        for key in self._keys_of(doi, arxiv, title):
            self._keys.setdefault(key, where)

    def find(self, doi: str | None, arxiv: str | None, title: str) -> str | None:
        labels = {"doi": "same DOI", "arxiv": "same arXiv id", "title": "same title"}
        for key in self._keys_of(doi, arxiv, title):
            if key in self._keys:
                return f"{labels[key[0]]} as {self._keys[key]}"
        return None

    @staticmethod
    def _keys_of(doi: str | None, arxiv: str | None, title: str) -> list[tuple[str, str]]:
        keys = []
        if doi:
            keys.append(("doi", doi.casefold()))
        if arxiv:
            keys.append(("arxiv", _norm_arxiv(arxiv)))
        if normalize_title(title):
            keys.append(("title", normalize_title(title)))
        return keys


# -- import ----------------------------------------------------------------------------------
@dataclass
class ImportReport:
    """What :func:`import_bibtex` did: files written (or that would be) and refusals."""

    created: list[tuple[str, Path]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    dry_run: bool = False


def _latex_to_text(value: str) -> str:
    from pylatexenc.latex2text import LatexNodes2Text

    text = LatexNodes2Text(math_mode="verbatim").latex_to_text(value)
    return re.sub(r"\s+", " ", text).strip()


def _person(name: str) -> str:
    """``Ballé, Johannes`` -> ``Johannes Ballé``; ``First Last`` stays."""
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 2:
        return f"{parts[1]} {parts[0]}".strip()
    if len(parts) == 3:  # von Last, Jr, First
        return f"{parts[2]} {parts[0]} {parts[1]}".strip()
    return name.strip()


def _arxiv_of(fields: dict[str, str]) -> str | None:
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").casefold()
    if fields.get("eprint") and prefix in ("arxiv", ""):
        candidate = fields["eprint"].removeprefix("arXiv:").strip()
        if re.match(ARXIV_PATTERN, candidate):
            return candidate
    for key in ("journal", "url", "howpublished", "note"):
        hit = re.search(r"arxiv(?:\.org/(?:abs|pdf)/|:\s*|\s+)(\d{4}\.\d{4,5})(v\d+)?", fields.get(key, ""), re.I)
        if hit:
            return hit.group(1)
    return None


def _venue_of(kind: str, fields: dict[str, str], arxiv: str | None) -> str | None:
    if kind == "mastersthesis" and fields.get("school"):
        return f"{fields['school']} (Master's thesis)"
    if kind == "phdthesis" and fields.get("school"):
        return f"{fields['school']} (PhD thesis)"
    for key in ("journal", "booktitle", "howpublished", "publisher"):
        value = fields.get(key)
        if value and not (key != "journal" and value.casefold().startswith("http")):
            if re.match(r"^arxiv", value, re.I):
                return "arXiv"
            return value
    return "arXiv" if arxiv else None


def entry_to_record(entry: model.Entry) -> dict:
    """A paper-record dict (without ``id``) from one parsed BibTeX entry; raises ValueError."""
    raw = {k.casefold(): v.value for k, v in entry.fields_dict.items()}
    fields = {k: (v if k in ("url", "doi", "eprint") else _latex_to_text(v)) for k, v in raw.items()}
    for needed in ("title", "author", "year"):
        if not fields.get(needed):
            raise ValueError(f"missing {needed}")
    match = re.search(r"\d{4}", fields["year"])
    year = int(match.group()) if match else 0
    if not 1900 <= year <= max_year():
        raise ValueError(f"year {fields['year']!r} is not between 1900 and {max_year()}")
    authors = [_person(a) for a in re.split(r"\s+and\s+", fields["author"]) if a.strip()]
    doi = fields.get("doi", "").strip()
    doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", "", doi, flags=re.I) or None
    if doi and not re.match(DOI_PATTERN, doi):
        doi = None
    arxiv = _arxiv_of(fields)
    url = fields.get("url", "").strip() or None
    if url and not re.match(r"^https?://\S+$", url):
        url = None
    return {
        "title": fields["title"].rstrip("."),
        "authors": authors,
        "year": year,
        "venue": _venue_of(entry.entry_type.casefold(), fields, arxiv),
        "doi": doi,
        "arxiv": arxiv,
        "url": url,
        "components": [],
        "builds_on": [],
        "code": [],
        "notes": None,
    }


_STUB_HEADER = (
    "# Imported from BibTeX by `lic-bench kb bibtex import`.\n"
    "# TODO: add taxonomy components, builds_on and notes (see papers/_template.yaml).\n"
)


def _stub_text(record: dict) -> str:
    return _STUB_HEADER + yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=100)


def import_bibtex(text: str, root: Path, kb: KnowledgeBase, dry_run: bool = False) -> ImportReport:
    """Create ``papers/<id>.yaml`` stubs for entries not yet in ``kb``.

    An entry is refused (one message each) when its DOI, arXiv id or normalized
    title matches a paper already recorded or an earlier entry of the same
    file, or when it cannot be read. Existing files are never overwritten.
    """
    report = ImportReport(dry_run=dry_run)
    library = bibtexparser.parse_string(text)
    for block in library.failed_blocks:
        label = getattr(block, "key", None) or f"block at line {block.start_line + 1}"
        report.refused.append(f"{label}: refused: BibTeX entry could not be parsed")
    index = _DuplicateIndex()
    for paper in kb.papers.values():
        index.add(f"papers/{paper.id}.yaml", paper.doi, paper.arxiv, paper.title)
    papers_dir = Path(root) / "papers"
    taken = set(kb.papers) | set(kb.aliases) | {p.stem for p in papers_dir.glob("*.yaml")}
    for entry in library.entries:
        try:
            record = entry_to_record(entry)
        except ValueError as exc:
            report.refused.append(f"{entry.key}: refused: {exc}")
            continue
        clash = index.find(record["doi"], record["arxiv"], record["title"])
        if clash:
            report.refused.append(f"{entry.key}: refused: duplicate ({clash})")
            continue
        pid = make_paper_id(record["authors"], record["year"], record["title"], taken)
        record = {"id": pid, **record}
        try:
            Paper.model_validate(record)  # a stub we write must itself validate
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(x) for x in first["loc"])
            report.refused.append(f"{entry.key}: refused: {where}: {first['msg']}")
            continue
        path = papers_dir / f"{pid}.yaml"
        if not dry_run:
            papers_dir.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8") as fh:  # "x": never overwrite
                fh.write(_stub_text(record))
        taken.add(pid)
        index.add(f"{entry.key} (this file)", record["doi"], record["arxiv"], record["title"])
        report.created.append((pid, path))
    return report
