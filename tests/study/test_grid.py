"""A study file expands into a stable grid of cells; bad grids are refused in one line."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from lic_bench.errors import UsageError
from lic_bench.study.grid import expand, load_study

pytest.importorskip("torch")  # resolving each cell's config builds the model's settings


def _one_line_error(result) -> str:
    assert result.exit_code != 0 and isinstance(result.exception, UsageError), result.output
    message = str(result.exception)
    assert "\n" not in message
    return message


def test_grid_is_models_x_swaps_x_rates_x_seeds(tmp_path, study_writer):
    path = study_writer(tmp_path, models={"fp": "bmshj2018-factorized", "msh": "mbt2018-mean"},
                        swaps=[{"model.nonlinearity": "gdn"}, {"model.nonlinearity": "relu"},
                               {"name": "wide", "set": {"model.N": 16}}],
                        rates={"quality": [1, 3]}, seeds=[1, 2])
    cells = expand(load_study(path))
    assert len(cells) == 2 * 3 * 2 * 2
    ids = [c.id for c in cells]
    assert ids[:4] == ["fp-gdn-q1-s1", "fp-gdn-q1-s2", "fp-gdn-q3-s1", "fp-gdn-q3-s2"]
    assert "msh-wide-q3-s2" in ids and len(set(ids)) == len(ids)
    cell = next(c for c in cells if c.id == "fp-relu-q3-s2")
    assert cell.variant == "fp-relu" and cell.seed == 2 and cell.model == "bmshj2018-factorized"
    assert {"model.nonlinearity=\"relu\"", "loss.quality=3", "seed=2", "model.name=\"bmshj2018-factorized\""} <= set(cell.sets)
    assert [c.id for c in expand(load_study(path))] == ids  # deterministic


def test_gain_units_give_one_cell_per_seed(tmp_path, study_writer):
    cells = expand(load_study(study_writer(tmp_path, rates={"gain-units": [0.0018, 0.0067, 0.1]})))
    assert [c.id for c in cells] == ["bmshj2018-factorized-gain-s1", "bmshj2018-factorized-gain-s2",
                                     "bmshj2018-hyperprior-gain-s1", "bmshj2018-hyperprior-gain-s2"]
    assert cells[0].levels == (0.0018, 0.0067, 0.1)
    assert "model.variable_rate=\"gain-units\"" in cells[0].sets


def test_lambda_ids_are_kebab(tmp_path, study_writer):
    cells = expand(load_study(study_writer(tmp_path, rates={"lmbda": [0.0067]}, seeds=[3])))
    assert cells[0].id == "bmshj2018-factorized-l0p0067-s3"


@pytest.mark.parametrize("fields, expected", [
    ({"swaps": [{"model.nonlinearity": "relu"}, {"model.hyper_nonlinearity": "relu"}]}, "cells collide"),
    ({"swaps": [{"name": "a", "set": {"model.N": 16}}, {"name": "b", "set": {"model.N": 16}}]}, "same settings"),
    ({"seeds": [1, 1]}, "cells collide"),
    ({"models": ["bmshj2018-factorized", "no-such-model"]}, "unknown model 'no-such-model'"),
    ({"swaps": [{"optim.lrr": 1}]}, "unknown config key 'optim.lrr'"),
    ({"settings": {"trainr": {"max_steps": 2}}}, "unknown config key 'trainr.max_steps'"),
    ({"swaps": [{"model.nonlinearty": "gdn"}]}, "no parameter(s) nonlinearty"),
    ({"rates": {"quality": [0]}}, "rates.quality.0: input should be greater than 0"),
    ({"rates": {"gain-units": [0.01]}}, "at least 2"),
    ({"colour": "red"}, "unknown study key(s) colour"),
    ({"name": "Not Kebab"}, "kebab-case"),
    ({"seeds": ["3"]}, "seeds.0: input should be a valid integer (got '3')"),
    ({"test_limit": 0}, "test_limit: input should be greater than or equal to 1"),
    ({"protocol": "missing.yaml"}, "missing.yaml does not exist"),
    ({"baseline": "mbt2018"}, "baseline: 'mbt2018' names none of the study's variants"),
    ({"rates": {"quality": [1], "lmbda": [0.1]}}, "rates: give one of"),
])
def test_bad_grids_are_refused_in_one_line(tmp_path, study_writer, fields, expected):
    from lic_bench.cli import app

    path = study_writer(tmp_path, **fields)
    result = CliRunner().invoke(app, ["study", "run", str(path), "--dry-run"])
    assert expected in _one_line_error(result)


def test_bad_yaml_and_console_exit(tmp_path, monkeypatch, capsys):
    from lic_bench.cli import main

    path = tmp_path / "bad.yaml"
    path.write_text("name: [unclosed\n")
    monkeypatch.setattr("sys.argv", ["lic-bench", "study", "run", str(path), "--dry-run"])
    with pytest.raises(SystemExit) as exit_info:
        main()
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and "not valid YAML" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_dry_run_lists_done_and_todo(tmp_path, study_writer):
    from lic_bench.cli import app

    path = study_writer(tmp_path)
    results = tmp_path / "res"
    results.mkdir()
    (results / "bmshj2018-hyperprior-gain-s1.json").write_text("{}")
    result = CliRunner().invoke(app, ["study", "run", str(path), "--dry-run", "--results-dir", str(results)])
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith(("done", "todo"))]
    assert len(lines) == 4 and lines[2].startswith("done  bmshj2018-hyperprior-gain-s1")
    assert sum(ln.startswith("todo") for ln in lines) == 3


def test_editing_the_protocol_makes_its_cells_stale(tmp_path, study_writer):
    """A cell records its protocol's merged settings; changing a value (not a comment) of
    the protocol or of a file it extends marks the cell stale in the report."""
    from lic_bench.study.report import check_cells

    base = tmp_path / "base.yaml"
    base.write_text("trainer: {max_steps: 100}\n")
    proto = tmp_path / "proto.yaml"
    proto.write_text("extends: base.yaml\noptim: {lr: 1.0e-3}\n")
    path = study_writer(tmp_path, protocol=str(proto), settings={})
    cells = expand(load_study(path))
    found = {c.id: {"meta": {"config_hash": c.config_hash, "protocol_hash": c.protocol_hash}} for c in cells}
    assert check_cells(cells, found)[2] == []
    proto.write_text("# a comment\nextends: base.yaml\noptim: {lr: 1.0e-3}\n")
    assert [c.protocol_hash for c in expand(load_study(path))] == [c.protocol_hash for c in cells]
    base.write_text("trainer: {max_steps: 200}\n")
    cells2 = expand(load_study(path))
    _, _, notes = check_cells(cells2, found)
    assert len(notes) == len(cells2) and all("stale" in n for n in notes)
    # cells written before the protocol was hashed are judged by their settings alone
    old = {c.id: {"meta": {"config_hash": c.config_hash}} for c in cells}
    assert check_cells(cells2, old)[2] == []
