"""`lic-bench site build`: strict MkDocs build, no torch, nothing loaded from other hosts."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from lic_bench.kb import load_kb

HEAVY = ("torch", "torchvision", "compressai", "lightning", "lpips")
# src/href attributes that would make the browser fetch something
LOADS = re.compile(r"""<(?:script|link|img|iframe|source)\b[^>]*?\b(?:src|href)=["']([^"']+)""")


def test_build_never_imports_torch(built_site):
    imported = built_site["imported"]
    assert "lic_bench.site.build" in imported  # the parse saw the import log at all
    heavy = sorted(m for m in imported if m.split(".")[0] in HEAVY)
    assert heavy == []


@pytest.mark.slow
def test_every_page_is_built(built_site):
    site = built_site["dir"]
    kb = load_kb()
    for cid in kb.components:
        assert (site / "components" / cid / "index.html").is_file(), cid
    for pid in kb.papers:
        assert (site / "papers" / pid / "index.html").is_file(), pid
    for page in ("index.html", "papers/index.html", "trends/index.html", "explorer/index.html"):
        assert (site / page).is_file()
    # plotly.js is served by the site itself, copied from the installed package
    assert (site / "assets/javascripts/plotly.min.js").stat().st_size > 1_000_000


def test_no_page_loads_anything_from_another_host(built_site):
    site = built_site["dir"]
    offenders = []
    for page in site.rglob("*.html"):
        for url in LOADS.findall(page.read_text(encoding="utf-8")):
            if url.startswith(("http:", "https:", "//")):
                offenders.append(f"{page.relative_to(site)}: {url}")
    assert offenders == []
    css = "\n".join(p.read_text(encoding="utf-8") for p in site.rglob("*.css"))
    assert "fonts.googleapis" not in css and "@import url(http" not in css


def test_plotly_only_where_figures_are(built_site):
    site = built_site["dir"]
    trends = (site / "trends/index.html").read_text(encoding="utf-8")
    assert "assets/javascripts/plotly.min.js" in trends and "Plotly.newPlot" in trends
    about = (site / "guides/add-a-paper/index.html").read_text(encoding="utf-8")
    assert "plotly.min.js" not in about


def test_paper_page_has_highlighted_bibtex(built_site):
    html = (built_site["dir"] / "papers/balle2018-variational/index.html").read_text("utf-8")
    bibtex = html.split('id="bibtex"')[1].split("</code></pre>")[0]
    assert '<span class="nl">balle2018-variational</span>' in bibtex  # the key, highlighted
    # the copy button itself is added by the theme's script (checked in the browser test)
    assert '"content.code.copy"' in html


def test_site_help_and_bad_serve_folder(tmp_path):
    from tests.cli_runner import run_cli

    out = run_cli("site", "--help")
    assert out.returncode == 0 and "build" in out.stdout and "serve" in out.stdout
    bad = run_cli("site", "serve", "--no-build", "--out", tmp_path, "--port", "0")
    assert bad.returncode != 0
    assert bad.stderr.strip().startswith("error:") and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


def test_port_in_use_is_a_clear_error(built_site):
    from lic_bench.errors import UsageError
    from lic_bench.site.serve import make_server

    first = make_server(built_site["dir"], 0)
    try:
        port = first.server_address[1]
        with pytest.raises(UsageError, match="already in use"):
            make_server(built_site["dir"], port)
    finally:
        first.server_close()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_serve_stops_cleanly(built_site, signum):
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lic_bench",
            "site",
            "serve",
            "--no-build",
            "--port",
            "0",
            "--out",
            str(built_site["dir"]),
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stderr.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200 and b"lic-bench" in response.read()
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(url + "no-such-page/", timeout=10)
        assert missing.value.code == 404
        proc.send_signal(signum)
        assert proc.wait(timeout=30) == 0  # generous: CI machines may be loaded
        rest = proc.stderr.read()
        assert "stopped" in rest and "Traceback" not in rest
    finally:
        proc.kill()
        proc.wait()


def test_broken_knowledge_base_is_one_line_error(tmp_path, project_root):
    for name in ("mkdocs.yml", "site", "taxonomy", "papers"):
        src = project_root / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, tmp_path / name)
    record = tmp_path / "papers" / "balle2018-variational.yaml"
    record.write_text(record.read_text(encoding="utf-8") + "bogus_field: 1\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "lic_bench", "site", "build", "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=dict(os.environ, LIC_BENCH_ROOT=str(tmp_path)),
    )
    assert proc.returncode != 0
    assert proc.stderr.startswith("error: ") and "bogus_field" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out" / "index.html").exists()
