#!/usr/bin/env python3
"""Time `lic-bench site build` on a knowledge base grown with synthetic paper records.

The project (taxonomy/, papers/, results/, configs/models/, site/, mkdocs.yml) is copied
into a temporary folder and ``--extra N`` synthetic records are added there: copies of
the real records, cycled, under new ids (``<id>-synth<k>``) without DOI, arXiv id or
aliases (those must stay unique). The checkout itself is never touched.

Each ``--code ROOT`` (default: this checkout) is timed on its own copy of the same
synthetic project, builds interleaved, so two versions of the renderers can be
compared side by side in one run on a shared machine::

    python scripts/bench_site_scale.py --extra 1000
    python scripts/bench_site_scale.py --extra 1000 --code /tmp/base --code . --repeat 2
    python scripts/bench_site_scale.py --extra 1000 --profile /tmp/site.prof
    LIC_BENCH_SITE_JOBS=1 python scripts/bench_site_scale.py --extra 1000 --phases

``--phases`` and ``--profile`` see only the build process: with ``LIC_BENCH_SITE_JOBS=1``
the renderers that otherwise run in a forked process (component and results pages)
run in it too.

Prints one line per build: wall-clock seconds, CPU seconds of the build process and the
worker processes it starts (user + system; on a shared machine the CPU figure is the
steadier), pages and the size of the search index, with the load averages, since
wall-clock figures mean little without them. ``--profile`` profiles
CPU time, not wall time, for the same reason.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent.parent
COPIED = ("taxonomy", "papers", "results", "configs/models")
FROM_CODE = ("site", "mkdocs.yml")


def add_synthetic_records(papers: Path, extra: int) -> int:
    """Write ``extra`` copies of the records in ``papers`` under new ids; returns how many."""
    sources = []
    for path in sorted(papers.glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(record, dict) and record.get("id"):
            sources.append(record)
    if not sources:
        raise SystemExit(f"no records in {papers}")
    for k in range(extra):
        record = dict(sources[k % len(sources)])
        new_id = f"{record['id']}-synth{k:05d}"
        record.update(
            id=new_id,
            title=f"{record['title']} (synthetic copy {k})",
            doi=None,
            arxiv=None,
            aliases=[],
        )
        (papers / f"{new_id}.yaml").write_text(
            yaml.safe_dump(record, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
    return len(sources)


def make_project(dest: Path, code: Path, extra: int) -> None:
    for sub in COPIED:
        if (HERE / sub).exists():
            shutil.copytree(HERE / sub, dest / sub)
    for sub in FROM_CODE:
        src = code / sub
        if src.is_dir():
            shutil.copytree(src, dest / sub, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / sub)
    add_synthetic_records(dest / "papers", extra)


# The one script every build runs in (``python -c _RUNNER OUT PROFILE PHASES``): the CLI's
# `site build`, optionally under cProfile (CPU time, not wall time: on a shared machine
# wall time mostly measures the other processes) and optionally with phase timers.
# Phases: CPU seconds spent in each named function (renderers of lic_bench.site,
# MkDocs' Markdown conversion, page templates, search indexing), added up over calls
# with time.process_time(); nested phases are reported inside their parents.
_RUNNER = """
import collections, cProfile, importlib, json, runpy, sys, time
out, profile, phases = sys.argv[1], sys.argv[2], json.loads(sys.argv[3] or "[]")
spent = collections.Counter(); calls = collections.Counter()
def wrap(module, name, label):
    mod = importlib.import_module(module)
    owner, _, attr = name.rpartition('.')
    obj = getattr(mod, owner) if owner else mod
    func = getattr(obj, attr)
    def timed(*a, **k):
        t = time.process_time()
        try:
            return func(*a, **k)
        finally:
            spent[label] += time.process_time() - t; calls[label] += 1
    setattr(obj, attr, timed)
for module, name, label in phases:
    wrap(module, name, label)
sys.argv = ['lic-bench', 'site', 'build', '--out', out]
prof = cProfile.Profile(time.process_time) if profile else None
start = time.process_time()
if prof:
    prof.enable()
try:
    runpy.run_module('lic_bench', run_name='__main__')
except SystemExit as exc:
    code = exc.code
