"""Import RD curves published by others into results documents (``results/reported/``).

Formats (examples in ``shared/data/rd-reported``, each folder with a SOURCE.txt):

* CompressAI results JSON (``results/image/<dataset>/*.json``: ``name``,
  ``description``, ``results``, sometimes ``meta``); ``paper-*.json`` are curves
  digitised from paper figures, ``compressai-*.json`` were measured by CompressAI;
* tensorflow-compression text files (``# Aggregate rate-distortion data for "..."``,
  then ``bpp, value`` lines; one metric per folder, e.g. ``PSNR_sRGB_RGB``);
* ELIC's CSV (no header: ms-ssim, psnr, bpp), MLIC's JSON (``psnr``, ``bpp``),
  C3's baselines JSON (``{"RESULTS": {method: {bpp, psnr, meta}}}``) and Cool-Chic's
  per-image TSV (averaged here per lambda: mean bpp and mean PSNR over images).

Every document says where its numbers come from: ``meta.provenance`` (reported /
digitised), ``meta.source`` (public repository, path in it, commit, local file
and its sha256) and ``meta.papers`` (only ids whose record exists in ``papers/``).
"""

from __future__ import annotations

import csv
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lic_bench.errors import UsageError
from lic_bench.rd.papers import resolve_papers

DATASETS = ("kodak", "tecnick", "clic2020-professional", "clic2020-mobile", "clic2021-test",
            "clic-pro-val", "clic2020")


@dataclass
class Imported:
    """One curve read from a public file, before it becomes a results document."""

    name: str
    results: dict[str, list[float]]
    description: str
    provenance: str  # reported | digitised
    reported_by: str
    tag: str
    hints: list[str] = field(default_factory=list)  # URLs / text in which to look for arXiv ids
    extra: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- sources
def find_source_txt(path: Path) -> Path | None:
    for parent in list(path.parents)[:5]:
        if (parent / "SOURCE.txt").is_file():
            return parent / "SOURCE.txt"
    return None


def source_info(path: Path, repo_path: str | None) -> dict[str, Any]:
    """Repository, commit and in-repo path of a local copy, from the nearest SOURCE.txt."""
    from lic_bench.results import file_sha256

    info: dict[str, Any] = {"local": str(path), "sha256": file_sha256(path)}
    src = find_source_txt(path)
    if src is None:
        return info
    text = src.read_text(errors="replace")
    repo = re.search(r"(?:github\.com/)?([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)(?:,| commit| file)", text)
    commit = re.search(r"commit ([0-9a-f]{7,40})", text)
    if repo:
        info["repository"] = "github.com/" + repo.group(1).removeprefix("github.com/")
    if commit:
        info["commit"] = commit.group(1)
    if repo_path:
        info["path"] = repo_path
    info["local"] = str(path.relative_to(src.parent.parent)) if src.parent.parent in path.parents else str(path)
    info["source_note"] = src.name + ": " + " ".join(text.split())[:300]
    return info


def _rel(path: Path, anchor: str) -> str | None:
    parts = path.parts
    return "/".join(parts[parts.index(anchor) + 1:]) if anchor in parts else None


def guess_dataset(path: Path) -> str | None:
    low = [p.lower() for p in path.parts] + [path.stem.lower()]
    for name in DATASETS:
        if any(name == p or p.endswith(f"_{name}") or p.endswith(f"-{name}") or name in p.split("_")
               for p in low):
            return name
    for p in low:
        for name in ("kodak", "tecnick", "clic"):
            if name in p:
                return name if name != "clic" else p
    return None


# --------------------------------------------------------------------------- formats
_COMPRESSAI_NAMES = {
    "elic2022": "he2022-elic",
    "minnen2020-cc10": "minnen2020-channelwise",
    "minnen2018-checkerboard": "he2021-checkerboard",
}


def _floats(values: Any) -> list[float]:
    return [float(v) if v is not None else math.nan for v in values]


