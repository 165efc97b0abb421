"""An access log of every request a middleware sees, in uvicorn's format.

`serve` switches uvicorn's own access log off in `ANALYTICS_ACCESS_LOG=pages` mode and wraps
the pages in this instead: the tracking hits, answered in front of it, then cost no log record
at all (a filter on uvicorn's log still built a record per hit: 4% of the web process).
Its logger is not uvicorn's, which uvicorn silences when its own access log is off.
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ACCESS_LOGGER = logging.getLogger("analytics_server.access")


class AccessLog:
    def __init__(self, app: ASGIApp, logger: logging.Logger = ACCESS_LOGGER) -> None:
        self.app = app
        self.logger = logger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def logged_send(message: Message) -> None:
            if message["type"] == "http.response.start" and self.logger.isEnabledFor(logging.INFO):
                self.logger.info(
                    '%s - "%s %s HTTP/%s" %d',
                    _client(scope),
                    scope["method"],
                    _path(scope),
                    scope["http_version"],
                    message["status"],
                )
            await send(message)

        await self.app(scope, receive, logged_send)


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return f"{client[0]}:{client[1]}" if client else ""


def _path(scope: Scope) -> str:
    path = scope.get("root_path", "") + scope["path"]
    query: bytes = scope.get("query_string", b"")
    return f"{path}?{query.decode('ascii', 'replace')}" if query else path