else:
    code = 0
if prof:
    prof.disable(); prof.dump_stats(profile)
total = time.process_time() - start
for module, name, label in phases:
    print(f'phase {label:<34} {spent[label]:7.1f} s CPU  {calls[label]:6d} calls', file=sys.stderr)
if phases:
    print(f'phase {"total (after imports, this process)":<34} {total:7.1f} s CPU', file=sys.stderr)
sys.exit(code)
"""
PHASES = [
    ("lic_bench.site.build", "render_site", "lic_bench renderers (all)"),
    ("lic_bench.site.build", "component_page", "  component pages"),
    ("lic_bench.site.build", "paper_page", "  paper pages"),
    ("lic_bench.site.build", "papers_index_page", "  all-papers table"),
    ("lic_bench.site.build", "trends_page", "  trends page"),
    ("lic_bench.site.build", "explorer_page", "  graph explorer"),
    ("lic_bench.site.rd", "leaderboard_page", "  leaderboard"),
    ("lic_bench.site.bench", "bench_page", "  benchmarks page"),
    ("lic_bench.kb", "load_kb", "load the knowledge base"),
    ("mkdocs.commands.build", "_populate_page", "mkdocs: Markdown -> HTML"),
    ("mkdocs.commands.build", "_build_page", "mkdocs: page templates (+search)"),
    ("material.plugins.search.plugin", "SearchIndex.add_entry_from_context", "  search: index a page"),
    ("material.plugins.search.plugin", "SearchPlugin.on_post_build", "search: write the index"),
]


def build(project: Path, code: Path, profile: Path | None, phases: bool = False) -> tuple[float, float, int, int]:
    """Run the build in a subprocess; (wall s, CPU s, pages, search index bytes)."""
    import resource

    out = project / "build" / "site"
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ, LIC_BENCH_ROOT=str(project), PYTHONPATH=str(code), PYTHONDONTWRITEBYTECODE="1")
    cmd = [sys.executable, "-c", _RUNNER, str(out), str(profile or ""), json.dumps(PHASES) if phases else ""]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"build with {code} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    if phases:
        print("\n".join(line for line in proc.stderr.splitlines() if line.startswith("phase ")))
    pages = sum(1 for _ in out.rglob("index.html"))
    index = out / "search" / "search_index.json"
    return seconds, cpu, pages, index.stat().st_size if index.is_file() else 0


def _uptime() -> str:
    """Load averages as `uptime` prints them, with the number of CPUs they are shared by."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cpus"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--extra", type=int, default=1000, help="synthetic records to add")
    parser.add_argument("--code", type=Path, action="append",
                        help="checkout whose lic_bench/, site/ and mkdocs.yml build (repeatable)")
    parser.add_argument("--repeat", type=int, default=1, help="builds per checkout")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the (first) build here")
    parser.add_argument("--phases", action="store_true",
                        help="print CPU seconds per phase (renderers, Markdown, templates, search)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary project(s)")
    args = parser.parse_args(argv)
    codes = [c.resolve() for c in (args.code or [HERE])]
    print(f"uptime before: {_uptime()}")
    tmp = Path(tempfile.mkdtemp(prefix="lic-bench-scale-"))
    try:
        projects = []
        for i, code in enumerate(codes):
            project = tmp / f"project{i}"
            make_project(project, code, args.extra)
            projects.append(project)
        n_records = sum(1 for p in (projects[0] / "papers").glob("*.yaml") if not p.name.startswith("_"))
        print(f"{n_records} records ({args.extra} synthetic) in {tmp}")
        for rep in range(args.repeat):
            for code, project in zip(codes, projects, strict=True):
                profile = args.profile if (args.profile and rep == 0 and code == codes[0]) else None
                seconds, cpu, pages, index = build(project, code, profile, args.phases)
                print(f"{code}: build {rep + 1}: {seconds:.1f} s wall, {cpu:.1f} s CPU (user+sys, build and "
                      f"its children), {pages} pages, search index {index / 1e6:.1f} MB; uptime {_uptime()}",
                      flush=True)
        if args.profile:
            import pstats

            pstats.Stats(str(args.profile)).sort_stats("cumulative").print_stats(60)
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
