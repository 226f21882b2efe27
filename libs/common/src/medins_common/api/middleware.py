"""Pure-ASGI middleware: correlation id in and out, request metrics, one access-log line."""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from medins_common import metrics
from medins_common.context import correlation_id_var, new_correlation_id

CORRELATION_HEADER = "x-correlation-id"
log = logging.getLogger("medins.access")


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, *, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(CORRELATION_HEADER.encode())
        correlation_id = incoming.decode()[:64] if incoming else new_correlation_id()
        token = correlation_id_var.set(correlation_id)
        started = time.perf_counter()
        status = 500

        async def send_with_header(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"].append((CORRELATION_HEADER.encode(), correlation_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_header)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            path = getattr(route, "path", "unmatched")
            method = scope["method"]
            metrics.HTTP_REQUESTS.labels(self.service, method, path, str(status)).inc()
            metrics.HTTP_LATENCY.labels(self.service, method, path).observe(elapsed)
            log.info(
                "%s %s %s %.1fms",
                method,
                path,
                status,
                elapsed * 1000,
                extra={"status": status, "route": path},
            )
            correlation_id_var.reset(token)
