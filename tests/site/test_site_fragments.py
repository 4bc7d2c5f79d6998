"""Pre-rendered blocks (lic_bench.site._fragments) change nothing in the built site.

The fast build puts HTML written by our code where MkDocs used to convert Markdown; the
old way is still there (``LIC_BENCH_SITE_FRAGMENTS=markdown``). Both builds of the same
project must give the same files, byte for byte, on records that try to break the
equivalence: markup in every field, emphasis marks, a venue that reads as a list.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lic_bench.kb import load_kb
from lic_bench.site import _fragments, build
from lic_bench.site._fragments import Fragments

from .test_site_escaping import hostile_kb  # noqa: F401  (the fixture)

HOSTILE = Path(__file__).resolve().parent.parent / "fixtures" / "kb" / "hostile"

# Records whose text Markdown would read as markup if it were not escaped or handed back
# to Markdown: emphasis, a venue that starts an ordered list, pipes and backslashes.
TRICKY = [
    dict(id="cole2019-gamma", title="*Gamma* __init__ and a_b_c | pipe \\ slash",
         authors=["Cy *Cole*", "Di_Dee"], year=2019, venue="1. Workshop on *Things*",
         components=["checkerboard"], builds_on=["adams2018-alpha"],
         code=["https://github.com/x/y_(z)"], notes="Some *notes* with a [link](https://x.org/a_b)."),
    dict(id="dunn2021-delta", title="Delta: # not a heading", authors=["- Dash"], year=2021,
         venue="# CVPR", components=["checkerboard"], builds_on=["cole2019-gamma"]),
    dict(id="evans2022-epsilon", title="Pipes | and \\ back <i>slashes</i>", authors=["Ed Evans | Jr"],
         year=2022, venue="Venue | with [brackets]", components=["checkerboard"],
         builds_on=["dunn2021-delta", "cole2019-gamma"], url="https://x.org/?a=1&b=2"),
]  # fmt: skip


def test_cell_html_is_what_markdown_makes_of_a_cell():
    import markdown

    md = markdown.Markdown(extensions=["tables"])
    for text in ["plain", "a|b \\ c", "<b>&amp;</b> [x] {y} `z`", "*em* and __strong__", "a_b_c", None, 2018]:
        got = md.reset().convert(f"| h |\n|---|\n| {_fragments._md.cell(text)} |")
        assert _fragments.cell_html(text) == got.split("<td>")[1].split("</td>")[0], text


@pytest.mark.parametrize("which", ["tiny", "hostile", "real"])
def test_fragments_expand_to_the_plain_markdown(which, tiny_kb, hostile_kb):  # noqa: F811
    kb = {"tiny": tiny_kb, "hostile": hostile_kb}.get(which) or load_kb()
    plain = build.render_site(kb, [])
    frags = Fragments()
    fast = build.render_site(kb, [], fragments=frags)
    assert fast.fragments is frags and frags.items  # the fast pages do use fragments
    assert set(fast.pages) == set(plain.pages)
    for path, page in fast.pages.items():
        assert frags.expand_markdown(page) == plain.pages[path], path


def _project(root: Path, project_root: Path) -> dict:
    shutil.copy(project_root / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(project_root / "site", root / "site", ignore=shutil.ignore_patterns("__pycache__"))
    for sub in ("taxonomy", "papers"):
        shutil.copytree(HOSTILE / sub, root / sub)
    for record in TRICKY:
        (root / "papers" / f"{record['id']}.yaml").write_text(
            yaml.safe_dump(record, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
    (root / "results").mkdir()
    return dict(os.environ, LIC_BENCH_ROOT=str(root), LIC_BENCH_RESULTS=str(root / "results"),
                PYTHONDONTWRITEBYTECODE="1")  # fmt: skip


@pytest.mark.slow
def test_fast_build_gives_the_same_files_as_the_markdown_build(tmp_path, project_root):
    env = _project(tmp_path, project_root)
    outs = {}
    for mode in ("fast", "markdown"):
        outs[mode] = tmp_path / mode
        run_env = dict(env, **({_fragments.ENV: "markdown"} if mode == "markdown" else {}))
        proc = subprocess.run(
            [sys.executable, "-m", "lic_bench", "site", "build", "--out", str(outs[mode])],
            capture_output=True, text=True, env=run_env, timeout=300, cwd=tmp_path,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr[-3000:]
    files = sorted(
        p.relative_to(outs["fast"])
        for p in outs["fast"].rglob("*")
        if p.suffix in (".html", ".json", ".xml")
    )
    assert Path("papers/cole2019-gamma/index.html") in files and len(files) > 20
    page = (outs["fast"] / "papers/cole2019-gamma/index.html").read_text(encoding="utf-8")
    assert "<em>Gamma</em>" in page  # Markdown's reading of the title, kept by the fast path
    differ = [str(f) for f in files if not filecmp.cmp(outs["fast"] / f, outs["markdown"] / f, shallow=False)]
    assert differ == []
    assert not [p for p in outs["markdown"].rglob("*.html") if p.relative_to(outs["markdown"]) not in files]


def test_forked_renderers_give_the_same_pages(tiny_kb, monkeypatch):
    serial = build.render_site(tiny_kb, [], fragments=Fragments(), parallel=False)
    forked = build.render_site(tiny_kb, [], fragments=Fragments(), parallel=True)
    assert list(forked.pages) == list(serial.pages)  # same order: the search index's
    for path in serial.pages:
        assert forked.fragments.expand_markdown(forked.pages[path]) == serial.fragments.expand_markdown(
            serial.pages[path]
        ), path
    assert any(key[len(forked.fragments.tag)] == "w" for key in forked.fragments.items)  # it did fork


def test_an_error_in_the_forked_renderers_is_raised_here(tiny_kb, monkeypatch):
    from lic_bench.errors import LicBenchError

    def broken(*args, **kwargs):
        raise LicBenchError("broken component page")

    monkeypatch.setattr(build, "component_page", broken)
    with pytest.raises(LicBenchError, match="broken component page"):
        build.render_site(tiny_kb, [], fragments=Fragments(), parallel=True)
