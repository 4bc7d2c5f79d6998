"""One study cell: ``fit`` then ``test``, in this process, and its results file.

The same code paths as ``lic-bench fit -c PROTOCOL --set ...`` and ``lic-bench test
--checkpoint ...`` (the commands are recorded in ``meta``), run in one process so the
interpreter and torch are imported once per cell rather than once per stage. The local
launcher starts one ``python -m lic_bench.study.worker SPEC.json`` per cell; the Slurm
launcher hands :func:`execute_cell` to submitit, whose job is its own process.

Resuming: a cell's training runs live in ``<runs>/<timestamp>/``. A run with a
``summary.json`` is a finished fit and is tested as it is; otherwise the newest
``last.ckpt`` of an interrupted run is resumed (``fit --resume``), so a killed cell
loses at most one checkpoint interval. Only runs whose saved ``config.yaml`` is the
cell's config count (threads and folders aside): after the study's settings change,
the cell trains afresh. The result file is written last and atomically:
it exists only for a cell that is done.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from lic_bench.errors import UsageError


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


#: keys that may differ between two runs of the same cell (where it ran, how fast)
_RUN_KEYS = ("resumed_from", "threads", "output_dir")


def _same_config(run_dir: Path, cfg: dict[str, Any]) -> bool:
    """Whether a run folder was trained with ``cfg`` (so its checkpoints belong to this cell)."""
    from lic_bench.config_files import read_yaml

    try:
        saved = read_yaml(run_dir / "config.yaml")
    except UsageError:  # missing, unreadable or not a mapping: not this cell's run
        return False

    def key(c: Any) -> str:
        if not isinstance(c, dict):
            return ""
        return json.dumps({k: v for k, v in c.items() if k not in _RUN_KEYS}, sort_keys=True, default=str)

    return key(saved) == key(cfg)


def _finished_fit(runs: Path, cfg: dict[str, Any]) -> tuple[Path, dict] | None:
    for summary in sorted(runs.glob("*/summary.json"), reverse=True):
        data = json.loads(summary.read_text())
        ckpt = data.get("last_checkpoint")
        if ckpt and Path(ckpt).is_file() and _same_config(summary.parent, cfg):
            return Path(ckpt), data
    return None


def _interrupted_checkpoint(runs: Path, cfg: dict[str, Any]) -> Path | None:
    found = sorted((p for p in runs.glob("*/checkpoints/last.ckpt") if _same_config(p.parent.parent, cfg)),
                   key=lambda p: p.stat().st_mtime)
    return found[-1] if found else None


def _commands(spec: dict[str, Any], sets: list[str], checkpoint: str, quality: int | None) -> list[str]:
    root = _root()

    def rel(p: str) -> str:
        return os.path.relpath(p, root) if Path(p).is_absolute() and Path(p).is_relative_to(root) else p

    threads = ["--threads", str(spec["threads"])] if spec.get("threads") else []
    fit = ["lic-bench", "fit", *[a for p in spec["protocol"] for a in ("-c", rel(p))],
           *[a for s in sets for a in ("--set", s)], *threads]
    test = ["lic-bench", "test", "--checkpoint", rel(checkpoint), "--dataset", spec["dataset"], *threads]
    if spec.get("test_limit"):
        test += ["--limit", str(spec["test_limit"])]
    if quality is not None:
        test += ["--set", f"model.default_quality={quality}"]
    return [shlex.join(fit), shlex.join(test)]


def _root() -> Path:
    from lic_bench.paths import project_root

    return project_root()


def _merge_levels(docs: list[dict[str, Any]]) -> tuple[dict[str, list], dict[str, Any]]:
    """One RD point per document -> CompressAI's lists, sorted by rate; per-image by level."""
    order = sorted(range(len(docs)), key=lambda i: docs[i]["results"]["bpp"][0])
    keys = list(docs[0]["results"])
    results = {k: [docs[i]["results"][k][0] for i in order] for k in keys}
    if len(docs) == 1:
        return results, docs[0]["per_image"]
    per_image = {f"q{i + 1}/{name}": values for i, d in enumerate(docs) for name, values in d["per_image"].items()}
    return results, per_image


