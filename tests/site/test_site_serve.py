"""`lic-bench site serve` against odd requests: real HTTP to a served temp folder.

A NUL byte or an undecodable escape in the path is a 400 (it used to raise inside the
standard library's handler and print a traceback); a symlink leading out of the site
folder is a 404 (it used to be followed). Each refusal logs exactly one line.
"""

from __future__ import annotations

import http.client
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from lic_bench.site.serve import LOCALHOST, make_server

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="symlinks and signals")


@pytest.fixture()
def site_dir(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    (site / "papers" / "x").mkdir(parents=True)
    (site / "index.html").write_text("<title>lic-bench</title>home")
    (site / "404.html").write_text("missing page")
    (site / "papers" / "x" / "index.html").write_text("paper x")
    (tmp_path / "secret.txt").write_text("secret")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "index.html").write_text("secret folder")
    (site / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (site / "up").symlink_to("..")
    (site / "elsewhere").symlink_to(tmp_path / "outside")
    (site / "alias.html").symlink_to("papers/x/index.html")  # inside: still served
    return site


def get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(LOCALHOST, port, timeout=10)
    try:
        conn.request("GET", path)  # sent as written: no client-side normalisation
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_server_binds_localhost_only(site_dir: Path):
    server = make_server(site_dir, 0)
    try:
        assert server.server_address[0] == "127.0.0.1"
    finally:
        server.server_close()


def test_odd_paths_and_symlinks_out_of_the_site(site_dir: Path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "lic_bench", "site", "serve", "--no-build", "--port", "0",
         "--out", str(site_dir)],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        line = proc.stderr.readline()
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)/", line).group(1))
        refused = {
            "/%00": 400,
            "/papers/x%00/index.html": 400,
            "/%ed%a0%80": 400,  # a lone surrogate once %-decoded
            "/leak.txt": 404,
            "/up/secret.txt": 404,
            "/elsewhere/": 404,
            "/elsewhere/index.html": 404,
        }
        for path, code in refused.items():
            status, body = get(port, path)
            assert status == code, path
            assert b"secret" not in body
        assert get(port, "/leak.txt")[1] == b"missing page"  # the site's own 404 page
        assert get(port, "/papers/x/") == (200, b"paper x")
        assert get(port, "/alias.html") == (200, b"paper x")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        log = proc.stderr.read()
    finally:
        proc.kill()
        proc.wait()
    assert "Traceback" not in log
    lines = [ln for ln in log.splitlines() if "refused" in ln]
    assert len(lines) == len(refused) + 1  # /leak.txt was asked twice
    assert "refused GET '/%00': NUL byte in path (400)" in lines[0]
    assert "refused GET '/leak.txt': leaves the site folder (404)" in log
