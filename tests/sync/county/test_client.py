"""The township's client against the real hub: TLS only with the county CA (and its pin), answers
lost on a cutting link retried until every event is at the hub exactly once, 429/503 waits what
Retry-After says, a page that is not the hub's is named, the hub's refusals come back in Chinese."""

from __future__ import annotations

import http.server
import ssl
import threading
import uuid
from pathlib import Path

import pytest

from county.flaky import CuttingProxy
from county.test_hub import TOWN, _devices, _key
from sync.client import HubClient, RetryPolicy, SyncError, ca_fingerprint
from sync.protocol import EnrollRequest, PushRequest


def _client(hub, port: int | None = None, **kw) -> tuple[HubClient, list[float]]:  # type: ignore[no-untyped-def]
    waits: list[float] = []
    c = HubClient(f"https://127.0.0.1:{port or hub.port}", Path(hub.ca), client_version="0.1.0",
                  sleep=waits.append, rng=lambda: 0.5, **kw)
    return c, waits


def _enrolled(hub, port: int | None = None, **kw):  # type: ignore[no-untyped-def]
    c, waits = _client(hub, port, **kw)
    device = f"{next(_devices):03d}"
    c.enroll(EnrollRequest(enrollment_code=hub.code(TOWN, device), township_code=TOWN, device_code=device,
                           public_key=_key()))
    return c, waits


def test_hello_and_enroll_through_the_client_with_the_pinned_ca(hub):
    pin = ca_fingerprint(Path(hub.ca).read_bytes())
    c, _ = _enrolled(hub, pin_sha256=pin.lower())
    assert c.hello().county_name == "测试县" and c.token


def test_a_ca_file_that_no_longer_matches_its_pin_stops_the_client(hub, tmp_path):
    other = tmp_path / "other.pem"
    other.write_bytes(Path(hub.ca).read_bytes())
    c = HubClient(f"https://127.0.0.1:{hub.port}", other, client_version="0.1.0", pin_sha256="AB" * 32)
    with pytest.raises(SyncError) as err:
        c.hello()
    assert err.value.code == "bad_ca" and not err.value.retryable and "指纹不符" in err.value.message


def test_a_server_the_county_ca_did_not_sign_is_refused(hub, tmp_path):
    import subprocess
    import sys

    other = tmp_path / "other-hub"
    out = subprocess.run([sys.executable, "-m", "sync.county.cli", "init", "--data-dir", str(other),
                          "--county-name", "别的县"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    c = HubClient(f"https://127.0.0.1:{hub.port}", other / "ca.pem", client_version="0.1.0")
    with pytest.raises(SyncError) as err:
        c.hello()
    assert err.value.code == "tls" and not err.value.retryable


def test_answers_lost_on_a_cutting_link_are_retried_and_nothing_is_doubled(hub, township_log, pg):
    proxy = CuttingProxy(hub.port, cut=3)
    try:
        c, waits = _enrolled(hub)
        through, waits = _client(hub, proxy.port, token=c.token, retry=RetryPolicy(attempts=6))
        events = [e.model_copy(update={"idempotency_key": str(uuid.uuid4())}) for e in township_log.events]
        out = through.push(PushRequest(events=events))
    finally:
        proxy.close()
    assert proxy.cuts >= 1 and len(waits) >= 1                     # the link did cut, the client did wait
    assert {r.status for r in out.results} <= {"accepted", "duplicate"}
    keys = ",".join(f"'{e.idempotency_key}'" for e in events)
    assert pg.query(hub.dbname, f"select count(*) from received_events where idempotency_key in ({keys})")[0][0] \
        == len(events)


def test_a_hub_that_stays_unreachable_is_a_retryable_chinese_error(hub):
    c, waits = _client(hub, port=1, retry=RetryPolicy(attempts=3, base_seconds=2))
    with pytest.raises(SyncError) as err:
        c.hello()
    assert err.value.code == "unreachable" and err.value.retryable and "无法连接" in err.value.message
    assert waits == [1.0, 2.0]                                       # full jitter (rng 0.5) over 2, 4 s


class _Fake(http.server.BaseHTTPRequestHandler):
    status = 200
    headers_out: dict[str, str] = {}
    body = b""

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(self.status)
        for k, v in self.headers_out.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fake(hub):  # type: ignore[no-untyped-def]
    """An HTTPS server with the hub's own certificate that answers what a test sets."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Fake)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(hub.data_dir / "server.pem", hub.data_dir / "server.key")
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def test_a_portal_page_is_named_not_parsed(hub, fake):
    _Fake.status, _Fake.headers_out, _Fake.body = 200, {"Content-Type": "text/html"}, "<html>请登录</html>".encode()
    c, waits = _client(hub, fake.server_address[1])
    with pytest.raises(SyncError) as err:
        c.hello()
    assert err.value.code == "not_hub" and not err.value.retryable and "登录页面" in err.value.message
    assert waits == []


def test_busy_hub_is_waited_for_as_retry_after_says(hub, fake):
    _Fake.status, _Fake.headers_out = 503, {"Content-Type": "application/json", "Retry-After": "7"}
    _Fake.body = b'{"code": "busy", "message": "\\u7e41\\u5fd9"}'
    c, waits = _client(hub, fake.server_address[1], retry=RetryPolicy(attempts=3))
    with pytest.raises(SyncError) as err:
        c.hello()
    assert err.value.retryable and err.value.status == 503
    assert waits == [7.0, 7.0]


def test_the_hubs_refusal_comes_back_in_chinese_and_is_not_retried(hub):
    c, waits = _client(hub)
    with pytest.raises(SyncError) as err:
        c.enroll(EnrollRequest(enrollment_code="WRONG-CODE", township_code=TOWN, device_code="998",
                               public_key=_key()))
    assert err.value.code == "bad_enrollment_code" and not err.value.retryable and "注册码" in err.value.message
    assert waits == []