def cell_config(spec: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The resolved training config of a cell, and the ``--set`` items that make it."""
    from lic_bench.engine.config import load_config

    cell = spec["cell"]
    sets = [*cell["sets"], f"name={cell['id']}", f"output_dir={json.dumps(str(Path(spec['runs']).parent))}"]
    extra = {"threads": spec["threads"]} if spec.get("threads") else None
    return load_config(spec["protocol"], sets, extra), sets


def execute_cell(spec: dict[str, Any]) -> str:
    """Fit (or resume) and test one cell; write its results file; return its path."""
    import fcntl

    cell = spec["cell"]
    runs = Path(spec["runs"])
    runs.mkdir(parents=True, exist_ok=True)
    # One process per cell: a second `study run` of the same study (or a requeued job)
    # must not train the same cell beside the first one.
    with open(runs / "cell.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise UsageError(f"cell {cell['id']} is being run by another process ({runs / 'cell.lock'})") from None
        if Path(spec["result"]).is_file():  # finished by that other process meanwhile
            return spec["result"]
        return _execute(spec, cell, runs)


def _execute(spec: dict[str, Any], cell: dict[str, Any], runs: Path) -> str:
    import torch

    from lic_bench.engine.config import deep_merge, resolve
    from lic_bench.engine.evaluate import run_test
    from lic_bench.engine.train import config_from_checkpoint, fit
    from lic_bench.results import collect_meta, write_result

    started, cpu0 = time.perf_counter(), _cpu_seconds()
    cfg, sets = cell_config(spec)
    finished = _finished_fit(runs, cfg)
    resumed_from = None
    if finished is None:
        resumed_from = _interrupted_checkpoint(runs, cfg)
        fit(cfg, resume=resumed_from)
        finished = _finished_fit(runs, cfg)
        if finished is None:
            raise RuntimeError(f"cell {cell['id']}: the fit wrote no summary.json under {runs}")
    checkpoint, summary = finished
    fit_wall, fit_cpu = time.perf_counter() - started, _cpu_seconds() - cpu0

    device = "cuda" if torch.cuda.is_available() else "cpu"
    trained = config_from_checkpoint(checkpoint)
    qualities = list(range(1, len(cell["levels"]) + 1)) or [None]
    docs = []
    for q in qualities:
        test_cfg = trained if q is None else resolve(deep_merge(trained, {"model": {"default_quality": q}}))
        doc, _ = run_test(checkpoint, config=test_cfg, dataset=spec["dataset"], threads=spec.get("threads"),
                          device=device, progress=False, limit=spec.get("test_limit"), write=False)
        docs.append(doc)
    results, per_image = _merge_levels(docs)
    wall, cpu = time.perf_counter() - started, _cpu_seconds() - cpu0
    first = docs[0]["meta"]
    meta = collect_meta(
        "study", device=device, threads=spec.get("threads") or torch.get_num_threads(),
        command=" && ".join(_commands(spec, sets, str(checkpoint), None)),
        test_commands=[_commands(spec, sets, str(checkpoint), q)[1] for q in qualities],
        study=cell["study"], cell=cell["id"], variant=cell["variant"], seed=cell["seed"],
        rate=cell["rate"], swap=cell["swap"], sets=list(cell["sets"]), config_hash=spec["config_hash"],
        protocol_hash=spec.get("protocol_hash"),
        protocol=[os.path.relpath(p, _root()) for p in spec["protocol"]],
        levels=cell["levels"] or None, model=cell["model"], taxonomy=first["taxonomy"], papers=first["papers"],
        nonlinearity=first["nonlinearity"], dataset=first["dataset"],
        training={**(first.get("training") or {}), "steps": summary.get("global_step"),
                  "resumed_from": str(resumed_from) if resumed_from else None},
        machine=platform.node(), wall_s=round(wall, 2), cpu_s=round(cpu, 2),
        fit_wall_s=round(fit_wall, 2), fit_cpu_s=round(fit_cpu, 2),
        gpu_s=round(wall, 2) if device == "cuda" else 0.0,
        note=("CPU and wall seconds of this process (fit and test); a resumed fit counts only "
              "the part run here, its earlier part is in training.resumed_from's run"),
        eval_meta={k: first.get(k) for k in ("checkpoint", "checkpoint_hash", "weights_hash", "lpips_unavailable",
                                             "decode_check")},
    )
    doc = {"name": cell["model"],
           "description": f"study {cell['study']}, cell {cell['id']}: {docs[0]['description']}",
           "results": results, "per_image": per_image, "meta": meta}
    return str(write_result(doc, spec["result"], overwrite_same_run=False))


def main(argv: list[str] | None = None) -> int:
    """``python -m lic_bench.study.worker SPEC.json``: one cell; errors as one line."""
    from lic_bench.errors import LicBenchError

    args = sys.argv[1:] if argv is None else argv
    spec = json.loads(Path(args[0]).read_text())
    try:
        print(execute_cell(spec))
    except LicBenchError as exc:
        print(f"error: cell {spec['cell']['id']}: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
