"""Which results curves are learned codecs, and whether they link to paper records.

Nothing in a results document says "learned" or "classical": anchors (``meta.kind ==
"anchor"``) are classical codecs measured here, and everything the registry runs
(``eval``, ``bench``) is learned, but a *reported* curve is either (CompressAI,
tensorflow-compression and C3 publish JPEG, BPG, VTM… next to the neural codecs). The
importers (``lic_bench.rd.importers``) know it only while reading CompressAI's files
and do not record it. So the curve's name decides: the anchor codecs of
:mod:`lic_bench.codecs` and the names public result files use for classical codecs
(:data:`CLASSICAL_NAME`) are classical; every other curve is a learned codec and must
name its paper record in ``meta.papers``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from lic_bench.kb.problems import Problem, unknown_id_message

if TYPE_CHECKING:
    from lic_bench.kb.base import KnowledgeBase

#: names of classical codecs in public result files (JPEG family, JPEG 2000 as Kakadu or
#: OpenJPEG, BPG/HEVC and its reference HM, VVC and its reference VTM, AV1/AVIF, WebP)
CLASSICAL_NAME = re.compile(
    r"^(jpeg(420|444|2000|xl|-?ai)?|j2k(-.*)?|jp2|bpg(.*)?|x265(-.*)?|hevc(-.*)?|hm(-.*)?|vvc(.*)?|"
    r"vtm(-.*)?|av1|avif(.*)?|webp|png|flif)$"
)


def is_classical(doc: dict[str, Any]) -> bool:
    """Whether a results document is a classical (hand-designed) codec's curve."""
    from lic_bench.codecs import CODECS

    meta = doc.get("meta") if isinstance(doc.get("meta"), dict) else {}
    if meta.get("kind") == "anchor":
        return True
    name = str(doc.get("name") or "")
    return name in CODECS or bool(CLASSICAL_NAME.match(name))


def paper_ids(doc: dict[str, Any]) -> list[str]:
    meta = doc.get("meta") if isinstance(doc.get("meta"), dict) else {}
    value = meta.get("papers") or []
    return [str(v) for v in ([value] if isinstance(value, str) else value)]


def link_problems(kb: KnowledgeBase, docs: list[dict[str, Any]], prefix: str = "results/") -> list[Problem]:
    """Curves that name a paper the knowledge base does not hold, and learned *reported*
    curves that name none. Former ids count as the record they now name."""
    problems = []
    known = {pid: [p.title, *p.aliases] for pid, p in kb.papers.items()}
    for doc in docs:
        where = prefix + str(doc.get("_path") or doc.get("name") or "?")
        named = paper_ids(doc)
        for pid in named:
            if kb.resolve(pid) is None:
                problems.append(Problem(where, "meta.papers", unknown_id_message("paper", pid, known)))
        meta = doc.get("meta") if isinstance(doc.get("meta"), dict) else {}
        if not named and meta.get("kind") == "reported" and not is_classical(doc):
            problems.append(
                Problem(where, "meta.papers", f"learned codec {doc.get('name')!r} names no paper record")
            )
    return sorted(problems)
