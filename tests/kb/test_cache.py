"""The parsed-records cache: same knowledge base as a fresh read, and never stale."""

from __future__ import annotations

import shutil

from lic_bench.kb import load_kb
from lic_bench.kb._cache import read_kb_cached
from lic_bench.kb._load import read_kb


def test_cached_read_equals_a_fresh_read_and_follows_edits(tmp_path, project_root, monkeypatch):
    monkeypatch.setenv("LIC_BENCH_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "project"
    for sub in ("taxonomy", "papers"):
        shutil.copytree(project_root / sub, root / sub)
    fresh = read_kb(root)
    first = read_kb_cached(root)  # writes the cache
    assert list((tmp_path / "cache" / "kb").glob("*.json"))
    second = read_kb_cached(root)  # reads it
    assert second.papers == fresh.papers and second.components == fresh.components
    assert second.problems == fresh.problems == first.problems
    # an edit of the same size, at once: the key is the content, not the time
    record = root / "papers" / "balle2018-variational.yaml"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("year: 2018", "year: 2019"), encoding="utf-8")
    assert load_kb(root).papers["balle2018-variational"].year == 2019
    assert len(list((tmp_path / "cache" / "kb").glob("*.json"))) == 1  # the stale copy is gone
    # a broken cache file is read around, not trusted
    for path in (tmp_path / "cache" / "kb").glob("*.json"):
        path.write_text("{not json", encoding="utf-8")
    assert load_kb(root).papers["balle2018-variational"].year == 2019
