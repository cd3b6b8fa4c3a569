"""The township's side of the wire: one ``requests.Session`` talking protocol v1 to the county hub.

The only module of the project that imports ``requests`` (an import-linter
contract keeps it so). What it guarantees:

- TLS verified against the county CA given at setup, and only that CA (the
  path is passed with every request: a ``REQUESTS_CA_BUNDLE`` in the
  environment would otherwise override the session's, requests #3829); with a
  pin, the CA file itself must still have the fingerprint set up.
- Explicit connect and read timeouts on every request.
- Retries with exponential backoff and full jitter — only for requests that
  are idempotent (every push carries its keys; enrollment with the same code
  and key is repeatable; hello is a GET); 429/503 with ``Retry-After`` wait
  what the hub asks (capped).
- A page that is not the hub's JSON (a captive portal, a proxy's error page)
  is named as such, not parsed.
- Every failure is a :class:`SyncError` with a Chinese message and whether
  trying again later may help.
"""

from __future__ import annotations

import email.utils
import gzip
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import requests
from pydantic import BaseModel, ValidationError

from .clock import utc_now
from .errors import SyncError
from .protocol import (
    API_PREFIX,
    CLIENT_HEADER,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    EnrollRequest,
    EnrollResponse,
    ErrorBody,
    HelloResponse,
    PullResponse,
    PushRequest,
    PushResponse,
)
from .trust import ca_fingerprint
from .trust import normal_pin as _normal_pin

__all__ = ["HubClient", "RetryPolicy", "SyncError", "ca_fingerprint"]

M = TypeVar("M", bound=BaseModel)
RETRY_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5                 # tries in all, the first included
    base_seconds: float = 1.0
    cap_seconds: float = 60.0
    retry_after_cap_seconds: float = 300.0

    def backoff(self, attempt: int, rng: Callable[[], float]) -> float:
        """Full jitter: a random wait up to base·2^(attempt-1), capped."""
        return rng() * min(self.cap_seconds, self.base_seconds * 2 ** (attempt - 1))


