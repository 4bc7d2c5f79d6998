"""`kb add --arxiv/--doi` and `kb check --online` against recorded API responses.

A local HTTP server (127.0.0.1) stands in for export.arxiv.org and api.crossref.org,
serving the recorded fixtures of ``tests/fixtures/kb/online`` (see its README); the
base URLs reach the code through ``$LIC_BENCH_ARXIV_API`` / ``$LIC_BENCH_CROSSREF_API``.
"""

from __future__ import annotations

import http.server
import json
import socket
import threading
import urllib.parse
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from lic_bench.cli import app
from lic_bench.kb import Paper, load_kb
from lic_bench.kb.online import (
    Client,
    OfflineError,
    add_paper,
    check_online,
    fetch_arxiv,
    fetch_crossref,
)

RECORDED = Path(__file__).resolve().parent.parent / "fixtures" / "kb" / "online"


class _Api(http.server.BaseHTTPRequestHandler):
    """``/arxiv?id_list=ID`` -> arxiv/ID.xml (else arXiv's error feed); ``/crossref/works/DOI``."""

    requests: list[str] = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        type(self).requests.append(self.path)
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/arxiv":
            wanted = urllib.parse.parse_qs(url.query).get("id_list", [""])[0]
            path = RECORDED / "arxiv" / f"{wanted}.xml"
            body = (path if path.is_file() else RECORDED / "arxiv" / "error.xml").read_bytes()
            self._send(200, body, "application/atom+xml")
        elif url.path.startswith("/crossref/works/"):
            doi = urllib.parse.unquote(url.path[len("/crossref/works/"):])
            path = RECORDED / "crossref" / (doi.replace("/", "_") + ".json")
            if path.is_file():
                self._send(200, path.read_bytes(), "application/json")
            else:
                self._send(404, b"Resource not found.", "text/plain")
        else:
            self._send(404, b"", "text/plain")

    def _send(self, code: int, body: bytes, kind: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture()
def api(monkeypatch):
    handler = type("Api", (_Api,), {"requests": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    monkeypatch.setenv("LIC_BENCH_ARXIV_API", f"{base}/arxiv")
    monkeypatch.setenv("LIC_BENCH_CROSSREF_API", f"{base}/crossref")
    monkeypatch.setenv("LIC_BENCH_API_DELAY", "0")
    yield handler
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture()
def offline(monkeypatch):
    """Base URLs pointing at a port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("LIC_BENCH_ARXIV_API", f"http://127.0.0.1:{port}/arxiv")
    monkeypatch.setenv("LIC_BENCH_CROSSREF_API", f"http://127.0.0.1:{port}/crossref")
    monkeypatch.setenv("LIC_BENCH_API_DELAY", "0")


def test_parse_recorded_arxiv_and_crossref(api):
    arxiv = fetch_arxiv("arXiv:1802.01436")
    assert arxiv.title == "Variational image compression with a scale hyperprior"
    assert arxiv.authors[0] == "Johannes Ballé" and len(arxiv.authors) == 5
    assert (arxiv.year, arxiv.arxiv, arxiv.venue) == (2018, "1802.01436", "arXiv")
    assert api.requests == ["/arxiv?id_list=1802.01436&max_results=1"]
    cr = fetch_crossref("https://doi.org/10.1109/CVPR46437.2021.01453")
    assert cr.title == "Checkerboard Context Model for Efficient Learned Image Compression"
    assert cr.authors == ["Dailan He", "Yaoyan Zheng", "Baocheng Sun", "Yan Wang", "Hongwei Qin"]
    assert (cr.year, cr.venue, cr.doi) == (2021, "CVPR", "10.1109/CVPR46437.2021.01453")


def test_add_writes_a_verified_stub_and_refuses_duplicates(api, pass_root: Path):
    kb = load_kb(pass_root)
    pid, path, record = add_paper(kb, pass_root, arxiv="1802.01436")
    assert pid == "balle2018-variational" and path == pass_root / "papers" / f"{pid}.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Written by `lic-bench kb add` from https://arxiv.org/abs/1802.01436")
    written = Paper.model_validate(yaml.safe_load(text))
    assert written.verified is not None
    assert set(written.verified.fields) == {"title", "authors", "year", "arxiv"}
    assert set(written.verified.fields.values()) == {"https://arxiv.org/abs/1802.01436"}
    assert list(written.verified.unverified) == ["venue"]  # arXiv does not show where it was published
    assert load_kb(pass_root).problems == []  # the stub is a valid record
    kb = load_kb(pass_root)
    for kwargs, why in (
        ({"arxiv": "1802.01436v1"}, "same arXiv id"),  # another version of the same paper
        ({"doi": "10.1109/TIP.2020.0000001"}, "same DOI"),  # baker2020-beta's DOI, in other case
        ({"arxiv": "2001.00002", "pid": "adams2018-alpha"}, "already a record's id"),
    ):
        before = len(api.requests)
        with pytest.raises(Exception, match=why):
            add_paper(kb, pass_root, **kwargs)
        assert len(api.requests) == before  # refused before asking the network


def test_add_by_doi_through_the_cli(api, pass_root: Path):
    runner = CliRunner()
    args = ["kb", "add", "--doi", "10.1109/CVPR46437.2021.01453", "--root", str(pass_root)]
    out = runner.invoke(app, args)
    assert out.exit_code == 0, out.output
    path = pass_root / "papers" / "he2021-checkerboard.yaml"
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert record["venue"] == "CVPR" and record["doi"] == "10.1109/CVPR46437.2021.01453"
    assert record["verified"]["fields"]["venue"] == "https://doi.org/10.1109/CVPR46437.2021.01453"
    assert record["verified"]["unverified"] == {}
    again = runner.invoke(app, args)
    assert again.exit_code == 2
    assert again.output.strip().splitlines()[-1].startswith("error: refused: duplicate (same DOI as")


def test_add_unknown_ids_and_bad_input(api, pass_root: Path):
    runner = CliRunner()
    for args, message in (
        (["--arxiv", "9999.99999"], "arXiv knows no paper '9999.99999'"),
        (["--doi", "10.1000/nothing-here"], "knows no such record"),
        (["--arxiv", "not-an-id"], "is not an arXiv id"),
        ([], "give exactly one of --arxiv ID or --doi DOI"),
    ):
        out = runner.invoke(app, ["kb", "add", *args, "--root", str(pass_root)])
        assert out.exit_code == 2, out.output
        assert message in out.output and "Traceback" not in out.output


def test_offline_add_and_check_end_in_one_line(offline, pass_root: Path):
    runner = CliRunner()
    for args in (["kb", "add", "--arxiv", "1802.01436"], ["kb", "check", "--online", "--delay", "0"]):
        out = runner.invoke(app, [*args, "--root", str(pass_root)])
        assert out.exit_code == 1, out.output
        last = out.output.strip().splitlines()[-1]
        assert last.startswith("error: cannot reach 127.0.0.1:") and "offline?" in last
        assert "Traceback" not in out.output
    with pytest.raises(OfflineError):
        fetch_arxiv("1802.01436", Client(delay=0))


def test_check_online_reports_one_line_per_mismatch(api, pass_root: Path):
    papers = pass_root / "papers"
    # a record whose arXiv id is recorded, with a wrong title; one whose DOI Crossref knows
    (papers / "balle2018-variational.yaml").write_text(
        "id: balle2018-variational\ntitle: Variational image compression with a scale prior\n"
        "authors: [Johannes Ballé]\nyear: 2018\narxiv: '1802.01436'\n", encoding="utf-8")
    (papers / "he2021-checkerboard.yaml").write_text(
        "id: he2021-checkerboard\ntitle: Checkerboard context model for efficient learned image compression\n"
        "authors: [Dailan He]\nyear: 2021\ndoi: 10.1109/CVPR46437.2021.01453\n", encoding="utf-8")
    kb = load_kb(pass_root)
    lines = [str(m) for m in check_online(kb, Client(delay=0))]
    assert "papers/balle2018-variational.yaml: title: arXiv has 'Variational image compression with a " \
           "scale hyperprior' for 1802.01436 (record: 'Variational image compression with a scale prior')" in lines
    assert not any(line.startswith("papers/he2021-checkerboard.yaml") for line in lines)  # case differs only
    # the fixture's other records hold ids no recorded response knows
    assert "papers/adams2018-alpha.yaml: arxiv: arXiv knows no '1801.00001'" in lines
    assert any(line.startswith("papers/baker2020-beta.yaml: doi: Crossref knows no") for line in lines)
    out = CliRunner().invoke(app, ["kb", "check", "--online", "--delay", "0", "--root", str(pass_root)])
    assert out.exit_code == 1
    assert "records checked" in out.output and "mismatch(es)" in out.output


def test_check_needs_online(pass_root: Path):
    out = CliRunner().invoke(app, ["kb", "check", "--root", str(pass_root)])
    assert out.exit_code == 2 and "needs --online" in out.output


def test_check_report_lists_what_the_services_say_per_field(api, pass_root: Path, tmp_path: Path):
    papers = pass_root / "papers"
    (papers / "balle2018-variational.yaml").write_text(
        "id: balle2018-variational\ntitle: Variational Image Compression with a Scale Hyperprior\n"
        "authors: [Johannes Ballé, David Minnen, Saurabh Singh, Sung Jin Hwang, Nick Johnston]\n"
        "year: 2017\nvenue: ICLR\narxiv: '1802.01436'\n"
        "verified:\n  date: 2026-12-01\n  fields: {title: https://arxiv.org/abs/1802.01436, "
        "authors: https://arxiv.org/abs/1802.01436, arxiv: https://arxiv.org/abs/1802.01436}\n"
        "  unverified: {year: not re-checked yet, venue: not re-checked yet}\n", encoding="utf-8")
    out_file = tmp_path / "report.json"
    args = ["kb", "check", "--online", "--delay", "0", "--report", str(out_file), "--root", str(pass_root)]
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 1, out.output  # the year differs, the fixture's other ids are unknown
    report = json.loads(out_file.read_text(encoding="utf-8"))
    rows = {(r["record"], r["field"], r["service"]): r for r in report["rows"]}
    assert rows[("balle2018-variational", "title", "arXiv")]["status"] == "agrees"
    assert rows[("balle2018-variational", "authors", "arXiv")]["status"] == "agrees"
    year = rows[("balle2018-variational", "year", "arXiv")]
    assert (year["status"], year["online"], year["recorded"]) == ("differs", "2018", "2017")
    assert year["cited"] == "unverified: not re-checked yet"
    assert rows[("balle2018-variational", "venue", "arXiv")]["status"] == "not shown"
    assert rows[("adams2018-alpha", "arxiv", "arXiv")]["status"] == "unknown id"
    assert "papers/balle2018-variational.yaml: year: arXiv differs: '2018' (record: '2017')" in out.output
    md = tmp_path / "report.md"
    CliRunner().invoke(app, [*args[:-4], "--report", str(md), "--root", str(pass_root)])
    text = md.read_text(encoding="utf-8")
    assert "| balle2018-variational | year | arXiv | differs | 2018 | 2017 |" in text


def test_check_report_when_offline_is_one_line(offline, pass_root: Path, tmp_path: Path):
    out_file = tmp_path / "report.md"
    args = ["kb", "check", "--online", "--delay", "0", "--report", str(out_file), "--root", str(pass_root)]
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 1 and "Traceback" not in out.output
    lines = out_file.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and lines[0].startswith("offline on ") and "no record was checked online" in lines[0]
