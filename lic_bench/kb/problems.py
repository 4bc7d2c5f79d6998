"""Problems found while loading or checking the knowledge base."""

from __future__ import annotations

from dataclasses import dataclass

from lic_bench.errors import LicBenchError, UsageError


@dataclass(frozen=True, order=True)
class Problem:
    """One defect in one record, reported as the line ``file: field: message``.

    ``file`` is relative to the project root (``papers/x.yaml``); ``field`` names
    the field (``components``, ``authors.0``, ``gdn.parent``) or ``-`` when the
    whole file is concerned.
    """

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


class KnowledgeBaseError(LicBenchError):
    """The knowledge base has problems; ``problems`` holds all of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "; ".join(str(p) for p in problems[:3])
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        super().__init__(
            f"knowledge base has {len(problems)} problem(s): {shown}{more}; "
            "run `lic-bench kb validate` for the full list"
        )


class UnknownIdError(UsageError, LookupError):
    """A component or paper id that the knowledge base does not hold."""


def unknown_id_message(kind: str, wanted: str, known: dict[str, list[str]]) -> str:
    """``unknown component 'gnd' (did you mean: gdn, 1dn?)``.

    ``known`` maps each id to extra words (names, aliases) that may be what the
    user typed; matches on those words suggest their id.
    """
    import difflib

    lookup: dict[str, str] = {}
    for cid, words in known.items():
        lookup.setdefault(cid.lower(), cid)
        for word in words:
            lookup.setdefault(word.lower(), cid)
    hits = difflib.get_close_matches(wanted.lower(), list(lookup), n=8, cutoff=0.6)
    substring = [key for key in lookup if wanted.lower() in key and key not in hits]
    suggestions: list[str] = []
    for key in hits + substring:
        cid = lookup[key]
        if cid not in suggestions:
            suggestions.append(cid)
    hint = f" (did you mean: {', '.join(suggestions[:3])}?)" if suggestions else ""
    return f"unknown {kind} {wanted!r}{hint}"
