"""The hub's HTTP face (FastAPI): protocol v1 under ``/api/v1`` (see sync/PROTOCOL.md).

Every refusal is JSON ``{"code", "message"}`` with a Chinese message; the
protocol and client version headers are checked before anything else; push
bodies may be gzip and are capped in bytes after decompression.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable
from datetime import datetime
from importlib import metadata
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from sync.protocol import (
    API_PREFIX,
    CLIENT_HEADER,
    MAX_BATCH_BYTES,
    MAX_PULL_ITEMS,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    EnrollRequest,
    EnrollResponse,
    ErrorBody,
    HelloResponse,
    PullResponse,
    PushRequest,
    PushResponse,
    version_at_least,
)

from . import feed, service
from .database import HubDatabase
from .errors import HubError
from .models import Device
from .sealing import Sealer


def hub_version() -> str:
    try:
        return metadata.version("yimen")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def _error(status: int, code: str, message: str, **detail: Any) -> JSONResponse:
    return JSONResponse(ErrorBody(code=code, message=message, detail=detail).model_dump(), status_code=status)


def _first_problem(exc: ValidationError | RequestValidationError) -> str:
    errors = exc.errors()
    if not errors:
        return "请求内容格式有误"
    loc = ".".join(str(p) for p in errors[0].get("loc", ()) if p != "body")
    return f"请求内容格式有误：{loc or '（整体）'} 不符合协议（共 {len(errors)} 处）"


async def _body(request: Request) -> bytes:
    raw = await request.body()
    if len(raw) > MAX_BATCH_BYTES:
        raise HubError(413, "too_large", f"一次上报的数据超过 {MAX_BATCH_BYTES // 1000} KB，请分批上报。")
    if request.headers.get("content-encoding", "").lower() == "gzip":
        try:
            d = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
            raw = d.decompress(raw, MAX_BATCH_BYTES + 1)
            if len(raw) > MAX_BATCH_BYTES or d.unconsumed_tail:
                raise HubError(413, "too_large", f"一次上报的数据解压后超过 {MAX_BATCH_BYTES // 1000} KB，请分批上报。")
        except (zlib.error, gzip.BadGzipFile, EOFError):
            raise HubError(400, "bad_gzip", "上报的数据压缩格式损坏，请重新上报。") from None
    return raw


def create_app(db: HubDatabase, sealer: Sealer, *, county_name: str, min_client_version: str,
               now: Callable[[], datetime] = service.utc_now) -> FastAPI:
    app = FastAPI(title="一门受理 县级平台", version=hub_version(), openapi_url=f"{API_PREFIX}/openapi.json",
                  docs_url=None, redoc_url=None)
    # answers gzip too when the client accepts it (requests does): per-item results of a 500-event batch
    # are ~50 kB of JSON, more than the gzipped batch itself on a slow link (make bench)
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6)

    @app.exception_handler(HubError)
    async def _hub_error(_request: Request, exc: HubError) -> JSONResponse:
        return _error(exc.status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(422, "bad_request", _first_problem(exc))

    @app.middleware("http")
    async def _versions(request: Request, call_next: Callable[[Request], Any]) -> Any:
        if request.url.path.startswith(API_PREFIX) and not request.url.path.endswith(("/hello", "/openapi.json")):
            proto = request.headers.get(PROTOCOL_HEADER, "")
            if proto != str(PROTOCOL_VERSION):
                return _error(400, "protocol_mismatch",
                              f"同步协议版本不符（本机 {proto or '未知'}，县级平台 {PROTOCOL_VERSION}），请升级本软件。")
            client = request.headers.get(CLIENT_HEADER, "")
            if not version_at_least(client, min_client_version):
                return _error(426, "client_too_old",
                              f"本机软件版本 {client or '未知'} 过旧，县级平台要求 {min_client_version} 或更新版本。"
                              "请联系县级信息管理员升级；升级前本机可照常离线办理。",
                              min_client_version=min_client_version)
        return await call_next(request)

    def _token(request: Request) -> str:
        auth = request.headers.get("authorization", "")
        return auth[7:].strip() if auth.lower().startswith("bearer ") else ""

    @app.get(f"{API_PREFIX}/hello", response_model=HelloResponse)
    def hello() -> HelloResponse:
        return HelloResponse(protocol=PROTOCOL_VERSION, hub_version=hub_version(),
                             min_client_version=min_client_version, county_name=county_name, server_time=now())

    @app.post(f"{API_PREFIX}/enroll", response_model=EnrollResponse,
              responses={403: {"model": ErrorBody}, 409: {"model": ErrorBody}})
    def enroll(req: EnrollRequest, request: Request) -> EnrollResponse:
        with db.write() as s:
            return service.enroll(s, req, client_version=request.headers.get(CLIENT_HEADER, ""), now=now(),
                                  county_name=county_name)

    @app.post(f"{API_PREFIX}/push", response_model=PushResponse,
              responses={401: {"model": ErrorBody}, 403: {"model": ErrorBody}, 413: {"model": ErrorBody}},
              openapi_extra={"requestBody": {"content": {"application/json": {
                  "schema": PushRequest.model_json_schema()}}, "required": True}})
    async def push(request: Request) -> PushResponse:
        raw = await _body(request)
        try:
            req = PushRequest.model_validate_json(raw)
        except ValidationError as exc:
            raise HubError(422, "bad_request", _first_problem(exc)) from None
        return await run_in_threadpool(_push, _token(request), request.headers.get(CLIENT_HEADER, ""), req)

    def _push(token: str, client: str, req: PushRequest) -> PushResponse:
        with db.write() as s:
            device = service.device_for_token(s, token, now=now(), client_version=client)
            # one push of a device at a time: a retry racing its first try waits, then sees its items
            s.execute(select(Device.id).where(Device.id == device.id).with_for_update())
            return service.apply_push(s, device, req, sealer, now())

    @app.get(f"{API_PREFIX}/pull", response_model=PullResponse,
             responses={401: {"model": ErrorBody}, 403: {"model": ErrorBody}, 422: {"model": ErrorBody}})
    def pull(request: Request, cursor: str = "0", limit: str = str(DEFAULT_PULL)) -> PullResponse:
        at, most = _number(cursor, "cursor", 0), _number(limit, "limit", 1)
        if most > MAX_PULL_ITEMS:
            raise HubError(422, "bad_request", f"一次最多取 {MAX_PULL_ITEMS} 项（limit={most}）。")
        with db.write() as s:
            device = service.device_for_token(s, _token(request), now=now(),
                                              client_version=request.headers.get(CLIENT_HEADER, ""))
            return feed.pull(s, sealer, device, at, most)

    return app


DEFAULT_PULL = 200


def _number(text: str, name: str, least: int) -> int:
    value = text.strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 18 or int(value) < least:
        raise HubError(422, "bad_request", f"请求参数 {name} 须为不小于 {least} 的整数（收到“{text[:20]}”）。")
    return int(value)
