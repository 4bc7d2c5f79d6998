"""`lic-bench study run|report`: a grid of variants × rates × seeds, and its BD table.

See lic_bench/study/ and site/guides/run-a-study.md.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

study_app = typer.Typer(help="Run an ablation study (a grid of fit + test cells) and report it.",
                        no_args_is_help=True)

StudyArg = Annotated[Path, typer.Argument(help="Study file (configs/studies/*.yaml).")]
ResultsOpt = Annotated[
    Optional[Path], typer.Option("--results-dir", help="Where cell results go (default: results/studies/<name>).")
]


class Launcher(str, Enum):
    local = "local"
    slurm = "slurm"
    submitit_local = "submitit-local"


class ReportFormat(str, Enum):
    table = "table"
    json = "json"


def _load(path: Path):
    from lic_bench.study.grid import expand, load_study

    study = load_study(path)
    return study, expand(study)


def _results_dir(study, given: Path | None) -> Path:
    from lic_bench.paths import results_dir

    return given if given is not None else results_dir() / "studies" / study.name


@study_app.command("run")
def run_cmd(
    study_file: StudyArg,
    launcher: Annotated[Launcher, typer.Option("--launcher", help="local processes, Slurm (submitit), "
                                               "or submitit's local executor.")] = Launcher.local,
    parallel: Annotated[int, typer.Option("--parallel", "-j", min=1, help="Cells at once.")] = 1,
    threads: Annotated[Optional[int], typer.Option("--threads", min=1, help="CPU threads per cell.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List the cells and whether each is done.")] = False,
    results: ResultsOpt = None,
    runs: Annotated[Optional[Path], typer.Option("--runs-dir", help="Checkpoints and logs "
                                                 "(default: runs/studies/<name>, git-ignored).")] = None,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar.")] = False,
    trust: Annotated[bool, typer.Option("--trust", help="Run a study file that names code or settings "
                                        "outside lic-bench's registries (checked like a downloaded "
                                        "checkpoint's config otherwise).")] = False,
) -> None:
    """Fit and test every cell without a results file (stop at any time; rerun to resume)."""
    from lic_bench.errors import UsageError
    from lic_bench.paths import project_root
    from lic_bench.study.grid import expand, load_study
    from lic_bench.study.runner import pending_cells, run_study
    from lic_bench.study.trust import TRUST_WARNING, check_cells

    study = load_study(study_file)
    # The trust check comes first: validating a cell resolves its config, which would
    # import a class a study names.
    cells = expand(study, validate=False)
    refused = {} if trust else check_cells(study, cells)
    if not any("names code" in reason for reason in refused.values()):
        cells = expand(study)  # a typo'd key is reported as before, in one line
    out = _results_dir(study, results)
    if trust:
        typer.echo(TRUST_WARNING, err=True)
    if dry_run:
        done, _ = pending_cells(cells, out)
        for cell in cells:
            state = "done" if cell in done else ("REFUSED" if cell.id in refused else "todo")
            typer.echo(f"{state}  {cell.id}  sets: {' '.join(cell.sets)}")
            if cell.id in refused:
                typer.echo(f"    {refused[cell.id]}")
        typer.echo(f"{len(cells)} cells, {len(done)} done, {len(cells) - len(done)} to run"
                   + (f"; {len(refused)} refused without --trust" if refused else ""), err=True)
        return
    if refused:
        first, reason = next(iter(refused.items()))
        raise UsageError(f"{study_file}: cell {first}: {reason}; run it only if you trust the file (--trust)")
    runs_dir = (runs if runs is not None else project_root() / "runs" / "studies" / study.name).resolve()
    summary = run_study(study, cells, results_dir=out.resolve(), runs_dir=runs_dir, launcher=launcher.value,
                        parallel=parallel, threads=threads, progress=not no_progress)
    typer.echo(json.dumps(summary.as_dict(), indent=2))
    if summary.failed:
        first = next(iter(summary.failed.items()))
        typer.echo(f"error: {len(summary.failed)} cell(s) failed; {first[0]}: {first[1]}", err=True)
        raise typer.Exit(1)


@study_app.command("report")
def report_cmd(
    study_file: StudyArg,
    format_: Annotated[ReportFormat, typer.Option("--format", "-f", help="table or json.")] = ReportFormat.table,
    anchor: Annotated[Optional[str], typer.Option("--anchor", help="Anchor codec (default: the study's).")] = None,
    plot: Annotated[Optional[Path], typer.Option("--plot", help="Write the RD plot (.html, or .png with kaleido).")] = None,
    results: ResultsOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the --plot file if it exists.")] = False,
) -> None:
    """BD-rate / BD-PSNR per variant (mean ± std over seeds), ranking, cost, missing cells."""
    from lic_bench.study.report import build_report, to_text, write_plot

    study, cells = _load(study_file)
    report = build_report(study, cells, _results_dir(study, results), anchor)
    if plot is not None:
        write_plot(report, plot, force=force)
    if format_ is ReportFormat.json:
        typer.echo(json.dumps(report, indent=2))
    else:
        typer.echo(to_text(report))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.add_typer(study_app, name="study")
