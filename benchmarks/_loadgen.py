"""An HTTP load generator cheap enough not to be the bottleneck: processes of keep-alive sockets.

    python -m benchmarks._loadgen PORT REQUEST_FILE START_AT SECONDS CONNECTIONS

Each generator process holds ``CONNECTIONS`` keep-alive connections and drives them from one
selector loop: a prepared request is written as soon as the previous answer on that connection
is complete (read up to its ``Content-Length``, never parsed further). No threads, no
``http.client``: one request costs the generator a few socket calls. The process prints one
JSON line: its latencies (seconds), the non-200 statuses it saw and its own CPU seconds, so
the caller can report how much of the machine the generator itself used.
"""

from __future__ import annotations

import json
import os
import selectors
import socket
import subprocess
import sys
import time

__all__ = ["drive", "run_load"]

_END = b"\r\n\r\n"
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _request(port: int, path: str, body: bytes, content_type: str) -> bytes:
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n")
    return head.encode() + body


def _answer_length(buffer: bytes, head_end: int) -> int:
    """The total length of the answer whose head ends at ``head_end``: head plus Content-Length bytes."""
    for line in buffer[:head_end].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return head_end + len(_END) + int(value)
    raise RuntimeError("an answer without Content-Length")


class _Connection:
    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer, self.expected, self.started = b"", 0, 0.0

    def send(self, request: bytes) -> None:
        self.started = time.perf_counter()
        self.sock.sendall(request)

    def receive(self):
        """The status code once a whole answer has arrived, else None."""
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise RuntimeError("the server closed the connection")
        self.buffer += chunk
        if not self.expected:
            head_end = self.buffer.find(_END)
            if head_end < 0:
                return None
            self.expected = _answer_length(self.buffer, head_end)
        if len(self.buffer) < self.expected:
            return None
        status = int(self.buffer[9:12])
        self.buffer, self.expected = self.buffer[self.expected:], 0
        return status


def drive(port: int, request: bytes, start_at: float, seconds: float, connections: int) -> dict:
    """From ``start_at`` (``time.monotonic``, shared by all processes) keep ``connections`` requests in
    flight for ``seconds``; latencies, bad statuses, CPU seconds and when the last answer came."""
    selector = selectors.DefaultSelector()
    latencies, statuses = [], []
    for _ in range(connections):
        connection = _Connection(port)
        selector.register(connection.sock, selectors.EVENT_READ, connection)
    time.sleep(max(0.0, start_at - time.monotonic()))
    cpu_start, stop_at = time.process_time(), time.perf_counter() + seconds
    for key in list(selector.get_map().values()):
        key.data.send(request)
    open_count = connections
    while open_count:
        for key, _ in selector.select():
            connection = key.data
            status = connection.receive()
            if status is None:
                continue
            now = time.perf_counter()
            latencies.append(now - connection.started)
            if status != 200:
                statuses.append(status)
            if now < stop_at and not statuses:
                connection.send(request)
            else:
                selector.unregister(connection.sock)
                connection.sock.close()
                open_count -= 1
    return {"latencies": latencies, "statuses": statuses, "cpu": time.process_time() - cpu_start,
            "ended": time.monotonic()}


def run_load(port: int, body: bytes, seconds: float, processes: int = 2, connections: int = 2,
             content_type: str = "application/json", path: str = "/invocations") -> dict:
    """Load the server on ``port`` from ``processes`` generator processes of ``connections`` each.

    Returns ``rps``, ``p99`` (seconds), ``requests``, ``wall`` and ``generator_cpu`` (the generators'
    CPU seconds). Raises RuntimeError when the server answers anything but 200.
    """
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".body", delete=False) as handle:
        handle.write(_request(port, path, body, content_type))
    try:
        start_at = time.monotonic() + 1.0  # every generator has started and connected by then
        command = [sys.executable, "-m", "benchmarks._loadgen", str(port), handle.name, repr(start_at),
                   str(seconds), str(connections)]
        children = [subprocess.Popen(command, stdout=subprocess.PIPE, cwd=_ROOT) for _ in range(processes)]
        reports = [json.loads(child.communicate()[0].decode().splitlines()[-1]) for child in children]
        wall = max(report["ended"] for report in reports) - start_at
    finally:
        os.remove(handle.name)
    if any(child.returncode for child in children):
        raise RuntimeError("a load generator process failed")
    statuses = [status for report in reports for status in report["statuses"]]
    if statuses:
        raise RuntimeError(f"the server answered HTTP {statuses[0]}")
    latencies = sorted(value for report in reports for value in report["latencies"])
    return {"rps": len(latencies) / wall, "p99": latencies[max(0, int(len(latencies) * 0.99) - 1)],
            "requests": len(latencies), "wall": wall, "generator_cpu": sum(r["cpu"] for r in reports)}


def main(argv=None) -> int:
    """Run one generator process and print its report as JSON."""
    port, request_file, start_at, seconds, connections = argv or sys.argv[1:]
    with open(request_file, "rb") as handle:
        request = handle.read()
    report = drive(int(port), request, float(start_at), float(seconds), int(connections))
    sys.stdout.write(json.dumps(report) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
