"""Reading ``taxonomy/*.yaml`` and ``papers/*.yaml`` into checked records.

Loading never stops at the first defect: every problem is collected (as
:class:`Problem`) and the records that are sound are kept, so ``kb validate``
can list everything at once and a lenient load still gives a usable graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from lic_bench.kb._crosscheck import alias_map, paper_problems, taxonomy_problems
from lic_bench.kb.problems import Problem, unknown_id_message
from lic_bench.kb.schema import Component, Paper, TaxonomyFile, TaxonomyNode
from lic_bench.safe_read import MAX_INT_DIGITS, read_bounded

#: The thesis' order of the five areas (ch. 5.1-5.5); other area files follow alphabetically.
AREA_ORDER = (
    "quantization",
    "architectural-archetypes",
    "context-models",
    "hierarchical-priors",
    "variable-rate",
)

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_PATTERN_HINTS = {
    "id": "is not a kebab-case id (lowercase letters, digits, single hyphens)",
    "area": "is not a kebab-case id (lowercase letters, digits, single hyphens)",
    "doi": "is not a bare DOI such as 10.1109/CVPR46437.2021.01453",
    "arxiv": "is not a bare arXiv id such as 1802.01436",
    "url": "is not an http(s) URL",
    "implementations": "is not a kebab-case registry name",
}


@dataclass
class LoadResult:
    components: list[Component] = field(default_factory=list)
    papers: list[Paper] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _pydantic_problems(file: str, exc: ValidationError, prefix: str = "") -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = [str(part) for part in err["loc"]]
        name = ".".join(loc) or "-"
        kind = err["type"]
        if kind == "missing":
            message = "missing required field"
        elif kind == "extra_forbidden":
            message = "unknown field"
        elif kind == "string_pattern_mismatch":
            field = loc[-2] if loc[-1].isdigit() and len(loc) > 1 else loc[-1]  # list items
            message = f"{_short(err['input'])} {_PATTERN_HINTS.get(field, 'has the wrong form')}"
        elif kind == "value_error":
            message = err["msg"].removeprefix("Value error, ")
        else:
            message = f"{err['msg'][0].lower()}{err['msg'][1:]} (got {_short(err['input'])})"
        problems.append(Problem(file, prefix + name, message))
    return problems


#: Largest record file read (bytes). Real records are a few kB; a cap keeps a stray
#: dump or a device file from being read into memory.
MAX_RECORD_BYTES = 1 << 20


class _RecordLoader(_Loader):
    """Safe YAML for untrusted records, stricter than ``yaml.safe_load``.

    Refuses aliases (``*name``): records never need them, and an alias bomb (nested
    anchors, "billion laughs") expands exponentially once anything walks the data.
    Refuses a key written twice in one mapping, which YAML would otherwise resolve
    silently in favour of the last one.
    """

    def construct_object(self, node, deep=False):
        if node in self.constructed_objects or node in self.recursive_objects:
            raise yaml.constructor.ConstructorError(
                None, None, "YAML aliases (*name) are not allowed in records", node.start_mark
            )
        return super().construct_object(node, deep=deep)

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: set[tuple[str, str]] = set()
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    key = (key_node.tag, key_node.value)
                    if key in seen:
                        raise yaml.constructor.ConstructorError(
                            None, None, f"duplicate key {key_node.value!r}", key_node.start_mark
                        )
                    seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node):
        # Python's int() raises ValueError past 4,300 digits, which would end the whole
        # load; no field of a record needs more than a few digits.
        digits = sum(ch.isdigit() for ch in str(node.value))
        if digits > MAX_INT_DIGITS:
            raise yaml.constructor.ConstructorError(
                None, None, f"an integer of {digits} digits (the limit is {MAX_INT_DIGITS})", node.start_mark
            )
        return super().construct_yaml_int(node)


_RecordLoader.add_constructor("tag:yaml.org,2002:int", _RecordLoader.construct_yaml_int)


def _read_text(path: Path) -> str:
    """The UTF-8 text of a record file; ``ValueError`` with a one-line reason otherwise."""
    data = read_bounded(path, MAX_RECORD_BYTES, "a record file")
    if not data.strip():
        raise ValueError("empty file")
    if b"\x00" in data:
        raise ValueError("binary file (holds NUL bytes), not YAML text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text: {exc.reason} at byte {exc.start}") from None


def _read_yaml(path: Path, rel: str, problems: list[Problem]) -> Any:
    try:
        text = _read_text(path)
    except ValueError as exc:
        problems.append(Problem(rel, "-", str(exc)))
        return None
    # A record is a file in its folder: a symlink leading elsewhere (outside the
    # repository, or to another folder of it) would publish whatever it points at.
    try:
        inside = path.resolve().parent == path.parent.resolve()
    except (OSError, RuntimeError):  # a loop: read_bounded above reports those
        inside = True
    if not inside:
        problems.append(Problem(rel, "-", f"a symbolic link leading outside {path.parent.name}/; records are "
                                "files in the repository"))
        return None
    try:
        return yaml.load(text, Loader=_RecordLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.append(Problem(rel, "-", f"invalid YAML{where}: {what}"))
    except RecursionError:
        problems.append(Problem(rel, "-", "invalid YAML: nested too deeply"))
    except (ValueError, TypeError, OverflowError) as exc:  # a value no constructor can build
        problems.append(Problem(rel, "-", f"invalid YAML: {str(exc).splitlines()[0][:120]}"))
    return None


def read_record(path: Path) -> Any:
    """The data of one record file, read as the knowledge base reads it (bounded,
    strict YAML, no symlink out of its folder); None when the KB load would report it."""
    return _read_yaml(path, path.name, [])


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _area_files(tax_dir: Path) -> list[Path]:
    files = {p.stem: p for p in tax_dir.glob("*.yaml") if not p.name.startswith("_")}
    ordered = [files.pop(a) for a in AREA_ORDER if a in files]
    return ordered + [files[k] for k in sorted(files)]


def _load_taxonomy(root: Path, problems: list[Problem], rejected: set[str]) -> list[Component]:
    tax_dir = root / "taxonomy"
    if not tax_dir.is_dir():
        problems.append(Problem("taxonomy", "-", "folder not found"))
        return []
    nodes: dict[str, tuple[TaxonomyNode, str, str]] = {}  # id -> (node, file, file's area)
    area_files: list[tuple[str, list[str]]] = []  # (area, node ids in file order)
    for path in _area_files(tax_dir):
        rel = _rel(path, root)
        before = len(problems)
        data = _read_yaml(path, rel, problems)
        if len(problems) > before:
            continue
        if not isinstance(data, dict):
            problems.append(Problem(rel, "-", "expected a mapping with `area` and `nodes`"))
            continue
        raw_nodes = data.get("nodes")
        if not isinstance(raw_nodes, list) or not raw_nodes:
            missing = "nodes" not in data
            problems.append(
                Problem(rel, "nodes", "missing required field" if missing else "expected a list of nodes")
            )
            continue
        try:
            # Validate the envelope without the nodes so one bad node does not hide the rest.
            head = TaxonomyFile.model_validate({**data, "nodes": [_PLACEHOLDER]})
        except ValidationError as exc:
            problems.extend(_pydantic_problems(rel, exc))
            continue
        area = head.area
        if area != path.stem:
            # Everything below would cascade from this one mistake: report it alone.
            problems.append(
                Problem(rel, "area", f"area {area!r} does not match the file name {path.stem!r}")
            )
            continue
        ids: list[str] = []
        for index, raw in enumerate(raw_nodes):
            label = raw.get("id") if isinstance(raw, dict) else None
            prefix = f"{label}." if isinstance(label, str) and label else f"nodes.{index}."
            try:
                node = TaxonomyNode.model_validate(raw)
            except ValidationError as exc:
                problems.extend(_pydantic_problems(rel, exc, prefix))
                continue
            if node.id in nodes:
                other = nodes[node.id][1]
                problems.append(
                    Problem(rel, f"{node.id}.id", f"duplicate component id (also in {other})")
                )
                continue
            nodes[node.id] = (node, rel, area)
            ids.append(node.id)
        if area not in ids:
            problems.append(
                Problem(rel, "area", f"no node with id {area!r} (the area itself, parent: null)")
            )
        elif nodes[area][0].parent is not None:
            problems.append(Problem(rel, f"{area}.parent", "the area node must have parent: null"))
        area_files.append((area, ids))

    known = {nid: [n.name, *n.aliases] for nid, (n, _, _) in nodes.items()}
    resolved: dict[str, str] = {}  # id -> area, for nodes whose parent chain reaches their area
    for nid, (node, rel, area) in nodes.items():
        if node.parent is None:
            if nid == area:
                resolved[nid] = area
            else:
                problems.append(
                    Problem(rel, f"{nid}.parent", "no parent area: only the area node may have parent null")
                )
            continue
        if node.parent not in nodes:
            problems.append(
                Problem(rel, f"{nid}.parent", unknown_id_message("parent", node.parent, known))
            )
            continue
        chain = [nid]
        current = node.parent
        while current is not None and current not in chain:
            chain.append(current)
            current = nodes[current][0].parent if current in nodes else None
        if current is not None:
            loop = chain[chain.index(current) :] + [current]
            problems.append(Problem(rel, f"{nid}.parent", "parent chain loops: " + " -> ".join(loop)))
            continue
        top = chain[-1]
        if top not in nodes or nodes[top][0].parent is not None or top != nodes[top][2]:
            problems.append(Problem(rel, f"{nid}.parent", "no parent area above this node"))
            continue
        if top != area:
            problems.append(
                Problem(rel, f"{nid}.parent", f"parent {node.parent!r} belongs to area {top!r}, not {area!r}")
            )
            continue
        resolved[nid] = area

    rejected.update(set(nodes) - set(resolved))
    # Depth-first from each area, children in file order: parents before children.
    children: dict[str | None, list[str]] = {}
    for _, ids in area_files:
        for nid in ids:
            if nid in resolved:
                children.setdefault(nodes[nid][0].parent, []).append(nid)
    ordered: list[Component] = []
    stack = [a for a, _ in reversed(area_files) if a in resolved and nodes[a][0].parent is None]
    while stack:
        nid = stack.pop()
        node, _, area = nodes[nid]
        ordered.append(Component(**node.model_dump(), area=area))
        stack.extend(reversed(children.get(nid, [])))
    return ordered


_PLACEHOLDER = {"id": "placeholder", "name": "-", "summary": "-"}


def _load_papers(
    root: Path, components: dict[str, Component], problems: list[Problem], rejected: set[str]
) -> list[Paper]:
    pap_dir = root / "papers"
    if not pap_dir.is_dir():
        problems.append(Problem("papers", "-", "folder not found"))
        return []
    papers: dict[str, tuple[Paper, str]] = {}
    for path in sorted(pap_dir.glob("*.y*ml")):
        if path.name.startswith("_"):
            continue
        rel = _rel(path, root)
        if path.suffix != ".yaml":
            problems.append(Problem(rel, "-", "paper records use the .yaml extension"))
            continue
        before = len(problems)
        data = _read_yaml(path, rel, problems)
        if len(problems) > before:
            continue
        if not isinstance(data, dict):
            problems.append(Problem(rel, "-", "expected a mapping of fields (see papers/_template.yaml)"))
            continue
        if isinstance(data.get("arxiv"), (int, float)):
            problems.append(
                Problem(rel, "arxiv", f"write the arXiv id as a quoted string, e.g. \"{data['arxiv']}\"")
            )
            continue
        try:
            paper = Paper.model_validate(data)
        except ValidationError as exc:
            problems.extend(_pydantic_problems(rel, exc))
            continue
        if paper.id != path.stem:
            problems.append(
                Problem(rel, "id", f"id {paper.id!r} does not match the file name {path.stem!r}")
            )
        if paper.id in papers:
            other = papers[paper.id][1]
            problems.append(Problem(rel, "id", f"duplicate paper id {paper.id!r} (also in {other})"))
            continue
        papers[paper.id] = (paper, rel)

    known_components = {cid: [c.name, *c.aliases] for cid, c in components.items()}
    known_papers = {pid: [p.title] for pid, (p, _) in papers.items()}
    former = alias_map({pid: p for pid, (p, _) in papers.items()})
    seen: dict[tuple[str, str], str] = {}
    for pid, (paper, rel) in papers.items():
        for key, cids in (("components", paper.components), ("uses", paper.uses)):
            for cid in cids:
                if cid in rejected:
                    problems.append(Problem(rel, key, f"component {cid!r} fails the taxonomy checks"))
                elif cid not in components:
                    problems.append(Problem(rel, key, unknown_id_message("component", cid, known_components)))
        for cid in sorted(set(paper.uses) & set(paper.components)):
            problems.append(Problem(rel, "uses", f"{cid!r} is already in components (what the paper contributes)"))
        for ref in paper.builds_on:
            if ref == pid:
                problems.append(Problem(rel, "builds_on", "a paper cannot build on itself"))
            elif ref in former:
                problems.append(
                    Problem(rel, "builds_on", f"{ref!r} is a former id of {former[ref]!r}: write {former[ref]!r}")
                )
            elif ref not in papers:
                problems.append(Problem(rel, "builds_on", unknown_id_message("paper", ref, known_papers)))
        for key in ("doi", "arxiv"):
            value = getattr(paper, key)
            if value is None:
                continue
            norm = (key, value.lower().split("v")[0] if key == "arxiv" else value.lower())
            if norm in seen:
                problems.append(Problem(rel, key, f"same {key} as {seen[norm]}"))
            else:
                seen[norm] = rel
    problems.extend(_cycle_problems({pid: (p, rel) for pid, (p, rel) in papers.items()}))
    problems.extend(paper_problems(papers, components, rejected))
    return sorted((p for p, _ in papers.values()), key=lambda p: (p.year, p.id))


def _cycle_problems(papers: dict[str, tuple[Paper, str]]) -> list[Problem]:
    """One problem per strongly connected group of ``builds_on`` links.

    The line shows the shortest loop through the group's first id (ties: the
    alphabetically first path), on the file of that first paper. The standard
    library's ``graphlib`` tells whether there is any cycle; networkx, slower to
    import, is loaded only to describe them.
    """
    import graphlib

    edges = {
        pid: sorted(r for r in paper.builds_on if r in papers and r != pid)
        for pid, (paper, _) in sorted(papers.items())
    }
    try:
        graphlib.TopologicalSorter(edges).prepare()
        return []
    except graphlib.CycleError:
        pass
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(edges)
    graph.add_edges_from((pid, ref) for pid, refs in edges.items() for ref in refs)
    problems = []
    for group in nx.strongly_connected_components(graph):
        if len(group) < 2:
            continue
        first = min(group)
        sub = graph.subgraph(group)
        loops = [nx.shortest_path(sub, first, last) + [first] for last in sub.predecessors(first)]
        path = min(loops, key=lambda p: (len(p), p))
        problems.append(Problem(papers[first][1], "builds_on", "cycle: " + " -> ".join(path)))
    return problems


def read_kb(root: Path) -> LoadResult:
    """Read and cross-check everything under ``root``; keep the sound records."""
    result = LoadResult()
    rejected: set[str] = set()
    result.components = _load_taxonomy(root, result.problems, rejected)
    by_id = {c.id: c for c in result.components}
    result.papers = _load_papers(root, by_id, result.problems, rejected)
    result.problems.extend(taxonomy_problems(result.components, {p.id: p for p in result.papers}))
    result.problems.sort()
    return result
