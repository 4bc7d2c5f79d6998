"""`lic-bench kb ...`: check, query and export the knowledge base (no torch needed)."""

from __future__ import annotations

import csv
import functools
import io
import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from lic_bench.cli._options import FormatOpt, OutputFormat
from lic_bench.errors import LicBenchError, UsageError

kb_app = typer.Typer(
    name="kb",
    help=(
        "Knowledge base: validate records, query papers/components/trends, export graph and "
        "BibTeX. Queries and exports refuse (exit 1, one line per problem) a knowledge base "
        "that `kb validate` does not pass."
    ),
    no_args_is_help=True,
)
bibtex_app = typer.Typer(name="bibtex", help="Export or import BibTeX.", no_args_is_help=True)
kb_app.add_typer(bibtex_app)

RootOpt = Annotated[
    Optional[Path],
    typer.Option("--root", help="Project root holding taxonomy/ and papers/ (default: this checkout)."),
]
SinceOpt = Annotated[Optional[int], typer.Option("--since", help="First year (inclusive).")]
UntilOpt = Annotated[Optional[int], typer.Option("--until", help="Last year (inclusive).")]
SurveyOpt = Annotated[
    Optional[str],
    typer.Option(
        "--survey",
        help="A survey's view (its paper id, e.g. ferrari2025-registry): only the papers it "
        "lists, with its years and components where they differ from the records.",
    ),
]


