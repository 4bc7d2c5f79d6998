"""`lic-bench data fetch` against a local HTTP server (127.0.0.1) serving a temp folder:
resume with HTTP Range, restart when Range is ignored, checksum verification, archives,
and a one-line error when the server cannot be reached."""

from __future__ import annotations

import hashlib
import http.server
import io
import os
import socket
import subprocess
import sys
import tarfile
import threading
from pathlib import Path

import pytest

from lic_bench.data.fetch import DownloadError, download, fetch_dataset

KODAK_PATH = "graphics/kodak/kodak"
BSDS_PATH = "Research/Projects/CS/vision/grouping/BSR/BSR_bsds500.tgz"


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files with single-range support (``Range: bytes=N-``)."""

    honour_range = True
    requests: list[tuple[str, str | None]] = []

    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):
        type(self).requests.append((self.path, self.headers.get("Range")))
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        rng = self.headers.get("Range")
        if rng and self.honour_range and rng.startswith("bytes="):
            start = int(rng[6:].split("-")[0])
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            body = data[start:]
        else:
            self.send_response(200)
            body = data
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture()
def server(tmp_path):
    """(base URL, served folder, handler class) of a server on 127.0.0.1 (stops itself)."""
    root = tmp_path / "served"
    root.mkdir()
    handler = type("Handler", (_Handler,), {"requests": [], "honour_range": True})
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a, **k: handler(*a, directory=str(root), **k)
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", root, handler
    httpd.shutdown()
    httpd.server_close()


def _serve_kodak(root: Path, kodak_dir: Path, names: list[str] | None = None) -> None:
    folder = root / KODAK_PATH
    folder.mkdir(parents=True)
    for src in sorted(kodak_dir.glob("kodim*.png")):
        if names is None or src.name in names:
            (folder / src.name).symlink_to(src)


def test_download_resumes_with_range(server, tmp_path, kodak_dir):
    base, root, handler = server
    _serve_kodak(root, kodak_dir, ["kodim01.png"])
    data = (kodak_dir / "kodim01.png").read_bytes()
    dest = tmp_path / "out" / "kodim01.png"
    dest.parent.mkdir()
    (dest.parent / "kodim01.png.part").write_bytes(data[:100_000])  # an interrupted download
    download(f"{base}/{KODAK_PATH}/kodim01.png", dest,
             sha256=hashlib.sha256(data).hexdigest(), progress=False)
    assert dest.read_bytes() == data
    assert handler.requests[-1][1] == "bytes=100000-"
    assert not (dest.parent / "kodim01.png.part").exists()


def test_download_restarts_when_range_is_ignored(server, tmp_path, kodak_dir):
    base, root, handler = server
    handler.honour_range = False
    _serve_kodak(root, kodak_dir, ["kodim02.png"])
    data = (kodak_dir / "kodim02.png").read_bytes()
    dest = tmp_path / "kodim02.png"
    (tmp_path / "kodim02.png.part").write_bytes(b"stale bytes from another file")
    download(f"{base}/{KODAK_PATH}/kodim02.png", dest, progress=False)
    assert dest.read_bytes() == data


def test_checksum_mismatch_deletes_the_file(server, tmp_path, kodak_dir):
    base, root, _ = server
    _serve_kodak(root, kodak_dir, ["kodim03.png"])
    dest = tmp_path / "kodim03.png"
    with pytest.raises(DownloadError, match="checksum mismatch"):
        download(f"{base}/{KODAK_PATH}/kodim03.png", dest, sha256="0" * 64, progress=False)
    assert not dest.exists() and not (tmp_path / "kodim03.png.part").exists()


def test_fetch_kodak_from_mirror_verifies_every_file(server, tmp_path, kodak_dir):
    base, root, _ = server
    _serve_kodak(root, kodak_dir)
    report = fetch_dataset("kodak", tmp_path / "data", mirror=base, progress=False)
    assert len(report.downloaded) == 24 and report.verified == 24 and not report.unverified
    again = fetch_dataset("kodak", tmp_path / "data", mirror=base, progress=False)
    assert not again.downloaded and len(again.already_present) == 24


def test_fetch_kodak_rejects_a_tampered_mirror(server, tmp_path, kodak_dir):
    base, root, _ = server
    folder = root / KODAK_PATH
    folder.mkdir(parents=True)
    (folder / "kodim01.png").write_bytes(b"tampered")
    with pytest.raises(DownloadError, match="checksum mismatch"):
        fetch_dataset("kodak", tmp_path / "data", mirror=base, progress=False)
    assert not (tmp_path / "data" / "kodak" / "kodim01.png").exists()


def _bsds_archive(path: Path, members: dict[str, bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))


def test_fetch_bsds_archive_extracts_and_verifies(server, tmp_path, shared_data):
    base, root, _ = server
    real = sorted((shared_data / "bsds500" / "train").glob("*.jpg"))[:2]
    members = {f"BSR/BSDS500/data/images/train/{p.name}": p.read_bytes() for p in real}
    members["BSR/BSDS500/data/groundTruth/train/x.mat"] = b"ignored"
    _bsds_archive(root / BSDS_PATH, members)
    report = fetch_dataset("bsds500", tmp_path / "data", splits=["train"], mirror=base, progress=False)
    assert sorted(report.downloaded) == sorted(f"train/{p.name}" for p in real)
    assert report.verified == 2
    assert not (tmp_path / "data" / ".downloads" / "BSR_bsds500.tgz").exists()

    val_name = sorted((shared_data / "bsds500" / "val").glob("*.jpg"))[0].name
    _bsds_archive(root / BSDS_PATH, {f"BSR/BSDS500/data/images/val/{val_name}": b"bad"})
    with pytest.raises(DownloadError, match="did not match"):
        fetch_dataset("bsds500", tmp_path / "bad", splits=["val"], mirror=base, progress=False)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_server_is_one_line_error(tmp_path):
    with pytest.raises(DownloadError, match="cannot download"):
        fetch_dataset("kodak", tmp_path, mirror=f"http://127.0.0.1:{_closed_port()}", progress=False)
    cli = Path(sys.executable).with_name("lic-bench")
    proc = subprocess.run(
        [str(cli), "data", "fetch", "kodak", "--data-dir", str(tmp_path), "--no-progress",
         "--mirror", f"http://127.0.0.1:{_closed_port()}"],
        capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"},
    )
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot download"), proc.stderr
