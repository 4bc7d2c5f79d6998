"""The knowledge base: taxonomy components, paper records and queries over them.

Reads ``taxonomy/*.yaml`` and ``papers/*.yaml`` (see ``papers/_template.yaml``)
into pydantic records, checks them across records, and answers the questions
the CLI and the site ask: which papers use a component, publication trends,
the citation graph, BibTeX. Imports no torch.

    >>> kb = load_kb()
    >>> [p.id for p in kb.papers_using("non-linearity")][:2]
"""

from typing import TYPE_CHECKING

from lic_bench.kb.base import KnowledgeBase, load_kb, validate_kb
from lic_bench.kb.graph import GRAPH_FORMATS, build_graph, read_graph, write_graph
from lic_bench.kb.problems import KnowledgeBaseError, Problem, UnknownIdError
from lic_bench.kb.queries import components_table, papers_table, trends
from lic_bench.kb.schema import Component, Paper

if TYPE_CHECKING:
    from lic_bench.kb.bibtex import (
        ImportReport,
        import_bibtex,
        kb_bibtex,
        make_paper_id,
        paper_bibtex,
    )

# BibTeX needs bibtexparser, which a query does not: imported on first use (kb commands
# start faster).
_BIBTEX = {"ImportReport", "import_bibtex", "kb_bibtex", "make_paper_id", "paper_bibtex"}


def __getattr__(name: str):
    if name in _BIBTEX:
        from lic_bench.kb import bibtex

        return getattr(bibtex, name)
    raise AttributeError(f"module 'lic_bench.kb' has no attribute {name!r}")

__all__ = [
    "GRAPH_FORMATS",
    "Component",
    "ImportReport",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Paper",
    "Problem",
    "UnknownIdError",
    "build_graph",
    "components_table",
    "import_bibtex",
    "kb_bibtex",
    "load_kb",
    "make_paper_id",
    "paper_bibtex",
    "papers_table",
    "read_graph",
    "trends",
    "validate_kb",
    "write_graph",
]