def read_compressai(path: Path) -> list[Imported]:
    doc = json.loads(path.read_text())
    stem = path.stem
    opt = "ms-ssim" if "ms-ssim" in stem else "mse"
    if stem.startswith("paper-"):
        kind, base, provenance, by = "paper", stem[6:], "digitised", "paper figure, digitised by CompressAI"
    elif stem.startswith("compressai-"):
        kind, base, provenance, by = "compressai", stem[11:], "reported", "CompressAI (its own models)"
    else:
        kind, base, provenance, by = "classical", stem, "reported", "CompressAI"
    variant = re.findall(r"_(mse|ms-ssim|cpu|cuda)", base)
    base = re.sub(r"_(mse|ms-ssim|cpu|cuda)", "", base)
    name = _COMPRESSAI_NAMES.get(base, base)
    keep = ("bpp", "psnr-rgb", "ms-ssim-rgb", "ms-ssim-db-rgb", "encoding_time", "decoding_time")
    results = {k: _floats(v) for k, v in doc.get("results", {}).items() if k in keep}
    meta = doc.get("meta") or {}
    tag = "-".join(["compressai", *(["paper"] if kind == "paper" else []), *[v for v in variant if v != "mse"]])
    hints = [str(meta.get("url", "")), doc.get("description", "")]
    return [Imported(
        name=name, results=results, provenance=provenance, reported_by=by, tag=tag, hints=hints,
        description=f"{doc.get('name', stem)}: {doc.get('description', '')}".strip(": "),
        extra={"original_name": doc.get("name"), "original_meta": meta, "opt_metric": meta.get("opt_metric", opt)},
    )]


