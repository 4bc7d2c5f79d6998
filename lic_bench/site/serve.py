"""Serve a built site folder on localhost with the standard library's HTTP server.

No live reload and no file watching: ``lic-bench site serve`` builds once, then serves
the folder, which is what a reader needs and what cannot break half-way. (For editing the
renderers, ``mkdocs serve`` works too: the hooks watch the knowledge base.)
"""

from __future__ import annotations

import errno
import functools
import os
import signal
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from lic_bench.errors import UsageError

LOCALHOST = "127.0.0.1"


class _Handler(SimpleHTTPRequestHandler):
    """Static files; MkDocs' own 404 page for missing paths; quiet unless asked."""

    verbose = False

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code == 404 and page.is_file() and self.command in ("GET", "HEAD"):
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command == "GET":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)

    def send_head(self):
        """Refuse, before the base class opens anything, paths it cannot or must not serve.

        A NUL byte or an undecodable escape (``/%00``, ``/%ed%a0%80``) would raise inside
        the base class and print a traceback: 400. A path whose real location is outside
        the site folder (a symlink in the built site pointing elsewhere) is treated as
        missing: 404. Either way one log line says why.
        """
        self._refused = False
        try:
            target = self.translate_path(self.path)
            if "\x00" in target:
                raise ValueError("NUL byte in path")
            os.fsencode(target)  # lone surrogates from %-escapes cannot name a file
        except (ValueError, UnicodeError) as exc:
            reason = str(exc) if isinstance(exc, ValueError) and "NUL" in str(exc) else "undecodable path"
            return self._refuse(400, reason)
        root = os.path.realpath(self.directory)
        candidates = [target]
        if os.path.isdir(target):  # the base class serves the folder's index page
            candidates += [os.path.join(target, name) for name in ("index.html", "index.htm")]
        for path in candidates:
            real = os.path.realpath(path)
            if real != root and not real.startswith(root + os.sep):
                return self._refuse(404, "leaves the site folder")
        return super().send_head()

    def _refuse(self, code: int, why: str) -> None:
        """Answer ``code`` and log exactly one line, whether or not requests are logged."""
        shown = self.path if len(self.path) <= 200 else self.path[:200] + "..."
        sys.stderr.write(f"{self.address_string()} - refused {self.command} {shown!r}: {why} ({code})\n")
        self._refused = True  # the response itself is not logged again
        self.send_error(code, why)
        return None

    def log_message(self, format, *args):  # noqa: A002 (signature of the base class)
        if self.verbose:
            super().log_message(format, *args)

    def log_request(self, code="-", size="-"):
        if not getattr(self, "_refused", False):
            super().log_request(code, size)

    def log_error(self, format, *args):  # noqa: A002 (signature of the base class)
        if not getattr(self, "_refused", False):
            self.log_message(format, *args)


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True  # a hung browser connection must not block Ctrl-C
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        """A client that hangs up early (broken pipe, reset) is normal: say nothing.
        Anything else is one line on stderr, never the base class's traceback."""
        import sys

        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        print(f"error: serving {client_address[0]}: {type(exc).__name__}", file=sys.stderr)


def make_server(directory: str | Path, port: int = 8000, verbose: bool = False) -> SiteServer:
    """An HTTP server for ``directory`` bound to 127.0.0.1 only (``port=0``: any free port)."""
    directory = Path(directory)
    if not (directory / "index.html").is_file():
        raise UsageError(f"{directory} holds no built site (no index.html); build it first")
    handler = functools.partial(
        type("Handler", (_Handler,), {"verbose": verbose}), directory=str(directory)
    )
    try:
        return SiteServer((LOCALHOST, port), handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} is already in use; pick another with --port") from None
        if exc.errno == errno.EACCES:
            raise UsageError(
                f"not allowed to listen on port {port}; use a port above 1023"
            ) from None
        raise


def url_of(server: SiteServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}/"


def _stop_on_sigterm() -> None:
    """Treat SIGTERM (a process manager stopping the job) like Ctrl-C: a clean exit.

    SIGINT gets the handler too: a process started in the background by a
    non-interactive shell inherits SIGINT ignored, and Python then never raises
    KeyboardInterrupt, so Ctrl-C (or ``kill -INT``) would not stop the server.
    """

    def handler(signum, frame):
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)


def serve_forever(server: SiteServer) -> None:
    """Serve until Ctrl-C (or SIGTERM), then close the socket and return normally."""
    _stop_on_sigterm()
    try:
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def serve_in_thread(directory: str | Path, port: int = 0) -> tuple[SiteServer, threading.Thread]:
    """Start a server in a daemon thread (tests); stop it with ``server.shutdown()``."""
    server = make_server(directory, port)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.daemon = True
    thread.start()
    return server, thread
