"""Running a study: killed at any moment, the same command resumes at cell granularity;
the Slurm path runs real cells through submitit's local executor."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lic_bench.study import runner
from lic_bench.study.grid import expand, load_study

pytest.importorskip("torch")


def test_existing_results_are_skipped(tmp_path, study_writer, monkeypatch):
    study = load_study(study_writer(tmp_path))
    cells = expand(study)
    results = tmp_path / "res"
    results.mkdir()
    (results / f"{cells[1].id}.json").write_text("{}")
    launched = []
    monkeypatch.setattr(runner, "_run_local", lambda specs, *a: launched.extend(s["cell"]["id"] for s in specs))
    summary = runner.run_study(study, cells, results_dir=results, runs_dir=tmp_path / "runs", progress=False)
    assert summary.done_before == [cells[1].id]
    assert launched == [c.id for c in cells if c is not cells[1]]


@pytest.mark.slow
def test_killed_study_resumes_through_submitit(tiny_study):
    cells, results, summary = tiny_study["cells"], tiny_study["results"], tiny_study["summary"]
    killed_after = tiny_study["killed_after"]
    assert len(killed_after) >= 1, "the first run was killed before any cell finished"
    assert tiny_study["workers"], "the study run was killed while no worker ran"
    assert tiny_study["orphans"] == [], "a worker outlived the killed study run"
    # the cells done before the kill were not run again, and every other cell now is
    assert sorted(summary.done_before) == sorted(n.removesuffix(".json") for n in killed_after)
    assert not summary.failed, summary.failed
    assert sorted(summary.done_before + summary.done) == sorted(c.id for c in cells)
    for name, mtime in killed_after.items():
        assert (results / name).stat().st_mtime_ns == mtime
    assert sorted(p.stem for p in results.glob("*.json")) == sorted(c.id for c in cells)


@pytest.mark.slow
def test_cell_results_have_compressai_shape_and_provenance(tiny_study):
    cell = tiny_study["cells"][0]
    doc = json.loads((tiny_study["results"] / f"{cell.id}.json").read_text())
    assert doc["name"] == "bmshj2018-factorized"
    assert len(doc["results"]["bpp"]) == len(doc["results"]["psnr-rgb"]) == 2  # two gain levels
    meta = doc["meta"]
    assert meta["kind"] == "study" and meta["cell"] == cell.id and meta["seed"] == 1
    assert meta["config_hash"] == cell.config_hash and meta["levels"] == [0.0018, 0.1]
    assert meta["training"]["steps"] == 4 and meta["cpu_s"] > 0 and meta["wall_s"] > 0
    assert meta["threads"] == 1 and meta["dataset"]["num_images"] == 2
    assert meta["command"].startswith("lic-bench fit -c configs/protocols/cpu-mini.yaml")
    assert "--set model.default_quality=2" in meta["test_commands"][1]
    assert meta["git_commit"] and meta["machine"]


@pytest.mark.slow
def test_a_cells_finished_fit_is_found_only_under_its_own_config(tiny_study):
    from lic_bench.study.grid import cell_spec
    from lic_bench.study.worker import _finished_fit, _interrupted_checkpoint, cell_config

    study = load_study(tiny_study["path"])
    cell = tiny_study["cells"][-1]
    spec = cell_spec(cell, study, results_dir=tiny_study["results"], runs_dir=tiny_study["runs"], threads=1)
    cfg, _ = cell_config(spec)
    runs = tiny_study["runs"] / cell.id
    found = _finished_fit(runs, cfg)
    assert found is not None and found[1]["global_step"] == 4
    assert _interrupted_checkpoint(runs, cfg) is not None
    other = {**cfg, "seed": cfg["seed"] + 10}  # changed settings: the old run is not this cell's
    assert _finished_fit(runs, other) is None and _interrupted_checkpoint(runs, other) is None
    assert _finished_fit(runs, {**cfg, "threads": 7}) is not None  # where it ran does not matter


def test_a_cell_runs_in_one_process_at_a_time(tmp_path, study_writer):
    import fcntl

    from lic_bench.errors import UsageError
    from lic_bench.study.grid import cell_spec
    from lic_bench.study.worker import execute_cell

    study = load_study(study_writer(tmp_path))
    spec = cell_spec(expand(study)[0], study, results_dir=tmp_path / "res", runs_dir=tmp_path / "runs", threads=1)
    lock_path = tmp_path / "runs" / spec["cell"]["id"] / "cell.lock"
    lock_path.parent.mkdir(parents=True)
    with open(lock_path, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(UsageError, match="being run by another process"):
            execute_cell(spec)
    # once the other process has finished the cell, a late worker leaves its result alone
    Path(spec["result"]).parent.mkdir(parents=True)
    Path(spec["result"]).write_text("{}")
    assert execute_cell(spec) == spec["result"] and Path(spec["result"]).read_text() == "{}"


@pytest.mark.slow
def test_a_killed_fit_resumes_from_its_last_checkpoint(tmp_path, study_writer, shared_data):
    """A cell whose fit was killed after step 2 of 4 (simulated: the run's summary is gone
    and last.ckpt is the step-2 checkpoint) continues from there, not from scratch."""
    import shutil

    from lic_bench.engine.train import fit
    from lic_bench.study.grid import cell_spec
    from lic_bench.study.worker import cell_config, execute_cell

    study = load_study(study_writer(tmp_path, models=["bmshj2018-factorized"], seeds=[1]))
    spec = cell_spec(expand(study)[0], study, results_dir=tmp_path / "res", runs_dir=tmp_path / "runs", threads=1)
    cfg, _ = cell_config(spec)
    run = Path(fit(cfg).run_dir)
    (run / "summary.json").unlink()
    shutil.copy(run / "checkpoints" / "step=0000002.ckpt", run / "checkpoints" / "last.ckpt")
    meta = json.loads(Path(execute_cell(spec)).read_text())["meta"]
    assert meta["training"]["resumed_from"] == str(run / "checkpoints" / "last.ckpt")
    assert meta["training"]["steps"] == 4
    assert len(list((tmp_path / "runs" / spec["cell"]["id"]).glob("*/summary.json"))) == 1