def _user_errors(func):
    """Report user errors as one ``error:`` line and an exit code, also under CliRunner."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except LicBenchError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None

    return wrapper


def _load(root: Path | None):
    """The knowledge base, or exit 1 listing its problems.

    Queries and exports refuse a knowledge base with problems rather than answer from
    the records that happen to load: a table silently missing a paper is worse than
    none. The problems go to stderr, one line each, and nothing to stdout.
    """
    from lic_bench.kb import load_kb

    if root is not None and not root.is_dir():
        raise UsageError(f"--root {root} is not a folder")
    kb = load_kb(root, strict=False)
    if kb.problems:
        for problem in kb.problems:
            typer.echo(str(problem), err=True)
        raise LicBenchError(
            f"the knowledge base has {len(kb.problems)} problem(s) (listed above); "
            "fix them first (`lic-bench kb validate` checks)"
        )
    return kb


def _view(kb, survey: str | None):
    """``kb`` itself, or the view of the survey record ``survey`` (former ids accepted)."""
    return kb if survey is None else kb.survey_view(survey)


def _check_years(since: int | None, until: int | None) -> None:
    if since is not None and until is not None and since > until:
        raise UsageError(f"--since {since} is after --until {until}")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def emit(rows: list[dict], fmt: OutputFormat, columns: list[str], title: str = "") -> None:
    """Print rows as a rich table (``columns`` only), JSON or CSV (all fields)."""
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif fmt is OutputFormat.csv:
        buffer = io.StringIO()
        fields = list(rows[0]) if rows else columns
        writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: _cell(row.get(k)) for k in fields} for row in rows)
        typer.echo(buffer.getvalue(), nl=False)
    else:
        from lic_bench.cli._table import render

        text, dropped = render([[_cell(row.get(col)) for col in columns] for row in rows], columns,
                               mins={"title": 30, "summary": 30, "name": 16})
        typer.echo(text)
        note = f"; left out to fit: {', '.join(dropped)} (--format json has every field)" if dropped else ""
        typer.echo(f"{len(rows)} row(s){note}", err=True)


@kb_app.command("validate")
@_user_errors
def validate_cmd(root: RootOpt = None) -> None:
    """Check every taxonomy node and paper record, and that results curves name existing
    records (learned reported curves must name one); print one line per problem."""
    from lic_bench.kb import load_kb
    from lic_bench.kb.result_links import link_problems
    from lic_bench.paths import results_dir
    from lic_bench.results import load_results

    if root is not None and not root.is_dir():
        raise UsageError(f"--root {root} is not a folder")
    kb = load_kb(root, strict=False)  # read once: its problems are validate_kb's
    problems = list(kb.problems)
    if results_dir(root).is_dir():
        problems += link_problems(kb, load_results(root))
    if problems:
        for problem in problems:
            typer.echo(str(problem))
        typer.echo(f"{len(problems)} problem(s) found", err=True)
        raise typer.Exit(1)
    edges = sum(len(p.builds_on) for p in kb.papers.values())
    typer.echo(
        f"OK: {len(kb.components)} components in {len(kb.areas)} areas, "
        f"{len(kb.papers)} papers, {edges} builds_on links"
    )


@kb_app.command("graph")
@_user_errors
def graph_cmd(
    output: Annotated[Path, typer.Option("--output", "-o", help="File: .graphml, .gexf or .json.")],
    root: RootOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the output file if it exists.")] = False,
) -> None:
    """Write the component/paper graph as GraphML, GEXF or node-link JSON (by extension)."""
    from lic_bench.kb import GRAPH_FORMATS, build_graph, write_graph

    if output.suffix.lower() not in GRAPH_FORMATS:
        raise UsageError(
            f"cannot tell the graph format from {output.name!r}: use one of "
            + ", ".join(GRAPH_FORMATS)
        )
    graph = build_graph(_load(root))
    fmt = write_graph(graph, output, force=force)
    typer.echo(f"wrote {output} ({fmt}, {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)")


@kb_app.command("papers")
@_user_errors
def papers_cmd(
    component: Annotated[
        Optional[str], typer.Option("--component", "-c", help="Component id (its subtree counts).")
    ] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    search: Annotated[
        Optional[str], typer.Option("--search", "-s", help="Words to find in title, authors, venue, notes.")
    ] = None,
    survey: SurveyOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    root: RootOpt = None,
) -> None:
    """List papers, optionally by component, year range and text, or as a survey saw them."""
    from lic_bench.kb import papers_table

    _check_years(since, until)
    kb = _view(_load(root), survey)
    rows = papers_table(kb, component=component, since=since, until=until, search=search)
    if fmt is OutputFormat.table:
        for row in rows:
            row["first author"] = row["authors"][0] + (" et al." if len(row["authors"]) > 1 else "")
    emit(rows, fmt, ["id", "year", "title", "first author", "venue", "components"], "Papers")


@kb_app.command("components")
@_user_errors
def components_cmd(fmt: FormatOpt = OutputFormat.table, root: RootOpt = None) -> None:
    """List taxonomy components in tree order: papers that contribute each (papers), papers
    that only use it (uses; see papers/_template.yaml)."""
    from lic_bench.kb import components_table

    rows = components_table(_load(root))
    if fmt is OutputFormat.table:
        for row in rows:
            row["node"] = "  " * row["depth"] + row["id"]
    emit(rows, fmt, ["node", "papers", "uses", "name", "implementations"], "Components")


@kb_app.command("trends")
@_user_errors
def trends_cmd(
    by: Annotated[str, typer.Option("--by", help="Group by 'area' or 'component'.")] = "area",
    since: SinceOpt = None,
    until: UntilOpt = None,
    survey: SurveyOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    root: RootOpt = None,
) -> None:
    """Papers per year and area (or component); a paper counts once in each of its areas."""
    from lic_bench.kb import trends

    _check_years(since, until)
    rows = trends(_view(_load(root), survey), by=by, since=since, until=until)  # type: ignore[arg-type]
    title = f"Papers per year by {by}" + (f" as {survey} saw them" if survey else "")
    emit(rows, fmt, ["group", "year", "count"], title)


@bibtex_app.command("export")
@_user_errors
def bibtex_export_cmd(
    output: Annotated[
        Optional[Path], typer.Option("--output", "-o", help="BibTeX file (default: stdout).")
    ] = None,
    aliases: Annotated[
        str,
        typer.Option(
            "--aliases",
            help="Former ids: 'ids' (a biblatex ids field) or 'entries' (also a copy of the "
            "entry under each former key, for plain BibTeX).",
        ),
    ] = "ids",
    root: RootOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the output file if it exists.")] = False,
) -> None:
    """Write BibTeX for every paper, key = paper id; former ids stay citable."""
    from lic_bench.kb import kb_bibtex
    from lic_bench.kb.bibtex import ALIAS_STYLES

    if aliases not in ALIAS_STYLES:
        raise UsageError(f"--aliases must be one of {', '.join(ALIAS_STYLES)}, not {aliases!r}")
    kb = _load(root)
    text = kb_bibtex(kb, aliases=aliases)
    if output is None:
        sys.stdout.write(text)
        return
    from lic_bench import safe_write

    output.parent.mkdir(parents=True, exist_ok=True)
    safe_write.write_text(output, text, force=force)
    typer.echo(f"wrote {len(kb.papers)} entries to {output}", err=True)


@bibtex_app.command("import")
@_user_errors
def bibtex_import_cmd(
    file: Annotated[Path, typer.Argument(help="BibTeX file to import.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be created.")] = False,
    root: RootOpt = None,
) -> None:
    """Create papers/<id>.yaml stubs for new entries; refuse duplicates (DOI, arXiv id, title)."""
    from lic_bench.kb import import_bibtex
    from lic_bench.paths import project_root

    if not file.is_file():
        raise UsageError(f"{file} is not a file")
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{file} is not UTF-8 text ({exc.reason})") from None
    kb = _load(root)
    report = import_bibtex(text, root or kb.root or project_root(), kb, dry_run=dry_run)
    for line in report.refused:
        typer.echo(line, err=True)
    verb = "would create" if dry_run else "created"
    for pid, path in report.created:
        typer.echo(f"{verb} {path} ({pid})")
    typer.echo(
        f"{len(report.created)} {verb}, {len(report.refused)} refused", err=True
    )


@kb_app.command("add")
@_user_errors
def add_cmd(
    arxiv: Annotated[Optional[str], typer.Option("--arxiv", help="arXiv id, e.g. 1802.01436.")] = None,
    doi: Annotated[Optional[str], typer.Option("--doi", help="DOI, e.g. 10.1109/CVPR46437.2021.01453.")] = None,
    pid: Annotated[
        Optional[str], typer.Option("--id", help="Record id (default: from author, year and title).")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the stub, write nothing.")] = False,
    root: RootOpt = None,
) -> None:
    """Write a papers/<id>.yaml stub from the arXiv API or Crossref; refuse duplicates.

    The stub's `verified` entry names the API's source and today's date. Base URLs:
    $LIC_BENCH_ARXIV_API, $LIC_BENCH_CROSSREF_API.
    """
    import yaml

    from lic_bench.kb.online import add_paper
    from lic_bench.paths import project_root

    kb = _load(root)
    new_id, path, record = add_paper(
        kb, root or kb.root or project_root(), arxiv=arxiv, doi=doi, pid=pid, dry_run=dry_run
    )
    if dry_run:
        typer.echo(yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=100), nl=False)
        typer.echo(f"would create {path} ({new_id})", err=True)
    else:
        typer.echo(f"created {path} ({new_id}); add components, builds_on and notes, then `lic-bench kb validate`")


def _write_report(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write --report {path}: {exc.strerror or exc}") from None


@kb_app.command("check")
@_user_errors
def check_cmd(
    online: Annotated[
        bool, typer.Option("--online", help="Ask arXiv and Crossref about every record's ids and titles.")
    ] = False,
    report: Annotated[
        Optional[Path],
        typer.Option("--report", help="Also write, per record and field, what the services say now "
                     "(Markdown; JSON if FILE ends in .json). Offline: one line saying so."),
    ] = None,
    delay: Annotated[
        Optional[float],
        typer.Option("--delay", min=0, help="Seconds between requests to one service "
                     "(default: $LIC_BENCH_API_DELAY, else 3 for arXiv and 1 for Crossref)."),
    ] = None,
    root: RootOpt = None,
) -> None:
    """Re-verify records against their primary sources: one line per mismatch.

    With --report, mismatches are the rows whose status is `differs`, `unknown id` or
    `nothing to ask` (any field arXiv or Crossref shows, not only the title)."""
    from tqdm import tqdm

    from lic_bench.kb.online import Client, OfflineError, check_online, check_requests
    from lic_bench.kb.online_report import is_mismatch, offline_report, render_report, report_rows

    if not online:
        raise UsageError("`kb check` needs --online (offline checks: `lic-bench kb validate`)")
    if report is not None and (report.is_dir() or not report.parent.is_dir()):
        raise UsageError(f"--report {report}: not a file in an existing folder")
    kb = _load(root)
    todo = check_requests(kb)
    bar = tqdm(total=len(todo), desc="checking", unit="request", leave=False, dynamic_ncols=True,
               file=sys.stderr, disable=not todo)
    mismatches = 0
    rows = []

    def advance(pid: str) -> None:
        bar.set_postfix_str(pid, refresh=False)
        bar.update(1)

    try:
        if report is None:
            for mismatch in check_online(kb, Client(delay=delay), advance):
                mismatches += 1
                bar.write(str(mismatch), file=sys.stdout)
        else:
            for row in report_rows(kb, Client(delay=delay), advance):
                rows.append(row)
                if is_mismatch(row):
                    mismatches += 1
                    bar.write(f"papers/{row.record}.yaml: {row.field}: {row.service} {row.status}"
                              + (f": {row.online!r} (record: {row.recorded!r})" if row.online else ""),
                              file=sys.stdout)
    except OfflineError as exc:
        if report is not None:
            _write_report(report, offline_report(str(exc)))
        raise
    finally:
        bar.close()
    if report is not None:
        fmt = "json" if report.suffix.lower() == ".json" else "md"
        _write_report(report, render_report(rows, len(kb.papers), fmt))
        typer.echo(f"wrote {report} ({len(rows)} rows)", err=True)
    typer.echo(f"{len(todo)} id(s) of {len(kb.papers)} records checked, {mismatches} mismatch(es)", err=True)
    if mismatches:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.add_typer(kb_app)
