"""A fault-injecting proxy on loopback between the township's client and the hub, driven by a schedule.

It stands where a county's reverse proxy or a township's middlebox would: it
terminates TLS with the hub's own certificate (issued by the county CA for
127.0.0.1, so the client verifies it as it would verify the hub), reads one
HTTP/1.1 request, and, by the next fault of its schedule, answers in the
hub's place, forwards it to the real hub over a second TLS connection and
spoils the answer, or passes it. Every answer carries ``Connection: close``,
so each request is one connection and one entry of the schedule. The faults
the client meets are real ones on its own socket: a TCP reset (``SO_LINGER``
0), a TLS stream cut short, a status or a page it did not expect, silence.

What the proxy cannot do is refuse at the TCP level for one connection only
(the listening socket is shared): ``refused`` is a reset right at accept,
before the TLS handshake — to the client the same ``ConnectionError``.
"""

from __future__ import annotations

import collections
import socket
import ssl
import struct
import threading
import time
from collections.abc import Iterable
from pathlib import Path

FAULTS = (
    "refused",              # reset at accept, before TLS
    "reset_before",         # the request read, not forwarded, reset
    "reset_after",          # forwarded, the client reset at once (the hub may or may not finish)
    "reset_mid",            # half the answer, then a reset
    "http500",              # forwarded, the answer replaced by a 500 (the hub applied it)
    "http502",              # forwarded, a proxy's 502 page instead (the hub applied it)
    "http503",              # not forwarded: 503 with Retry-After
    "http429",              # not forwarded: 429 with Retry-After
    "hold",                 # forwarded, then silence past the client's read timeout
    "truncated",            # the answer's headers and half its body, then a clean close
    "drop_after_success",   # the hub answered in full, the client gets a reset
    "portal",               # not forwarded: a captive portal's HTML login page, status 200
    "trickle",              # the whole answer, a few bytes at a time
)

PORTAL = ("<html><head><title>上网认证</title></head><body><form action='/login'>"
          "请输入手机号获取验证码</form></body></html>").encode()


def _reset(sock: socket.socket) -> None:
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


def _read_request(sock: socket.socket) -> bytes | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        body += chunk
    return _with_close(head) + b"\r\n\r\n" + body


def _with_close(head: bytes) -> bytes:
    lines = [ln for ln in head.split(b"\r\n") if not ln.lower().startswith(b"connection:")]
    return b"\r\n".join([*lines, b"Connection: close"])


def _answer(status: int, reason: str, body: bytes, kind: str, extra: str = "") -> bytes:
    return (f"HTTP/1.1 {status} {reason}\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}\r\n"
            f"{extra}Connection: close\r\n\r\n").encode() + body


class FaultProxy:
    """``schedule``: one fault name (or ``"pass"``) per connection, in order; then everything passes."""

    def __init__(self, target_port: int, hub_dir: Path, *, schedule: Iterable[str] = (),
                 hold_seconds: float = 1.0, trickle_bytes: int = 97, trickle_delay: float = 0.005) -> None:
        self.target_port = target_port
        self.schedule: collections.deque[str] = collections.deque(schedule)
        self.hold_seconds = hold_seconds
        self.trickle_bytes, self.trickle_delay = trickle_bytes, trickle_delay
        self.applied: list[str] = []           # the faults met, in order
        self.forwarded = 0
        self.connections = 0
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._server_tls.load_cert_chain(hub_dir / "server.pem", hub_dir / "server.key")
        self._upstream_tls = ssl.create_default_context(cafile=str(hub_dir / "ca.pem"))
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._server.getsockname()[1])
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def load(self, schedule: Iterable[str]) -> None:
        with self._lock:
            self.schedule = collections.deque(schedule)
            self.applied = []

    def close(self) -> None:
        self._stop = True
        self._server.close()

    def idle(self, timeout: float = 10.0) -> None:
        """Wait until every connection's thread has finished (the hub's work behind a fault is done)."""
        deadline = time.monotonic() + timeout
        for t in list(self._threads):
            t.join(max(0.0, deadline - time.monotonic()))

    def _accept(self) -> None:
        while not self._stop:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
                fault = self.schedule.popleft() if self.schedule else "pass"
                if fault != "pass":
                    self.applied.append(fault)
                self._threads = [t for t in self._threads if t.is_alive()]
                t = threading.Thread(target=self._serve, args=(client, fault), daemon=True)
                self._threads.append(t)
            t.start()

    def _forward(self, request: bytes) -> bytes:
        with socket.create_connection(("127.0.0.1", self.target_port), timeout=60) as raw, \
                self._upstream_tls.wrap_socket(raw, server_hostname="127.0.0.1") as up:
            up.sendall(request)
            with self._lock:
                self.forwarded += 1
            answer = b""
            while chunk := up.recv(65536):
                answer += chunk
            return answer

    def _serve(self, raw: socket.socket, fault: str) -> None:
        if fault == "refused":
            _reset(raw)
            return
        try:
            raw.settimeout(30)
            client = self._server_tls.wrap_socket(raw, server_side=True)
        except (OSError, ssl.SSLError):
            raw.close()
            return
        try:
            request = _read_request(client)
            if request is None:
                client.close()
                return
            self._fault(client, fault, request)
        except (OSError, ssl.SSLError):
            _reset(client)

    def _fault(self, client: ssl.SSLSocket, fault: str, request: bytes) -> None:
        if fault == "reset_before":
            _reset(client)
        elif fault == "reset_after":
            threading.Thread(target=self._forward, args=(request,), daemon=True).start()
            time.sleep(0.01)                 # the request is on its way to the hub
            _reset(client)
        elif fault == "http503":
            self._finish(client, _answer(503, "Service Unavailable", b"<html>busy</html>", "text/html",
                                         "Retry-After: 2\r\n"))
        elif fault == "http429":
            self._finish(client, _answer(429, "Too Many Requests", b'{"code":"busy","message":"busy"}',
                                         "application/json", "Retry-After: 1\r\n"))
        elif fault == "portal":
            self._finish(client, _answer(200, "OK", PORTAL, "text/html; charset=utf-8"))
        else:
            answer = self._forward(request)
            if fault == "pass":
                self._finish(client, answer)
            elif fault == "http500":
                self._finish(client, _answer(500, "Internal Server Error", b"Internal Server Error", "text/plain"))
            elif fault == "http502":
                self._finish(client, _answer(502, "Bad Gateway", b"<html><h1>502 Bad Gateway</h1></html>",
                                             "text/html"))
            elif fault == "reset_mid":
                client.sendall(answer[:len(answer) // 2])
                _reset(client)
            elif fault == "truncated":
                head, _, body = answer.partition(b"\r\n\r\n")
                self._finish(client, head + b"\r\n\r\n" + body[:len(body) // 2])
            elif fault == "drop_after_success":
                _reset(client)
            elif fault == "hold":
                time.sleep(self.hold_seconds)
                _reset(client)
            elif fault == "trickle":
                for i in range(0, len(answer), self.trickle_bytes):
                    client.sendall(answer[i:i + self.trickle_bytes])
                    time.sleep(self.trickle_delay)
                self._finish(client, b"")
            else:
                raise ValueError(fault)

    @staticmethod
    def _finish(client: ssl.SSLSocket, data: bytes) -> None:
        if data:
            client.sendall(data)
        try:
            client.unwrap().close()        # close_notify, then FIN: a clean end of the stream
        except (OSError, ssl.SSLError):
            client.close()
