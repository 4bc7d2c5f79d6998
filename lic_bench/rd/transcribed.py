"""Read ``rd-sources/*.yaml``: RD points transcribed from an authors' repository or a paper's table.

Some authors publish their points in a README, a Markdown file or a JSON layout of their own;
papers print them in tables. Those numbers are copied, as printed, into one YAML file per
source, with where they were read::

    source:                       # shared by every curve of the file
      repository: github.com/owner/name
      commit: <40 hex>            # the version read
      url: https://...            # the page or file a reader can open
      where: README.md 'R-D Data' # file / table / figure in it
      accessed: '2026-12-06'
      reported_by: the authors (owner/name)
      provenance: reported        # reported (printed numbers) | digitised (read off a figure)
      averaging: per-quality
    curves:
      - name: tcm-large           # the results name (one model version = one name)
        dataset: kodak
        papers: [liu2023-learned]
        opt_metric: mse           # the training objective; none for classical codecs
        tag: authors              # results/reported/<name>/<tag>-<dataset>.json
        where: ...                # optional, overrides source.where / file / commit
        model_version: '9.1'      # optional (e.g. the VTM version of an anchor curve)
        results: {bpp: [...], psnr-rgb: [...]}   # or ms-ssim-rgb, ms-ssim-db-rgb

The file is data from elsewhere even when committed here: it is size-bounded, read with
``yaml.safe_load`` and every field is checked before a results document is made of it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lic_bench.errors import UsageError

#: largest transcription read (bytes): a few hundred curves fit in far less
MAX_BYTES = 1 << 20
_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: tags may carry a version (``authors-v5.0``, ``lalic-authors-vtm9.1``)
_TAG = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")
_RESULT_KEYS = ("bpp", "psnr-rgb", "ms-ssim-rgb", "ms-ssim-db-rgb")
_SOURCE_KEYS = ("repository", "commit", "url", "where", "accessed", "reported_by", "provenance", "averaging")
_CURVE_KEYS = ("name", "dataset", "file", "where", "commit", "papers", "opt_metric", "tag", "description",
               "model_version", "results")


@dataclass
class Transcribed:
    """One curve of a transcription file, checked."""

    name: str
    dataset: str
    tag: str
    results: dict[str, list[float]]
    description: str
    papers: list[str] | None
    meta: dict[str, Any]  # provenance, reported_by, source, averaging, opt_metric, model_version


def _fail(path: Path, where: str, why: str) -> UsageError:
    return UsageError(f"{path}: {where}: {why}")


def _numbers(path: Path, where: str, values: Any) -> list[float]:
    if not isinstance(values, list) or not values:
        raise _fail(path, where, "not a non-empty list of numbers")
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise _fail(path, where, f"{v!r} is not a finite number")
        out.append(float(v))
    return out


def _text(path: Path, where: str, value: Any, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, (str, int, float)) or isinstance(value, bool) or not str(value).strip():
        raise _fail(path, where, "missing or not text")
    return str(value).strip()


def read_transcribed(path: str | Path) -> list[Transcribed]:
    """Every curve of a transcription file; a one-line :class:`UsageError` for anything malformed."""
    import yaml

    from lic_bench.safe_read import UnreadableFile, read_bounded

    path = Path(path)
    try:
        raw = read_bounded(path, MAX_BYTES, "an RD transcription")
    except UnreadableFile as exc:
        raise UsageError(f"{path}: {exc}") from None
    try:
        doc = yaml.safe_load(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UsageError(f"{path}: not a YAML transcription ({type(exc).__name__})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("source"), dict) or not isinstance(doc.get("curves"), list):
        raise UsageError(f"{path}: a transcription needs a 'source' mapping and a 'curves' list")
    src = doc["source"]
    unknown = set(src) - set(_SOURCE_KEYS)
    if unknown:
        raise _fail(path, "source", f"unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    for key in ("url", "where", "accessed", "reported_by", "provenance"):
        _text(path, f"source.{key}", src.get(key))
    if not str(src["url"]).startswith("https://"):
        raise _fail(path, "source.url", "must be an https:// address")
    if src["provenance"] not in ("reported", "digitised"):
        raise _fail(path, "source.provenance", "reported or digitised")
    out = []
    for i, c in enumerate(doc["curves"]):
        where = f"curves[{i}]"
        if not isinstance(c, dict):
            raise _fail(path, where, "not a mapping")
        if set(c) - set(_CURVE_KEYS):
            raise _fail(path, where, f"unknown field(s) {', '.join(sorted(map(str, set(c) - set(_CURVE_KEYS))))}")
        name = _text(path, f"{where}.name", c.get("name"))
        if not _NAME.match(name):
            raise _fail(path, f"{where}.name", f"{name!r} is not a kebab-case results name")
        dataset = _text(path, f"{where}.dataset", c.get("dataset"))
        tag = _text(path, f"{where}.tag", c.get("tag", "authors"))
        if not _NAME.match(dataset) or not _TAG.match(tag):
            raise _fail(path, where, "dataset and tag must be kebab-case (a tag may hold dots)")
        res = c.get("results")
        if not isinstance(res, dict) or "bpp" not in res or len(res) < 2:
            raise _fail(path, f"{where}.results", "needs bpp and at least one quality metric")
        if set(res) - set(_RESULT_KEYS):
            raise _fail(path, f"{where}.results", f"unknown metric(s); use {', '.join(_RESULT_KEYS)}")
        results = {k: _numbers(path, f"{where}.results.{k}", v) for k, v in res.items()}
        if len({len(v) for v in results.values()}) != 1:
            raise _fail(path, f"{where}.results", "lists of different lengths")
        papers = c.get("papers")
        if papers is not None and (not isinstance(papers, list) or not all(isinstance(p, str) for p in papers)):
            raise _fail(path, f"{where}.papers", "not a list of paper ids")
        source = {k: src[k] for k in ("repository", "commit", "url") if k in src}
        source["where"] = _text(path, f"{where}.where", c.get("where") or src["where"])
        if c.get("file"):
            source["path"] = _text(path, f"{where}.file", c["file"])
        if c.get("commit"):
            source["commit"] = _text(path, f"{where}.commit", c["commit"])
        source["accessed"] = str(src["accessed"])
        meta: dict[str, Any] = {
            "provenance": src["provenance"],
            "reported_by": str(src["reported_by"]),
            "source": source,
            "averaging": str(src.get("averaging", "per-quality")),
            "opt_metric": _text(path, f"{where}.opt_metric", c.get("opt_metric", "none")),
        }
        if c.get("model_version") is not None:
            meta["model_version"] = _text(path, f"{where}.model_version", c["model_version"])
        out.append(Transcribed(
            name=name, dataset=dataset, tag=tag, results=results, papers=papers,
            description=_text(path, f"{where}.description", c.get("description"), required=False) or name,
            meta=meta,
        ))
    return out


def transcribed_documents(path: str | Path, command: str) -> list[dict[str, Any]]:
    """Results documents (``meta.kind="reported"``) for every curve of a transcription file."""
    from lic_bench.rd.papers import resolve_papers
    from lic_bench.results import file_sha256

    path = Path(path)
    docs = []
    for t in read_transcribed(path):
        papers, taxonomy = resolve_papers(t.name, [], t.papers)
        source = dict(t.meta["source"])
        source.update(transcription=str(path), transcription_sha256=file_sha256(path))
        meta = {
            "kind": "reported",
            **t.meta,
            "source": source,
            "format": "transcribed",
            "dataset": t.dataset,
            "papers": papers,
            "taxonomy": taxonomy,
            "tag": f"{t.tag}-{t.dataset}",
            "command": command,
        }
        docs.append({"name": t.name, "description": t.description, "results": t.results, "meta": meta})
    return docs
