"""The knowledge base and the CLI must work without importing torch."""

from __future__ import annotations

import subprocess
import sys


def test_kb_and_cli_import_without_torch():
    code = "import lic_bench.kb, lic_bench.cli, sys; assert 'torch' not in sys.modules, 'torch imported'"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_kb_queries_do_not_import_torch_or_networkx(project_root):
    code = (
        "import sys; from lic_bench.kb import load_kb, papers_table, trends; "
        f"kb = load_kb({str(project_root)!r}, strict=False); papers_table(kb); trends(kb); "
        "assert 'torch' not in sys.modules; assert 'networkx' not in sys.modules"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
