"""`lic-bench components list` and `lic-bench models list` (see lic_bench/cli/__init__.py)."""

from __future__ import annotations

import csv
import io
import json
from typing import Annotated, Optional

import typer

from lic_bench.cli._options import FormatOpt, OutputFormat

PatternArg = Annotated[str, typer.Argument(help="Name pattern with * and ? wildcards.")]


def _emit(rows: list[dict], fmt: OutputFormat, columns: list[str], title: str, wrap: bool = True) -> None:
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(rows, indent=2, default=str))
        return
    cell = lambda v: ", ".join(map(str, v)) if isinstance(v, list) else (  # noqa: E731
        ", ".join(f"{k}={d!r}" for k, d in v.items()) if isinstance(v, dict) else str(v)
    )
    if fmt is OutputFormat.csv:
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(columns)
        writer.writerows([cell(r.get(c, "")) for c in columns] for r in rows)
        typer.echo(buf.getvalue(), nl=False)
        return
    from lic_bench.cli._table import render

    text, dropped = render([[cell(r.get(c, "")) for c in columns] for r in rows], columns, wrap=wrap)
    typer.echo(text)
    if dropped:
        typer.echo(f"left out to fit: {', '.join(dropped)} (--format json has every field)", err=True)


def register(app: typer.Typer) -> None:
    """Add ``components`` and ``models`` command groups to the root app."""
    components = typer.Typer(help="Registered components (non-linearities, quantizers, ...).", no_args_is_help=True)
    models = typer.Typer(help="Registered compression models.", no_args_is_help=True)

    @components.command("list")
    def components_list(
        pattern: PatternArg = "*",
        kind: Annotated[
            Optional[str],
            typer.Option("--kind", "-k", help="nonlinearity, quantizer, entropy-model, context-model, spatial-schedule, variable-rate, transform, backbone, metric, dataset."),
        ] = None,
        fmt: FormatOpt = OutputFormat.table,
    ) -> None:
        """List registered components with their taxonomy nodes and papers."""
        from lic_bench.models.catalog import component_records

        rows = component_records(pattern, kind)
        _emit(rows, fmt, ["name", "kind", "taxonomy", "papers", "description"], "components")

    @models.command("list")
    def models_list(
        pattern: PatternArg = "*",
        fmt: FormatOpt = OutputFormat.table,
        verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Add every constructor argument "
                                               "and its default (imports the implementations: slower).")] = False,
    ) -> None:
        """List registered models: one line each with taxonomy nodes and papers (--verbose: parameters)."""
        if verbose or fmt is not OutputFormat.table:
            from lic_bench.models.catalog import model_records

            rows = model_records(pattern)  # JSON/CSV for scripts: every field, params included
        else:
            from lic_bench.static_registry import static_model_records

            rows = static_model_records(pattern)
            if rows is None:  # a registration the source reader cannot follow
                from lic_bench.models.catalog import model_records

                rows = model_records(pattern)
        if verbose and fmt is OutputFormat.table:
            import textwrap

            from lic_bench.cli._table import terminal_width

            _emit(rows, fmt, ["name", "taxonomy", "papers"], "models")
            typer.echo("")
            for r in rows:  # arguments under each model: too long for a column
                args = ", ".join(f"{k}={d!r}" for k, d in (r.get("params") or {}).items())
                typer.echo(f"{r['name']}:")
                typer.echo(textwrap.fill(args, terminal_width(), initial_indent="    ", subsequent_indent="    "))
        else:
            _emit(rows, fmt, ["name", "taxonomy", "papers", "description"], "models", wrap=False)

    @models.command("show")
    def models_show(
        source: Annotated[str, typer.Argument(help="Registered model name or config YAML.")],
        fmt: FormatOpt = OutputFormat.table,
    ) -> None:
        """Print a model's fully resolved config (every constructor argument) as YAML or JSON."""
        import yaml

        from lic_bench.models import load_model_config

        cfg = load_model_config(source)
        if fmt is OutputFormat.json:
            typer.echo(json.dumps(cfg, indent=2))
        else:
            typer.echo(yaml.safe_dump(cfg, sort_keys=False).rstrip())

    app.add_typer(components, name="components")
    app.add_typer(models, name="models")