def _retry_after(value: str | None, now: datetime) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class HubClient:
    def __init__(self, base_url: str, ca_file: Path, *, client_version: str, token: str = "",
                 pin_sha256: str = "", connect_timeout: float = 10.0, read_timeout: float = 60.0,
                 retry: RetryPolicy | None = None, sleep: Callable[[float], None] = time.sleep,
                 rng: Callable[[], float] = random.random) -> None:
        self.base_url = base_url.rstrip("/")
        if not self.base_url.endswith(API_PREFIX):
            self.base_url += API_PREFIX
        if not self.base_url.startswith("https://"):
            raise SyncError("bad_ca", "县级平台地址须以 https:// 开头", retryable=False)
        self.ca_file = Path(ca_file)
        self._pin = _normal_pin(pin_sha256)
        self.token = token
        self.timeout = (connect_timeout, read_timeout)
        self.retry = retry or RetryPolicy()
        self._sleep, self._rng = sleep, rng
        self.http = requests.Session()
        self.http.headers.update({PROTOCOL_HEADER: str(PROTOCOL_VERSION), CLIENT_HEADER: client_version,
                                  "Accept": "application/json"})

    def close(self) -> None:
        self.http.close()

    # ------------------------------------------------------------------ the calls

    def hello(self) -> HelloResponse:
        return self._call("GET", "/hello", None, HelloResponse)

    def enroll(self, req: EnrollRequest) -> EnrollResponse:
        answer = self._call("POST", "/enroll", req, EnrollResponse)
        self.token = answer.device_token
        return answer

    def push(self, req: PushRequest) -> PushResponse:
        if not self.token:
            raise SyncError("bad_token", "本机尚未在县级平台注册，不能上报。", retryable=False)
        return self._call("POST", "/push", req, PushResponse, gz=True)

    def pull(self, cursor: int, limit: int) -> PullResponse:
        """The township's feed after ``cursor`` (a GET: retried like every call of the protocol)."""
        if not self.token:
            raise SyncError("bad_token", "本机尚未在县级平台注册，不能接收县级的结果。", retryable=False)
        return self._call("GET", "/pull", None, PullResponse, params={"cursor": str(cursor), "limit": str(limit)})

    # ------------------------------------------------------------------ plumbing

    def _verify(self) -> str:
        try:
            pem = self.ca_file.read_bytes()
        except OSError:
            raise SyncError("bad_ca", f"找不到县级平台的 CA 证书文件：{self.ca_file}", retryable=False) from None
        if self._pin:
            try:
                have = _normal_pin(ca_fingerprint(pem))
            except ValueError:
                raise SyncError("bad_ca", "县级平台的 CA 证书文件已损坏", retryable=False) from None
            if have != self._pin:
                raise SyncError("bad_ca", "县级平台的 CA 证书与设置时登记的指纹不符（证书文件被替换？），"
                                          "已停止同步，请联系县级信息管理员。", retryable=False)
        return str(self.ca_file)

    def _call(self, method: str, path: str, body: BaseModel | None, answer: type[M], *, gz: bool = False,
              params: dict[str, str] | None = None) -> M:
        verify = self._verify()
        data: bytes | None = None
        headers: dict[str, str] = {}
        if body is not None:
            data = body.model_dump_json().encode("utf-8")
            headers["Content-Type"] = "application/json"
            if gz:
                data, headers["Content-Encoding"] = gzip.compress(data, compresslevel=6), "gzip"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        last: SyncError | None = None
        for attempt in range(1, self.retry.attempts + 1):
            wait: float | None = None
            try:
                response = self.http.request(method, self.base_url + path, data=data, headers=headers,
                                             params=params, timeout=self.timeout, verify=verify)
            except requests.exceptions.SSLError:
                raise SyncError("tls", "县级平台的证书无法验证：可能连到了错误的服务器，或网络中有设备拦截了连接。"
                                       "已停止同步，请联系县级信息管理员。", retryable=False) from None
            except requests.exceptions.ConnectTimeout:
                last = SyncError("timeout", "连接县级平台超时，稍后会再试。", retryable=True)
            except requests.exceptions.Timeout:
                last = SyncError("timeout", "县级平台响应超时，稍后会再试。", retryable=True)
            except requests.exceptions.ConnectionError:
                last = SyncError("unreachable", "无法连接县级平台（网络未通或连接中断），稍后会再试。", retryable=True)
            except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError):
                # the answer began and was cut or spoilt on the way (not ConnectionError subclasses)
                last = SyncError("unreachable", "与县级平台的连接在回应途中中断，稍后会再试。", retryable=True)
            else:
                try:
                    return self._answer(response, answer)
                except SyncError as exc:
                    if not exc.retryable:
                        raise
                    last = exc
                    if response.status_code in (429, 503):
                        wait = _retry_after(response.headers.get("Retry-After"), utc_now())
            if attempt == self.retry.attempts:
                break
            if wait is None:
                wait = self.retry.backoff(attempt, self._rng)
            self._sleep(min(wait, self.retry.retry_after_cap_seconds))
        assert last is not None
        raise last

    def _answer(self, response: requests.Response, answer: type[M]) -> M:
        kind = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
        status = response.status_code
        if kind != "application/json":
            if status in RETRY_STATUSES or status >= 500:
                raise SyncError("busy", f"县级平台暂时无法处理（{status}），稍后会再试。", retryable=True,
                                status=status)
            raise SyncError("not_hub", "收到的不是县级平台的回应（可能是上网登录页面或代理服务器的页面）。"
                                       "请先确认本机能正常上网，或联系县级信息管理员。", retryable=False, status=status)
        try:
            payload: Any = response.json()
        except ValueError:
            raise SyncError("bad_answer", "县级平台的回应不完整，稍后会再试。", retryable=True, status=status) from None
        if status >= 400:
            try:
                err = ErrorBody.model_validate(payload)
            except ValidationError:
                err = ErrorBody(code="server_error", message=f"县级平台出错（{status}）")
            retryable = status in RETRY_STATUSES or status >= 500 or err.code == "bad_gzip"
            raise SyncError(err.code, err.message, retryable=retryable, status=status)
        try:
            return answer.model_validate(payload)
        except ValidationError:
            raise SyncError("bad_answer", "县级平台的回应与本机的协议不符，请联系县级信息管理员。",
                            retryable=False, status=status) from None
