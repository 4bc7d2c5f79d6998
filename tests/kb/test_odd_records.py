"""Record files from elsewhere are untrusted: odd files and hostile values give one line each.

Every case writes one bad file into a copy of the passing fixture and checks that
``validate_kb`` reports exactly that file, with a one-line message, quickly (the
alias bomb and the FIFO used to hang the loader).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from lic_bench.kb import validate_kb
from lic_bench.kb._load import MAX_RECORD_BYTES

GOOD = """\
id: zed2020-odd
title: An Odd Record
authors: [Zed Zee]
year: 2020
"""

BOMB = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [
        f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ]
)


def lines_for(root: Path, name: str) -> list[str]:
    return [str(p) for p in validate_kb(root) if str(p).startswith(f"papers/{name}:")]


def write(root: Path, name: str, content: str | bytes) -> Path:
    path = root / "papers" / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "-: empty file"),
        ("  \n\n", "-: empty file"),
        (b"id: x\x00\x01\x02", "-: binary file (holds NUL bytes), not YAML text"),
        (b"id: caf\xe9\n", "-: not UTF-8 text: invalid continuation byte at byte 7"),
        (BOMB, "-: invalid YAML at line 1: YAML aliases (*name) are not allowed in records"),
        (
            "base: &b {x: 1}\nother: *b\n",
            "-: invalid YAML at line 1: YAML aliases (*name) are not allowed in records",
        ),
        (GOOD + "year: 2021\n", "-: invalid YAML at line 5: duplicate key 'year'"),
        ("[" * 5000 + "]" * 5000, "-: invalid YAML at line 1: exceeded maximum nesting depth"),
        ("- just\n- a list\n", "-: expected a mapping of fields (see papers/_template.yaml)"),
        (
            GOOD.replace("year: 2020", 'year: "2020"'),
            "year: input should be a valid integer (got '2020')",
        ),
        (
            GOOD.replace("year: 2020", "year: 2020.0"),
            "year: input should be a valid integer (got 2020.0)",
        ),
        (
            GOOD.replace("year: 2020", "year: true"),
            "year: input should be a valid integer (got True)",
        ),
        (GOOD.replace("[Zed Zee]", "[42]"), "authors.0: input should be a valid string (got 42)"),
        (GOOD + "url: javascript:alert(1)\n", "url: 'javascript:alert(1)' is not an http(s) URL"),
        (
            GOOD + 'url: "https://x.org/\\"><script>"\n',
            "url: 'https://x.org/\"><script>' is not an http(s) URL",
        ),
        (GOOD + "code: ['data:text/html,x']\n", "code: not an http(s) URL: 'data:text/html,x'"),
        (
            GOOD + 'notes: "see [this](JaVa\\tScRiPt:alert(1))"\n',
            "notes: holds a script URL (javascript:); records may link only to http(s) addresses",
        ),
        (
            GOOD + "notes: |\n  text\n\n  [ref]: data:text/html;base64,PHNjcmlwdD4=\n",
            "notes: links to a data: URL; records may link only to http(s) addresses",
        ),
        (GOOD + 'venue: "ICLR\\u0007"\n', "venue: holds a control character (U+0007)"),
    ],
    ids=[
        "empty",
        "blank",
        "binary",
        "latin-1",
        "alias-bomb",
        "alias",
        "duplicate-key",
        "deep",
        "list",
        "year-string",
        "year-float",
        "year-bool",
        "author-int",
        "javascript-url",
        "url-quote",
        "data-code-url",
        "javascript-link-in-notes",
        "data-reference-link",
        "control-char",
    ],
)
def test_bad_record_is_one_line(pass_root: Path, content, message):
    write(pass_root, "zed2020-odd.yaml", content)
    assert lines_for(pass_root, "zed2020-odd.yaml") == [f"papers/zed2020-odd.yaml: {message}"]
    # the good records around it still load without a problem
    assert [str(p) for p in validate_kb(pass_root) if "zed2020-odd" not in str(p)] == []


def test_good_record_passes(pass_root: Path):
    write(
        pass_root, "zed2020-odd.yaml", GOOD + "notes: 'Uses [a site](https://x.org/a_(b)) & <b>.'\n"
    )
    assert validate_kb(pass_root) == []


@pytest.mark.timeout(60)
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_named_like_a_record_does_not_block(pass_root: Path):
    os.mkfifo(pass_root / "papers" / "zed2020-odd.yaml")
    assert lines_for(pass_root, "zed2020-odd.yaml") == [
        "papers/zed2020-odd.yaml: -: a named pipe (FIFO), not a record file"
    ]


def test_directory_named_like_a_record(pass_root: Path):
    (pass_root / "papers" / "zed2020-odd.yaml").mkdir()
    (pass_root / "taxonomy" / "extra.yaml").mkdir()
    lines = [str(p) for p in validate_kb(pass_root)]
    assert lines == [
        "papers/zed2020-odd.yaml: -: a directory, not a record file",
        "taxonomy/extra.yaml: -: a directory, not a record file",
    ]


def test_huge_file_is_refused_unread(pass_root: Path):
    path = pass_root / "papers" / "zed2020-odd.yaml"
    with path.open("wb") as fh:  # sparse: big on paper, nothing written
        fh.truncate(50 * MAX_RECORD_BYTES)
    assert lines_for(pass_root, "zed2020-odd.yaml") == [
        f"papers/zed2020-odd.yaml: -: file too large ({50 * MAX_RECORD_BYTES} bytes; "
        f"the limit is {MAX_RECORD_BYTES})"
    ]


@pytest.mark.timeout(60)
@pytest.mark.skipif(sys.platform == "win32", reason="symlinks and /dev/zero")
def test_symlinks_to_a_device_and_in_a_loop(pass_root: Path):
    (pass_root / "papers" / "zed2020-odd.yaml").symlink_to("/dev/zero")
    (pass_root / "papers" / "loop2020-odd.yaml").symlink_to("loop2020-odd.yaml")
    lines = [str(p) for p in validate_kb(pass_root)]
    assert lines == [
        "papers/loop2020-odd.yaml: -: cannot open: Too many levels of symbolic links",
        "papers/zed2020-odd.yaml: -: a character device, not a record file",
    ]


@pytest.mark.parametrize(
    ("node", "message"),
    [
        (
            "    implementations: ['x` <img src=x onerror=alert(1)> `']\n",
            "implementations.0: 'x` <img src=x onerror=alert(1)> `' is not a kebab-case registry name",
        ),
        ("    summary: 'see [x](javascript:alert(1))'\n", "summary: holds a script URL"),
        ("    aliases: [1]\n", "aliases.0: input should be a valid string (got 1)"),
    ],
)
def test_bad_taxonomy_fields(pass_root: Path, node: str, message: str):
    path = pass_root / "taxonomy" / "quantization.yaml"
    text = path.read_text(encoding="utf-8")
    head = "  - id: vector-quantization\n"
    assert head in text
    block = text[text.index(head) :]
    field = node.split(":")[0].strip()
    kept = "".join(
        line + "\n" for line in block.splitlines() if not line.strip().startswith(f"{field}:")
    )
    path.write_text(text[: text.index(head)] + kept + node, encoding="utf-8")
    lines = [str(p) for p in validate_kb(pass_root) if str(p).startswith("taxonomy/")]
    assert len(lines) == 1 and lines[0].startswith(
        f"taxonomy/quantization.yaml: vector-quantization.{message}"
    ), lines


def test_cycles_one_line_per_group_shortest_loop(pass_root: Path):
    # adams -> clark -> baker -> adams and adams -> baker -> adams form one group: one line,
    # naming the shortest loop through its first id
    path = pass_root / "papers" / "adams2018-alpha.yaml"
    path.write_text(path.read_text() + "builds_on: [clark2021-gamma, baker2020-beta]\n")
    lines = [str(p) for p in validate_kb(pass_root)]
    assert lines == [
        "papers/adams2018-alpha.yaml: builds_on: cycle: adams2018-alpha -> baker2020-beta -> adams2018-alpha"
    ]
