"""One-off: rewrite old ``verified: {sources, fields, unverified}`` blocks into the per-field
form of issue #25 (KB-SCHEMA.md). Mechanical, no look-ups: each claimed field takes the
best primary source among the record's old sources; a field whose cited sources are all
non-primary moves to ``unverified`` with that reason. Only the ``verified:`` block of each
file is replaced, as text; every other byte stays as it was.

    python scripts/migrate_verified.py [papers/x.yaml ...]   # default: every record
"""

from __future__ import annotations

import re
import sys
import urllib.parse
from pathlib import Path

import yaml

from lic_bench.kb._verified import is_thesis, required_fields
from lic_bench.kb.schema import VERIFIABLE, Paper
from lic_bench.kb.sources import is_search_url, primary_problem, source_kind

# Preferred source kinds per field (first wins); a source naming the record's own
# identifier beats one that does not.
PREFERENCE = {
    "title": ("arxiv", "proceedings", "publisher", "index", "thesis", "code"),
    "authors": ("arxiv", "proceedings", "publisher", "index", "thesis", "code"),
    "year": ("proceedings", "publisher", "index", "thesis", "arxiv", "code"),
    "venue": ("proceedings", "publisher", "index", "thesis", "arxiv", "code"),
    "doi": ("publisher", "proceedings", "index", "arxiv", "code", "thesis"),
    "arxiv": ("arxiv", "proceedings", "publisher", "index", "code", "thesis"),
    "url": ("proceedings", "publisher", "thesis", "index", "arxiv", "code"),
    "code": ("code", "arxiv", "proceedings", "publisher", "index", "thesis"),
}
BLOCK = re.compile(r"(?m)^verified:[^\n]*\n(?:(?:[ \t]+[^\n]*|[ \t]*)\n)*")


def _host(url: str) -> str:
    return (urllib.parse.urlsplit(url).hostname or url).removeprefix("www.")


def _names_record(url: str, paper: Paper, field: str) -> bool:
    low = url.casefold().rstrip("/")
    if field == "arxiv" or (paper.arxiv and source_kind(url) == "arxiv"):
        return bool(paper.arxiv) and paper.arxiv.split("v")[0] in low
    if field == "code":
        return any(low == c.casefold().rstrip("/") for c in paper.code)
    if field == "url":
        return bool(paper.url) and low == paper.url.casefold().rstrip("/")
    if field == "doi":
        return bool(paper.doi) and paper.doi.casefold() in urllib.parse.unquote(low)
    return True


def best_source(field: str, sources: list[str], paper: Paper) -> str | None:
    thesis = is_thesis(paper)
    ok = [u for u in sources if primary_problem(field, u, thesis=thesis) is None]
    order = PREFERENCE[field]
    ranked = sorted(
        ok, key=lambda u: (not _names_record(u, paper, field), order.index(source_kind(u) or "code"))
    )
    if field in ("arxiv", "code", "url", "doi"):
        ranked = [u for u in ranked if _names_record(u, paper, field)] or (ranked if field != "arxiv" else [])
    return ranked[0] if ranked else None


def _describe(url: str) -> str:
    return f"a search page on {_host(url)}" if is_search_url(url) else _host(url)


def _why_not(field: str, sources: list[str], paper: Paper) -> str:
    """The reason for a claimed field that no cited primary source can vouch for."""
    thesis = is_thesis(paper)
    primary = [u for u in sources if primary_problem(field, u, thesis=thesis) is None]
    if primary:
        hosts = ", ".join(dict.fromkeys(_host(u) for u in primary))
        return f"the cited primary sources ({hosts}) do not show this record's {field}; not re-checked yet"
    hosts = ", ".join(dict.fromkeys(_describe(u) for u in sources)) or "none"
    return f"only a non-primary source was cited ({hosts}); not re-checked yet"


def _is_set(paper: Paper, field: str) -> bool:
    value = getattr(paper, field)
    return value not in (None, "", [])


def convert(paper: Paper, old: dict) -> dict:
    date = old["date"]
    sources = [str(u) for u in old.get("sources") or []]
    claimed = [f for f in old.get("fields") or [] if f not in (old.get("unverified") or [])]
    fields: dict[str, str] = {}
    unverified: dict[str, str] = {}
    for field in VERIFIABLE:
        if field in claimed and _is_set(paper, field):
            url = best_source(field, sources, paper)
            if url is not None:
                fields[field] = url
            else:
                unverified[field] = _why_not(field, sources, paper)
        elif field in (old.get("unverified") or []) or field in claimed:
            if _is_set(paper, field) or field in required_fields(paper):
                unverified[field] = f"no primary source confirmed it in the check of {date}; not re-checked yet"
    for field in required_fields(paper):
        if field not in fields and field not in unverified:
            unverified[field] = f"not covered by the check of {date}; not re-checked yet"
    return {"date": date, "fields": fields, "unverified": unverified}


def render(block: dict) -> str:
    lines = ["verified:", f"  date: {block['date']}"]
    for key in ("fields", "unverified"):
        if block[key]:
            lines.append(f"  {key}:")
            for field in VERIFIABLE:
                if field in block[key]:
                    value = yaml.safe_dump(block[key][field], width=10**6, allow_unicode=True).strip()
                    value = value.removesuffix("\n...").strip()
                    lines.append(f"    {field}: {value}")
        else:
            lines.append(f"  {key}: {{}}")
    if block.get("no_published_version"):
        lines.append(f"  no_published_version: {block['no_published_version']}")
    return "\n".join(lines) + "\n"


def migrate(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    old = data.get("verified")
    if not isinstance(old, dict) or "sources" not in old:
        return False  # already in the new form (or none)
    matches = list(BLOCK.finditer(text))
    if len(matches) != 1:
        raise SystemExit(f"{path}: expected one verified: block, found {len(matches)}")
    paper = Paper.model_validate({**data, "verified": None})
    new = render(convert(paper, old))
    match = matches[0]
    # keep blank lines that separated the block from what follows
    tail = match.group(0)[len(match.group(0).rstrip("\n")) + 1 :]
    path.write_text(text[: match.start()] + new + tail + text[match.end() :], encoding="utf-8")
    return True


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted(Path("papers").glob("[!_]*.yaml"))
    changed = sum(migrate(p) for p in paths)
    print(f"{changed} of {len(paths)} records rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
