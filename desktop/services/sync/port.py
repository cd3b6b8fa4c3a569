"""What the township's sync needs from the wire (``sync.client.HubClient`` is one)."""

from __future__ import annotations

from typing import Protocol

from sync.protocol import (
    EnrollRequest,
    EnrollResponse,
    HelloResponse,
    PullResponse,
    PushRequest,
    PushResponse,
)


class HubPort(Protocol):
    token: str

    def hello(self) -> HelloResponse: ...

    def enroll(self, req: EnrollRequest) -> EnrollResponse: ...

    def push(self, req: PushRequest) -> PushResponse: ...

    def pull(self, cursor: int, limit: int) -> PullResponse: ...
