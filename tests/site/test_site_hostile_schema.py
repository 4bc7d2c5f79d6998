"""Issue 23: a payload in every field the record schema allows, on every page kind, in Chromium.

The records come from the schema itself (tests/site/hostile_records.py): every field and
sub-field of a paper record and a taxonomy node, and the strings of a results document
linked to both, carry markup that would set ``window.__xss`` or add an element of class
``xss``. The site is built strictly; no renderer may leave record text raw (the output
net of lic_bench.site._html would log "escaped at output"); and on the paper, component,
papers, components, trends, leaderboard and explorer pages no script runs and no such
element appears.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from playwright.sync_api import sync_playwright

from lic_bench.kb import load_kb
from lic_bench.site._browser import find_chromium, launch
from lic_bench.site.serve import serve_in_thread, url_of
from tests.site.hostile_records import NODE_ID, PAPER_ID, make_hostile_root, unfilled_fields
from tests.site.test_site_hostile import TRAP, assert_clean

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(find_chromium() is None, reason="no chromium binary (apt-get install chromium)"),
]

#: Free-text fields: each must have taken a payload (the others hold ids, URLs, dates).
FREE_TEXT = {"node.name", "node.summary", "node.aliases.0", "paper.title", "paper.authors.0", "paper.venue",
             "paper.notes", "paper.surveys.adams2018-alpha.tables.0", "paper.surveys.adams2018-alpha.note"}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("every-field-root")
    taken = make_hostile_root(root)
    env = dict(os.environ, LIC_BENCH_ROOT=str(root), LIC_BENCH_RESULTS=str(root / "results"),
               PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run([sys.executable, "-m", "lic_bench", "site", "build", "--out", str(root / "built"),
                           "--verbose"], capture_output=True, text=True, env=env, timeout=600, cwd=root)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return root, taken, proc.stdout + proc.stderr


def test_every_schema_field_carries_a_payload(built):
    _, taken, _ = built
    assert unfilled_fields() == []  # a new schema field must be added to hostile_records.BASE_*
    assert FREE_TEXT <= set(taken), sorted(FREE_TEXT - set(taken))


def test_no_renderer_leaves_record_text_raw(built):
    _, _, log = built
    assert "escaped at output" not in log, [line for line in log.splitlines() if "escaped at output" in line][:3]


def test_no_script_runs_on_any_page_kind(built, tmp_path_factory):
    root, _, _ = built
    kb = load_kb(root)
    paths = ["", "papers/", "components/", "trends/", "explorer/", "results/leaderboard/",
             f"papers/{PAPER_ID}/", f"components/{NODE_ID}/", "components/uniform-quantization/"]
    paths += [f"papers/{pid}/" for pid in kb.papers] + [f"components/{cid}/" for cid in kb.components]
    server, _ = serve_in_thread(root / "built", port=0)
    errors: list[str] = []
    try:
        with sync_playwright() as pw:
            context = launch(pw, tmp_path_factory.mktemp("chromium-every-field"))
            context.add_init_script(TRAP)
            page = context.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("dialog", lambda d: (errors.append(f"dialog {d.message}"), d.dismiss()))
            seen = 0
            for path in dict.fromkeys(paths):
                response = page.goto(url_of(server) + path, wait_until="load")
                assert response is not None and response.ok, path
                seen += "every-field" in page.content() or "Every field" in page.content()
                assert_clean(page, path)
            page.goto(url_of(server) + f"papers/{PAPER_ID}/")
            assert "paper.title <img" in page.locator("article h1").inner_text()  # shown as text
            page.goto(url_of(server) + "results/leaderboard/")
            assert "zed-every-field" in page.content()  # the hostile curve is on the leaderboard
            assert_clean(page, "leaderboard again")
            context.close()
    finally:
        server.shutdown()
        server.server_close()
    assert seen >= 4
    assert errors == []
