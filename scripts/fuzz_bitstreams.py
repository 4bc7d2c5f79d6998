"""Fuzz `lic-bench decompress` and `compress` with crafted files, each run in a child process.

For every registered model one valid file is written (a small model, a 96x80 test
picture); from these, ``--files`` crafted files are made in equal shares per model
and per kind of damage (:mod:`lic_bench.bitstream.forge`: bit flips, forged fields,
huge integers, deep nesting, hostile names, ...). Each is decoded by the real
command-line entry point in a forked child with a time limit and a memory limit.
The ``image-*`` kinds (:mod:`lic_bench.bitstream.forge_images`: pixel bombs, foreign
formats behind a ``.png`` name, odd channels and sample types, damaged files) are
handed to `lic-bench compress` with the model's small config instead. Each outcome
is counted:

* ``decoded``: exit 0, an image was written (garbage in, garbage out is allowed);
* ``error``: a non-zero exit with exactly one ``error:`` line on stderr;
* ``traceback``: anything else on stderr (a Python traceback, several lines);
* ``crash``: the child died of a signal (SIGSEGV, SIGABRT, ...);
* ``hang``: it ran past ``--timeout`` seconds and was killed;
* ``memory``: it hit the ``--max-memory`` limit.

Files whose outcome is a traceback, crash, hang or memory are kept in ``--keep``.

    python scripts/fuzz_bitstreams.py --files 10000 --jobs 2
    python scripts/fuzz_bitstreams.py --files 500 --models mbt2018 --format json
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import io
import json
import os
import resource
import select
import signal
import sys
import tempfile
import time
from pathlib import Path

BAD = ("traceback", "crash", "hang", "memory")


def _small(name: str) -> dict:
    """The small config the test suite uses for ``name`` (fast to build and decode)."""
    from lic_bench.errors import UsageError
    from lic_bench.models import build_model, constructor_params, load_model_config
    from lic_bench.registry import MODELS

    entry = MODELS.entry(name)
    params = constructor_params(entry.obj)
    small = entry.extra.get("test_overrides") or {k: v for k, v in {"N": 16, "M": 24}.items() if k in params}
    try:
        build_model(load_model_config(name, small))
    except UsageError:
        small = {}
    return load_model_config(name, small)


def _encode_seeds(models: list[str], folder: Path) -> None:
    """Write one valid file per model (run in a separate process, see :func:`_seed_files`)."""
    import torch

    from lic_bench.bitstream.codec import encode_image, model_for_coding

    gen = torch.Generator().manual_seed(0)
    yy, xx = torch.meshgrid(torch.linspace(0, 1, 80), torch.linspace(0, 1, 96), indexing="ij")
    img = torch.stack([0.5 + 0.4 * torch.sin(6 * xx + 3 * yy), (xx > 0.5).float() * 0.6 + 0.2 * yy,
                       0.3 + 0.5 * xx * yy]).unsqueeze(0)
    img = (img + 0.05 * torch.rand(img.shape, generator=gen)).clamp(0, 1)
    for name in models:
        (folder / f"{name}.licb").write_bytes(encode_image(model_for_coding(_small(name)), img))


def _seed_files(models: list[str], folder: Path) -> dict[str, bytes]:
    """One valid file per model, and each model's decoder built in this process.

    Coding runs parallel regions (the context models pin 2 threads), and an OpenMP
    pool does not survive ``fork``: so the files are encoded in a child interpreter
    and this process only builds the decoders (one thread), which every forked
    child inherits warm.
    """
    import subprocess

    import numpy as np

    from lic_bench.bitstream.codec import _decoder, read_header
    from lic_bench.entropy import rans

    code = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import fuzz_bitstreams as f; "
            f"from pathlib import Path; f._encode_seeds({models!r}, Path({str(folder)!r}))")
    subprocess.run([sys.executable, "-c", code], check=True)
    out = {}
    for name in models:
        data = (folder / f"{name}.licb").read_bytes()
        _decoder(read_header(data), None)
        out[name] = data
    # Load the compiled coder once here rather than in every child.
    tables = rans.RansTables([[0, 1, 65536]], [3], [0])
    rans.decode(rans.encode(np.zeros(3, np.int64), np.zeros(3, np.int64), tables), np.zeros(3, np.int64), tables)
    return out


def _child(argv: list[str], err_fd: int, max_memory: int, command) -> None:
    """In the forked child: run `lic-bench ARGV` as the console script would."""
    os.dup2(err_fd, 2)
    sys.stderr = io.TextIOWrapper(os.fdopen(2, "wb", closefd=False), write_through=True)
    sys.stdout = io.TextIOWrapper(open(os.devnull, "wb"), write_through=True)
    if max_memory:
        resource.setrlimit(resource.RLIMIT_AS, (max_memory, max_memory))
    from lic_bench.cli import main

    code = 0
    try:
        main(argv, command)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except MemoryError:
        os._exit(99)
    except BaseException:  # noqa: BLE001 - report it as a traceback, as the CLI would print one
        import traceback

        traceback.print_exc()
        code = 1
    sys.stderr.flush()
    os._exit(code)


def _classify(status: int, stderr: str, timed_out: bool) -> str:
    if timed_out:
        return "hang"
    if os.WIFSIGNALED(status):
        return "crash"
    code = os.WEXITSTATUS(status)
    if code == 99 or "MemoryError" in stderr or "can't allocate memory" in stderr:
        return "memory"
    text = stderr.strip()
    if code == 0:
        return "decoded" if "Traceback" not in text else "traceback"
    if text.startswith("error:") and text.count("\n") == 0:
        return "error"
    return "traceback"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000, help="crafted files in all")
    parser.add_argument("--models", default="*", help="registry pattern (default: every model)")
    parser.add_argument("--jobs", type=int, default=2, help="children at a time")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per file")
    parser.add_argument("--max-memory", type=float, default=4.0, help="GiB of address space per child")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, default=Path("fuzz-failures"), help="folder for bad files")
    parser.add_argument("--format", choices=["table", "json"], default="table")
    parser.add_argument("--max-minutes", type=float, default=None,
                        help="stop starting new files after this long and report what ran")
    args = parser.parse_args(argv)

    import torch
    import yaml

    from lic_bench.bitstream.forge import KINDS, craft
    from lic_bench.bitstream.forge_images import IMAGE_KINDS, craft_image
    from lic_bench.registry import MODELS, load_all

    torch.set_num_threads(1)  # no thread pool before fork
    load_all()
    import typer.main

    import lic_bench.cli
    import lic_bench.cli.codec  # noqa: F401 - imported once here, not in every child

    # The click command, built once: building it is most of a child's time otherwise.
    # One refused call then warms what parsing the options imports (typer validates
    # them through pydantic, imported lazily).
    command = typer.main.get_command(lic_bench.cli.app)
    with contextlib.redirect_stderr(io.StringIO()), contextlib.suppress(SystemExit, Exception):
        lic_bench.cli.main(["decompress", "/nonexistent/warm-up.licb", "-o", "/nonexistent/x.png"], command)
    models = MODELS.list(args.models)
    started = time.perf_counter()
    seed_dir = Path(tempfile.mkdtemp(prefix="lic-fuzz-seeds-"))
    seeds = _seed_files(models, seed_dir)
    for name in models:  # the small configs `compress` builds for the image kinds
        (seed_dir / f"{name}.yaml").write_text(yaml.safe_dump(_small(name)))
    kinds = [*KINDS, *(f"image-{k}" for k in IMAGE_KINDS)]
    plan = [(m, k, i) for i in range(args.files) for m, k in [(models[i % len(models)],
                                                               kinds[(i // len(models)) % len(kinds)])]]
    counts: dict[tuple[str, str], collections.Counter] = collections.defaultdict(collections.Counter)
    total: collections.Counter = collections.Counter()
    running: dict[int, tuple] = {}
    limit = int(args.max_memory * (1 << 30))
    with tempfile.TemporaryDirectory(prefix="lic-fuzz-") as tmp:
        tmp = Path(tmp)
        queue = list(plan)
        done = 0
        stop_at = None if args.max_minutes is None else time.monotonic() + 60 * args.max_minutes
        while queue or running:
            if stop_at is not None and time.monotonic() > stop_at:
                queue.clear()
            while queue and len(running) < args.jobs:
                model, kind, i = queue.pop(0)
                seed = args.seed * 1_000_003 + i
                if kind.startswith("image-"):
                    data, suffix = craft_image(kind.removeprefix("image-"), seed)
                    path = tmp / f"{i}{suffix}"
                    path.write_bytes(data)
                    argv = ["compress", str(path), "-o", str(tmp / f"{i}.out"), "--config",
                            str(seed_dir / f"{model}.yaml"), "--random-weights"]
                else:
                    path = tmp / f"{i}.licb"
                    path.write_bytes(craft(seeds[model], kind, seed))
                    argv = ["decompress", str(path), "-o", str(tmp / f"{i}.out"), "--random-weights"]
                r, w = os.pipe()
                pid = os.fork()
                if pid == 0:
                    os.close(r)
                    _child(argv, w, limit, command)
                os.close(w)
                running[pid] = (model, kind, i, path, r, time.monotonic() + args.timeout, [])
            readable = [v[4] for v in running.values()]
            ready, _, _ = select.select(readable, [], [], 0.05)
            for pid, (model, kind, i, path, r, deadline, chunks) in list(running.items()):
                if r in ready:
                    chunk = os.read(r, 65536)
                    if chunk:
                        chunks.append(chunk)
                        continue
                finished, status = os.waitpid(pid, os.WNOHANG)
                timed_out = False
                if not finished:
                    if time.monotonic() < deadline:
                        continue
                    os.kill(pid, signal.SIGKILL)
                    _, status = os.waitpid(pid, 0)
                    timed_out = True
                os.close(r)
                del running[pid]
                outcome = _classify(status, b"".join(chunks).decode(errors="replace"), timed_out)
                counts[(model, kind)][outcome] += 1
                total[outcome] += 1
                if outcome in BAD:
                    args.keep.mkdir(parents=True, exist_ok=True)
                    (args.keep / f"{model}-{kind}-{i}{path.suffix}").write_bytes(path.read_bytes())
                    (args.keep / f"{model}-{kind}-{i}.txt").write_text(b"".join(chunks).decode(errors="replace"))
                path.unlink(missing_ok=True)
                (tmp / f"{i}.out").unlink(missing_ok=True)
                done += 1
                if done % 500 == 0:
                    print(f"{done}/{len(plan)} files  {dict(total)}", file=sys.stderr, flush=True)
    wall = time.perf_counter() - started
    outcomes = ["decoded", "error", *BAD]
    if args.format == "json":
        print(json.dumps({
            "files": done, "planned": len(plan), "seconds": round(wall, 1), "total": {o: total[o] for o in outcomes},
            "by_model_kind": {f"{m}/{k}": dict(c) for (m, k), c in sorted(counts.items())},
        }, indent=2))
    else:
        print(f"{'model':30} {'kind':14} " + " ".join(f"{o:>9}" for o in outcomes))
        for (m, k), c in sorted(counts.items()):
            print(f"{m:30} {k:14} " + " ".join(f"{c[o]:9d}" for o in outcomes))
        print(f"{'total':45} " + " ".join(f"{total[o]:9d}" for o in outcomes))
        print(f"{done} of {len(plan)} planned files in {wall:.0f} s ({args.jobs} jobs)")
    return 1 if any(total[o] for o in BAD) else 0


if __name__ == "__main__":
    sys.exit(main())
