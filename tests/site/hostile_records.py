"""A knowledge base and results whose every schema field carries a script payload.

:func:`make_hostile_root` copies the hand-written hostile records
(tests/fixtures/kb/hostile) and adds one paper record and one taxonomy node built from
the schema itself: every field of :class:`~lic_bench.kb.schema.Paper` and
:class:`~lic_bench.kb.schema.TaxonomyNode`, and every sub-field of their nested models
(``verified``, ``surveys.<id>``), is filled, and every string in them (list items and
mapping keys included) is replaced by a payload naming its path, wherever the loader
accepts it. Where it does not (a kebab-case id, a DOI, a URL, a date, a reference the
cross-checks resolve), the field keeps a valid value: :func:`payload_fields` says which
took a payload, so a test can tell the coverage. A results document linked to that
paper and node gets a payload in every string of its ``meta`` that names no id.

Each payload, if it ran in a page, would set ``window.__xss`` (trapped by the browser
tests) or add an element of class ``xss``.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import yaml

from lic_bench.kb._load import read_kb
from lic_bench.kb.schema import Claim, Paper, SurveyView, TaxonomyNode, Verified

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "kb" / "hostile"
ROOT = Path(__file__).resolve().parents[2]
PAPER_ID = "zed2021-every-field"
NODE_ID = "every-field-node"


def payload(path: str) -> str:
    """Markup that runs script in three ways and breaks out of attributes and tags."""
    tag = path.replace("'", "").replace('"', "")
    return (f"{tag} <img class=\"xss\" src=x onerror=\"window.__xss='{tag}'\">"
            f"<script>window.__xss='{tag} script'</script>\"'><svg class=\"xss\" onload=\"window.__xss=1\">")


#: A valid value for every field of the schema (nested models too); the walker below
#: tries a payload in each string and keeps this where the loader refuses it.
BASE_PAPER: dict[str, Any] = {
    "id": PAPER_ID,
    "title": "Every field",
    "authors": ["Zed Zeta", "Yan Ypsilon"],
    "year": 2021,
    "venue": "A venue",
    "doi": "10.1234/every.field",
    "arxiv": "2101.00001",
    "url": "https://example.org/every-field",
    "components": ["uniform-quantization", NODE_ID],
    "uses": ["checkerboard"],
    "builds_on": ["adams2018-alpha"],
    "code": ["https://example.org/code"],
    "notes": "Notes.",
    "aliases": ["zed2020-every-field"],
    "verified": {"date": dt.date(2024, 1, 2),
                 "fields": {"title": "https://arxiv.org/abs/2101.00001", "authors": "https://arxiv.org/abs/2101.00001",
                            "year": "https://arxiv.org/abs/2101.00001", "arxiv": "https://arxiv.org/abs/2101.00001"},
                 "unverified": {"venue": "A reason.", "doi": "A reason.", "url": "A reason."},
                 "no_published_version": None},
    "surveys": {"adams2018-alpha": {"year": 2019, "components": ["checkerboard"], "tables": ["5.6"],
                                    "note": "A survey note."}},
    "claims": [{"codec": "zed-codec", "bd_rate": -10.5, "anchor": "vtm", "anchor_version": "12.1",
                "dataset": "kodak", "over_datasets": "mean", "metric": "psnr-rgb", "where": "Table 1",
                "source": "https://arxiv.org/abs/2101.00001", "note": "A claim note."}],
}
BASE_NODE: dict[str, Any] = {
    "id": NODE_ID, "name": "Every field node", "parent": "quantization", "summary": "A summary. Second.",
    "aliases": ["An alias"], "implementations": [], "origin": "beyond-seed", "defining_papers": [PAPER_ID],
}
#: The nested models of each record kind, to check that the bases fill every field.
MODELS = {"paper": (Paper, {"verified": Verified, "surveys": SurveyView, "claims": Claim}), "node": (TaxonomyNode, {})}


def _leaves(value: Any, path: tuple = ()):
    """Paths of every string in ``value``: ``("k", 0)`` an item, ``("k", ("key",))`` a key."""
    if isinstance(value, str):
        yield path
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, (*path, i))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield (*path, (key,))
            yield from _leaves(item, (*path, key))


def _set(doc: Any, path: tuple, new: str) -> Any:
    doc = copy.deepcopy(doc)
    node = doc
    for part in path[:-1]:
        node = node[part]
    last = path[-1]
    if isinstance(last, tuple):
        node[new] = node.pop(last[0])
    else:
        node[last] = new
    return doc


def _name(path: tuple) -> str:
    return ".".join(f"<key {p[0]}>" if isinstance(p, tuple) else str(p) for p in path)


def _write(root: Path, paper: dict, node: dict) -> None:
    (root / "papers" / f"{PAPER_ID}.yaml").write_text(yaml.safe_dump(paper, sort_keys=False, allow_unicode=True))
    tax = yaml.safe_load((FIXTURE / "taxonomy" / "quantization.yaml").read_text())
    tax["nodes"].append(node)
    (root / "taxonomy" / "quantization.yaml").write_text(yaml.safe_dump(tax, sort_keys=False, allow_unicode=True))


def _fill(root: Path) -> tuple[dict, dict, list[str]]:
    paper, node = copy.deepcopy(BASE_PAPER), copy.deepcopy(BASE_NODE)
    _write(root, paper, node)
    assert read_kb(root).problems == [], read_kb(root).problems
    taken = []
    for kind in ("node", "paper"):
        for path in list(_leaves(node if kind == "node" else paper)):
            # Keys rename their subtree, so paths below a replaced key are taken first.
            label = f"{kind}.{_name(path)}"
            trial = _set(node if kind == "node" else paper, path, payload(label))
            _write(root, trial if kind == "paper" else paper, trial if kind == "node" else node)
            if read_kb(root).problems:
                continue
            taken.append(label)
            if kind == "node":
                node = trial
            else:
                paper = trial
    _write(root, paper, node)
    assert read_kb(root).problems == []
    return paper, node, taken


def _hostile_result(root: Path) -> None:
    """A reported curve on the every-field paper and node, and the anchor it is measured against."""
    src = ROOT / "results" / "reported" / "bmshj2018-hyperprior" / "compressai-cpu-kodak.json"  # a Kodak curve: the board ranks it
    doc = json.loads(src.read_text())
    ids = {"kind", "provenance", "dataset", "averaging", "format", "tag", "papers", "taxonomy", "opt_metric", "sha256",
           "commit"}

    def poison(value: Any, path: str) -> Any:
        if isinstance(value, dict):
            return {k: (v if k in ids else poison(v, f"{path}.{k}")) for k, v in value.items()}
        if isinstance(value, list):
            return [poison(v, f"{path}.{i}") for i, v in enumerate(value)]
        return payload(path) if isinstance(value, str) else value

    doc["meta"] = poison(doc["meta"], "result.meta")
    doc["meta"]["papers"], doc["meta"]["taxonomy"] = [PAPER_ID], ["uniform-quantization", NODE_ID]
    doc["description"] = payload("result.description")
    out = root / "results" / "reported" / "zed-every-field" / "hostile-kodak.json"
    out.parent.mkdir(parents=True)
    doc["name"] = "zed-every-field"
    out.write_text(json.dumps(doc))
    (root / "results" / "anchors" / "x265-bpg444").mkdir(parents=True)
    for name in ("kodak.json", "kodak-per-quality.json"):  # both averaging protocols
        shutil.copy(ROOT / "results" / "anchors" / "x265-bpg444" / name,
                    root / "results" / "anchors" / "x265-bpg444" / name)


def make_hostile_root(root: Path) -> list[str]:
    """Fill ``root`` (mkdocs.yml, site/, taxonomy/, papers/, results/); return the fields that took a payload."""
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "site", root / "site")
    for sub in ("taxonomy", "papers"):
        shutil.copytree(FIXTURE / sub, root / sub)
    (root / "results").mkdir()
    _, _, taken = _fill(root)
    _hostile_result(root)
    return taken


def unfilled_fields() -> list[str]:
    """Schema fields (nested included) the bases leave out: must be none."""
    missing = []
    for kind, (model, nested) in MODELS.items():
        base = BASE_PAPER if kind == "paper" else BASE_NODE
        missing += [f"{kind}.{f}" for f in model.model_fields if f not in base]
        for field, sub in nested.items():
            value = base[field]
            samples = value.values() if field == "surveys" else value if isinstance(value, list) else [value]
            for sample in samples:
                missing += [f"{kind}.{field}.{f}" for f in sub.model_fields if f not in sample]
    return missing
