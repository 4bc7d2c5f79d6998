"""The "Decoding across backends" part of a page: pure functions of determinism
documents (``meta.kind == "determinism"``, written by ``lic-bench determinism``)."""

from __future__ import annotations

from typing import Any

from lic_bench.results.meta import meta_of
from lic_bench.site import _md

_EXPLAIN = (
    "Measured here by `lic-bench determinism`: one image is encoded once (one thread, "
    "oneDNN on), then the same file is decoded in a fresh process per backend and the "
    "decoded pixels are compared with the first backend's by SHA-256. *native* means "
    "`torch.backends.mkldnn.enabled = False`, so PyTorch's own CPU kernels run the "
    "convolutions instead of oneDNN. The entropy decoder trusts the hyper-decoder's "
    "floats to pick its tables; where they differ from the encoder's, a value that "
    "lands across a table boundary garbles the rest of the image. The context models "
    "therefore run everything between the hyperprior and the latents with oneDNN on and "
    "two threads whatever the global settings; a difference of one level left in a "
    "*native* column comes from the synthesis transform, after entropy decoding."
)


def _cell(results: dict[str, Any], i: int, reference: str) -> str:
    def at(key: str) -> Any:
        values = results.get(key) or []
        return values[i] if i < len(values) else None

    status, backend = at("status"), at("backend")
    if status == "skipped":
        return f"skipped ({_md.cell(at('note'))})"
    if status == "error":
        return f"**error**: {_md.cell(at('note'))}"
    if backend == reference:
        return "reference"
    if status == "identical":
        return "identical" if at("float_identical") else "same pixels, floats differ"
    diff = at("max_abs_diff")
    return f"**differs** (up to {diff} level{'s' if diff != 1 else ''})" if diff is not None else "**differs**"


def dependent_models(docs: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """``(model, backends whose pixels differ or fail)`` for every model that has some."""
    out = []
    for doc in docs:
        res = doc.get("results") or {}
        bad = [b for b, s in zip(res.get("backend", []), res.get("status", []), strict=False)
               if s in ("differs", "error")]
        if bad:
            out.append((str(doc.get("name")), bad))
    return out


def determinism_section(docs: list[dict[str, Any]]) -> str:
    """Markdown: one row per model and one column per backend; "" without documents."""
    docs = sorted((d for d in docs if meta_of(d).get("kind") == "determinism"),
                  key=lambda d: str(d.get("name")))
    if not docs:
        return ""
    backends: list[str] = []
    for doc in docs:
        for b in (doc.get("results") or {}).get("backend", []):
            if b not in backends:
                backends.append(b)
    rows = []
    for doc in docs:
        meta, res = meta_of(doc), doc.get("results") or {}
        have = list(res.get("backend", []))
        reference = meta.get("reference_backend", have[0] if have else None)
        cells = [_cell(res, have.index(b), reference) if b in have else "-" for b in backends]
        size = meta.get("size") or ["?", "?"]
        measured = f"{_md.cell(str(meta.get('date', ''))[:10])}, `{_md.cell(str(meta.get('git_commit', ''))[:12])}`"
        # plain cells, not code spans: an escaped entity would show verbatim inside one
        rows.append([_md.cell(doc.get('name')),
                     f"{_md.cell(meta.get('image'))} {size[1]}×{size[0]}, {meta.get('bpp', '?')} bpp",
                     *cells, measured])
    parts = ["### Decoding across backends", "", _EXPLAIN, "",
             _md.table(["model", "image", *[_md.cell(b) for b in backends], "measured"], rows), ""]
    dependent = dependent_models(docs)
    if dependent:
        parts += ["Decoding that depends on the backend's arithmetic:", ""]
        parts += [f"- `{_md.cell(name)}`: " + ", ".join(f"`{_md.cell(b)}`" for b in bad)
                  for name, bad in dependent]
        parts += [""]
    else:
        parts += ["Every backend tried decodes every model above to the same pixels.", ""]
    commands = sorted({str(meta_of(d).get("command", "")) for d in docs})
    parts += ["Command: " + ", ".join(f"`{_md.cell(c)}`" for c in commands if c), ""]
    return "\n".join(parts)
