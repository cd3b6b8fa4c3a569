"""A TCP proxy on loopback that cuts connections, for a link that drops (no netem here).

The first ``cut`` connections are forwarded until the client has sent more
than ``after_bytes`` (past the TLS handshake: the request is on its way), and
then the next bytes from the server — the answer — are thrown away and both
sides closed. Later connections pass untouched.
"""

from __future__ import annotations

import socket
import threading


class CuttingProxy:
    def __init__(self, target_port: int, *, cut: int, after_bytes: int = 1000) -> None:
        self.target_port = target_port
        self.remaining = cut
        self.after_bytes = after_bytes
        self.cuts = 0
        self.connections = 0
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._server.getsockname()[1])
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._stop = True
        self._server.close()

    def _accept(self) -> None:
        while not self._stop:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
                doomed = self.remaining > 0
                if doomed:
                    self.remaining -= 1
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            state = {"sent": 0, "doomed": doomed}
            threading.Thread(target=self._pipe, args=(client, upstream, state, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, state, False), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, state: dict, from_client: bool) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if from_client:
                    state["sent"] += len(data)
                elif state["doomed"] and state["sent"] > self.after_bytes:
                    with self._lock:
                        self.cuts += 1
                    break                      # the answer is lost on the way
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