def read_tfc(path: Path) -> list[Imported]:
    text = path.read_text()
    title = re.search(r'data for "([^"]+)"', text)
    metric_col = re.search(r"second column contains ([^ ]+) values", text)
    rows = [line.split(",") for line in text.splitlines() if line.strip() and not line.startswith("#")]
    bpp = [float(r[0]) for r in rows]
    vals = [float(r[1]) for r in rows]
    folder = path.parent.name.upper()
    if not folder.endswith("_RGB"):
        raise UsageError(f"{path}: only R'G'B' metrics are imported (folder {path.parent.name})")
    metric = "ms-ssim-rgb" if folder.startswith("MS-SSIM") else "psnr-rgb"
    results = {"bpp": bpp, metric: vals}
    other = path.parent.parent / ("PSNR_sRGB_RGB" if metric == "ms-ssim-rgb" else "MS-SSIM_sRGB_RGB") / path.name
    merged = False
    if other.is_file():
        o_rows = [ln.split(",") for ln in other.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
        o_bpp = [float(r[0]) for r in o_rows]
        if len(o_bpp) == len(bpp) and all(abs(a - b) < 1e-9 for a, b in zip(o_bpp, bpp, strict=False)):
            results["ms-ssim-rgb" if metric == "psnr-rgb" else "psnr-rgb"] = [float(r[1]) for r in o_rows]
            merged = True
    stem = path.stem
    name = stem
    opt = "ms-ssim" if "msssim" in stem else "mse"
    return [Imported(
        name=name, results=results, provenance="reported", reported_by="tensorflow-compression (Google)",
        tag="tfc" + ("" if merged else f"-{metric}"), hints=[],
        description=(title.group(1) if title else stem) + f" ({metric_col.group(1) if metric_col else metric})",
        extra={"original_name": title.group(1) if title else stem, "opt_metric": opt,
               "sibling_file": str(other) if merged else None},
    )]


def read_elic(path: Path) -> list[Imported]:
    rows = [r for r in csv.reader(path.read_text().splitlines()) if r]
    ms, ps, bpp = ([float(r[i]) for r in rows] for i in range(3))
    stem = path.stem.replace("_official", "").split("_")[0]  # elic, elic-sm, elic-ms
    name = {"elic": "he2022-elic", "elic-sm": "he2022-elic-sm", "elic-ms": "he2022-elic"}[stem]
    opt = "ms-ssim" if stem == "elic-ms" else "mse"
    return [Imported(
        name=name, results={"bpp": bpp, "psnr-rgb": ps, "ms-ssim-rgb": ms}, provenance="reported",
        reported_by="ELIC authors (JiangWeibeta/ELIC)", tag="authors" + ("-ms-ssim" if opt == "ms-ssim" else ""),
        description=f"ELIC official RD points ({path.name}; columns ms-ssim, psnr, bpp as inferred in SOURCE.txt)",
        hints=["2203.10886"], extra={"opt_metric": opt, "original_name": path.stem},
    )]


def read_mlic(path: Path) -> list[Imported]:
    doc = json.loads(path.read_text())
    stem = path.stem.removesuffix("_mse")
    name = {"mlic": "mlic", "mlicplus": "mlic-plus", "mlicplusplus": "mlic-plus-plus"}.get(stem, stem)
    return [Imported(
        name=name, results={"bpp": _floats(doc["bpp"]), "psnr-rgb": _floats(doc["psnr"])},
        provenance="reported", reported_by="MLIC authors (JiangWeibeta/MLIC)", tag="authors",
        description=f"{name} official RD points ({path.name})", extra={"opt_metric": "mse", "original_name": path.stem},
    )]


def _slug(text: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", text.lower().replace("++", "-plus-plus").replace("+", "-plus"))).strip("-")


#: C3's method labels that are models registered here under paper-style names
_C3_NAMES = {"BMS": "bmshj2018-hyperprior", "MBT": "mbt2018", "CST": "cheng2020-anchor",
             "ELIC": "he2022-elic", "MLIC": "mlic", "MLIC+": "mlic-plus",
             "COOL-CHIC": "cool-chic-2023", "COOL-CHICv2": "cool-chic-v2"}


def read_c3(path: Path, only: str | None = None) -> list[Imported]:
    table = json.loads(path.read_text()).get("RESULTS", {})
    if only is not None and only not in table:
        raise UsageError(f"{path}: no curve {only!r}; it has: {', '.join(table)}")
    out = []
    for key, entry in table.items():
        if only is not None and key != only:
            continue
        meta = entry.get("meta", {})
        src = str(meta.get("source", ""))
        digitised = "digitiz" in src.lower() or "plotdigitizer" in src.lower()
        results = {"bpp": _floats(entry["bpp"]), "psnr-rgb": _floats(entry["psnr"])}
        out.append(Imported(
            name=_C3_NAMES.get(key, _slug(key)), results=results, provenance="digitised" if digitised else "reported",
            reported_by=f"C3 baselines (Google DeepMind), whose source: {src}", tag="c3-baselines",
            description=f"{key} as collected in C3's baselines ({meta.get('reference', '')})",
            hints=[str(meta.get("reference", ""))],
            extra={"original_name": key, "original_meta": meta, "opt_metric": "mse"},
        ))
    return out


#: Cool-Chic release -> results name and paper (the repository's docs/.../literature.rst):
#: one model version = one name. 3.x and 4.x share a name: 4.0-4.2 ship image results
#: byte-identical to 3.4 (their changes were video coding).
COOLCHIC_VERSIONS = {
    "1": ("cool-chic-2023", ["ladune2023-cool-chic"]),
    "2": ("cool-chic-v2", ["leguay2023-low-complexity"]),
    "3": ("cool-chic-v3", ["philippe2025-upsampling"]),
    "4": ("cool-chic-v3", ["philippe2025-upsampling"]),
    "5": ("cool-chic-v5", ["ladune2026-cool-chic"]),
}
#: releases whose image results files are byte-identical to an earlier one's (checked on
#: the repository at a6fe38a); a claim against 4.2 is checked on the 3.4 file
COOLCHIC_SAME_RESULTS = {"v3.4": ["v4.0", "v4.1", "v4.2"]}


def read_coolchic(path: Path) -> list[Imported]:
    rows = list(csv.DictReader(path.read_text().splitlines(), delimiter="\t"))
    lam = "lmbda" if rows and "lmbda" in rows[0] else "lambda"  # v1.0 files say "lambda"
    if not rows or not {lam, "psnr_db", "rate_bpp"} <= set(rows[0]):
        raise UsageError(f"{path}: not a Cool-Chic results TSV (lmbda, seq_name, psnr_db, rate_bpp)")
    by_lambda: dict[float, list[dict[str, str]]] = {}
    for r in rows:
        by_lambda.setdefault(float(r[lam]), []).append(r)
    lambdas = sorted(by_lambda, reverse=True)  # large lambda = low rate first
    bpp = [sum(float(r["rate_bpp"]) for r in by_lambda[lm]) / len(by_lambda[lm]) for lm in lambdas]
    psnr = [sum(float(r["psnr_db"]) for r in by_lambda[lm]) / len(by_lambda[lm]) for lm in lambdas]
    version = re.search(r"v(\d+)\.(\d+)", "/".join(path.parts[-2:]))
    name, papers = COOLCHIC_VERSIONS.get(version.group(1), ("cool-chic", [])) if version else ("cool-chic", [])
    label = f"v{version.group(1)}.{version.group(2)}" if version else ""
    return [Imported(
        name=name, results={"bpp": bpp, "psnr-rgb": psnr, "lambda": lambdas},
        provenance="reported", reported_by="Cool-Chic authors (Orange-OpenSource/Cool-Chic)",
        tag="authors" + (f"-{label}" if label else ""),
        description=f"Cool-Chic {label} per-image points, "
                    "averaged here per lambda (mean bpp, mean per-image PSNR)",
        extra={"opt_metric": "mse", "images_per_point": [len(by_lambda[lm]) for lm in lambdas],
               "model_version": label or None, "also_versions": COOLCHIC_SAME_RESULTS.get(label),
               "averaging": "per-quality", "_papers": papers},
    )]


def detect_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "elic"
    if suffix == ".tsv":
        return "coolchic"
    if suffix in (".yaml", ".yml"):
        return "transcribed"
    if suffix == ".txt":
        head = path.read_text(errors="replace")[:200]
        if "rate-distortion data" in head:
            return "tfc"
    if suffix == ".json":
        try:
            doc = json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path}: not valid JSON ({exc.msg})") from None
        if isinstance(doc, dict) and "RESULTS" in doc:
            return "c3"
        if isinstance(doc, dict) and isinstance(doc.get("results"), dict) and "bpp" in doc["results"]:
            return "compressai"
        if isinstance(doc, dict) and "bpp" in doc and "psnr" in doc:
            return "mlic"
    raise UsageError(f"{path}: unrecognised RD file format (CompressAI/MLIC/C3 JSON, tfc .txt, ELIC .csv, Cool-Chic .tsv)")


def _repo_path(fmt: str, path: Path) -> str | None:
    if fmt == "compressai":
        rel = _rel(path, "compressai_results")
        return f"results/{rel}" if rel else None
    if fmt == "tfc":
        rel = _rel(path, "tfc_image_compression")
        return f"results/image_compression/{rel}" if rel else None
    if fmt == "elic":
        return f"results/{path.name}"
    if fmt == "mlic":
        rel = _rel(path, "mlic_JiangWeibeta")
        return rel or f"results/{path.parent.name}/{path.name}"
    if fmt == "c3":
        return f"baselines/{path.stem}.py (converted to JSON with ast)"
    if fmt == "coolchic":
        if "results" in path.parts[:-1]:  # a copy kept at its place in the repository's tree
            return "/".join(path.parts[len(path.parts) - 1 - path.parts[::-1].index("results"):])
        src = find_source_txt(path)
        found = re.search(r"file (\S+\.tsv)", src.read_text()) if src else None
        return found.group(1) if found else None
    return None


READERS = {"compressai": read_compressai, "tfc": read_tfc, "elic": read_elic, "mlic": read_mlic,
           "c3": read_c3, "coolchic": read_coolchic}


def import_file(
    path: str | Path,
    *,
    paper: list[str] | None = None,
    provenance: str | None = None,
    name: str | None = None,
    curve: str | None = None,
    dataset: str | None = None,
    command: str | None = None,
) -> list[dict[str, Any]]:
    """Results documents (``meta.kind="reported"``) for every curve in ``path``.

    ``paper``/``name`` may only be given when the file holds one curve (or ``curve``
    selects one); ``provenance`` overrides the format's default.
    """
    from lic_bench.results.meta import PER_QUALITY, command_line

    path = Path(path)
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    fmt = detect_format(path)
    if fmt == "transcribed":
        from lic_bench.rd.transcribed import transcribed_documents

        if paper is not None or name or curve or dataset:
            raise UsageError(f"{path}: a transcription names its curves, papers and datasets itself")
        return transcribed_documents(path, command or command_line())
    items = read_c3(path, curve) if fmt == "c3" else READERS[fmt](path)
    if curve is not None and fmt != "c3":
        raise UsageError("--curve only applies to files holding several curves (C3 baselines)")
    if (paper is not None or name) and len(items) != 1:
        raise UsageError(f"{path} holds {len(items)} curves: pick one with --curve before giving --paper/--name")
    if provenance is not None and provenance not in ("reported", "digitised", "measured"):
        raise UsageError(f"unknown provenance {provenance!r} (reported, digitised, measured)")
    dataset = dataset or guess_dataset(path)
    if not dataset:
        raise UsageError(f"{path}: cannot tell the dataset from the path; give --dataset")
    source = source_info(path, _repo_path(fmt, path))
    docs = []
    for item in items:
        sibling = item.extra.pop("sibling_file", None)
        if sibling:
            # a tfc curve merged from its PSNR and MS-SSIM files: name both, PSNR first,
            # whichever of the two was imported
            files = sorted([path, Path(sibling)], key=lambda p: p.parent.name.upper().startswith("MS-SSIM"))
            source = source_info(files[0], _repo_path(fmt, files[0]))
            also = source_info(files[1], _repo_path(fmt, files[1]))
            source["also"] = {k: also[k] for k in ("path", "local", "sha256") if k in also}
        if "bpp" not in item.results or len(item.results["bpp"]) < 1:
            raise UsageError(f"{path}: curve {item.name!r} has no bpp values")
        doc_name = name or item.name.lower().replace("_", "-")  # one kebab-case name everywhere
        papers, taxonomy = resolve_papers(item.name, item.hints, paper if paper is not None else item.extra.pop("_papers", None))
        item.extra.pop("_papers", None)
        meta = {
            "kind": "reported",
            "provenance": provenance or item.provenance,
            # every format read here is one point per quality value or lambda, averaged over
            # the images at that value (CompressAI, tfc, C3, Cool-Chic's per-lambda means)
            "averaging": PER_QUALITY,
            "reported_by": item.reported_by,
            "source": source,
            "format": fmt,
            "dataset": dataset,
            "papers": papers,
            "taxonomy": taxonomy,
            "tag": f"{item.tag}-{dataset}",
            "command": command or command_line(),
            **{k: v for k, v in item.extra.items() if v is not None},
        }
        docs.append({"name": doc_name, "description": item.description, "results": item.results, "meta": meta})
    return docs


def write_imported(docs: list[dict[str, Any]], root: Path | None = None) -> list[Path]:
    from lic_bench.results import result_path, write_result

    return [write_result(doc, result_path("reported", doc["name"], doc["meta"]["tag"], root)) for doc in docs]
