"""Issue 23: `site serve` prints no traceback when a client hangs up early."""

from __future__ import annotations

import socket
import struct
import time

from lic_bench.site.serve import serve_in_thread


def test_a_client_hanging_up_mid_download_prints_nothing(tmp_path, capfd):
    (tmp_path / "index.html").write_text("<p>hi</p>")
    (tmp_path / "big.bin").write_bytes(b"\0" * (32 << 20))
    server, thread = serve_in_thread(tmp_path, port=0)
    try:
        host, port = server.server_address[:2]
        for _ in range(3):
            sock = socket.create_connection((host, port), timeout=10)
            sock.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            sock.recv(1024)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # reset, not FIN
            sock.close()
        time.sleep(1.0)
    finally:
        server.shutdown()
        server.server_close()
    err = capfd.readouterr().err
    assert "Traceback" not in err and "BrokenPipe" not in err and "ConnectionReset" not in err, err
