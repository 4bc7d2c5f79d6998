"""Which curve a BD-rate is against, and how to name it with its version.

An anchor is a classical codec measured here (``results/anchors/<codec>/<dataset>*.json``,
one file per averaging protocol) or, for VTM, whose reference encoder cannot be built on
this machine, a reported curve (``results/reported/vtm/...``) with its source and the
version its publisher states. Every BD number printed or shown names the anchor through
:func:`anchor_text`.
"""

from __future__ import annotations

from typing import Any

from lic_bench.errors import UsageError
from lic_bench.rd.protocol import averaging_of, dataset_of
from lic_bench.results.meta import PER_QUALITY, meta_of

#: classical codecs whose reported curve may serve as an anchor, by name: the source tags
#: to prefer, best first (any other reported curve of that name is used after them)
REPORTED_ANCHORS: dict[str, tuple[str, ...]] = {
    # CompressAI's Kodak curve (the one most papers re-use); elsewhere one version, 9.1, from
    # the LALIC authors' runs on CLIC 2020 professional validation and Tecnick
    "vtm": ("compressai-kodak", "lalic-authors-vtm9.1-clic2020-pro-valid", "lalic-authors-vtm9.1-tecnick",
            "c3-baselines-kodak"),
}

#: the version of a reported anchor curve where its file does not carry ``meta.codec_version``,
#: by source tag, with where that statement comes from
REPORTED_VERSIONS: dict[str, str] = {
    "compressai-kodak": (
        "VTM 9.1 as the LALIC authors label these same points (sjtu-medialab/RwkvCompress "
        "results/kodak-vtm91-compressai.json); CompressAI's results/image/kodak/vtm.json itself "
        "states no version (CompressAI issue #166 asks, unanswered)"
    ),
    "c3-baselines-kodak": "CompressAI's vtm.json as copied by C3's baselines (same points; version not stated)",
}


def _is_measured_anchor(doc: dict[str, Any]) -> bool:
    return meta_of(doc).get("kind") == "anchor"


def anchor_candidates(docs: list[dict[str, Any]], name: str, dataset: str) -> list[dict[str, Any]]:
    """Curves that can be the anchor ``name`` on ``dataset``: measured runs first, then
    (for the names of :data:`REPORTED_ANCHORS`) reported curves in the preferred order."""
    measured = [d for d in docs if _is_measured_anchor(d) and d.get("name") == name and dataset_of(d) == dataset]
    if measured or name not in REPORTED_ANCHORS:
        return measured
    prefer = REPORTED_ANCHORS[name]
    reported = [d for d in docs if meta_of(d).get("kind") == "reported" and d.get("name") == name
                and dataset_of(d) == dataset]

    def rank(doc: dict[str, Any]) -> tuple[int, str]:
        tag = str(meta_of(doc).get("tag") or "")
        return (prefer.index(tag) if tag in prefer else len(prefer), str(doc.get("_path") or ""))

    return sorted(reported, key=rank)


def find_anchor(docs: list[dict[str, Any]], name: str, dataset: str,
                averaging: str | None = PER_QUALITY) -> dict[str, Any]:
    """The anchor ``name`` on ``dataset`` averaged by ``averaging`` (None: any protocol,
    per-quality first); UsageError naming what exists otherwise."""
    found = anchor_candidates(docs, name, dataset)
    if averaging is not None:
        found = [d for d in found if averaging_of(d) == averaging]
    else:
        found.sort(key=lambda d: averaging_of(d) != PER_QUALITY)
    if found:
        return found[0]
    have = sorted({f"{d.get('name')}/{dataset_of(d)}/{averaging_of(d)}" for d in docs if _is_measured_anchor(d)}
                  | {f"{d.get('name')}/{dataset_of(d)}/{averaging_of(d)} (reported)" for d in docs
                     if d.get("name") in REPORTED_ANCHORS and meta_of(d).get("kind") == "reported"})
    want = f"{name!r} on {dataset!r}" + (f" averaged {averaging}" if averaging else "")
    raise UsageError(f"no anchor {want} (have: {', '.join(have) or 'none'})")


def anchor_version(doc: dict[str, Any]) -> str:
    """The codec version(s) of an anchor curve, as its file or publisher states them."""
    meta = meta_of(doc)
    for key in ("codec_version", "model_version"):
        if meta.get(key):
            value = str(meta[key])
            name = str(doc.get("name") or "").upper()
            return value if value.upper().startswith(name) else f"{name} {value}".strip()
    versions = meta.get("codec_versions")
    if isinstance(versions, dict) and versions:
        settings = meta.get("codec_settings") if isinstance(meta.get("codec_settings"), dict) else {}
        preset = f", preset {settings['preset']}" if settings.get("preset") else ""
        return "; ".join(str(v) if str(v).casefold().startswith(str(k).casefold()) else f"{k} {v}"
                         for k, v in versions.items()) + preset
    return REPORTED_VERSIONS.get(str(meta.get("tag") or ""), "version not stated by its source")


def anchor_info(doc: dict[str, Any]) -> dict[str, Any]:
    """What a BD number must say about its anchor (for JSON/CSV and the site)."""
    meta = meta_of(doc)
    return {
        "name": doc.get("name"),
        "dataset": dataset_of(doc),
        "averaging": averaging_of(doc),
        "version": anchor_version(doc),
        "provenance": meta.get("provenance"),
        "reported_by": meta.get("reported_by"),
        "path": doc.get("_path"),
    }


def anchor_text(doc: dict[str, Any]) -> str:
    """``x265-bpg444 (per-quality; x265 ...)``: the anchor as every BD number names it."""
    info = anchor_info(doc)
    by = "measured here" if info["provenance"] == "measured" else f"reported by {info['reported_by'] or '?'}"
    return f"{info['name']} ({info['averaging']}, {by}; {info['version']})"
