"""Only the preview's user can drive it: loopback Host names, a per-run secret, same-origin JSON.

Like Jupyter's token: the URL printed at start carries ``?token=<secret>``; the first visit
sets a cookie (HttpOnly, SameSite=Strict), so the page's own requests carry it. Every request
needs one or the other (or ``Authorization: token <secret>``). A Host other than a loopback
name is refused, so a DNS-rebinding page gets nothing; a request that changes state needs
``Content-Type: application/json`` and an ``Origin`` of this very server, and no body may be
larger than ``MAX_BODY``.
"""

from __future__ import annotations

import hashlib
import hmac
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
MAX_BODY = 4096  # /select's JSON is under 200 bytes
SAFE_METHODS = frozenset({"GET", "HEAD"})


def host_name(host: str) -> str:
    """'127.0.0.1:8800' -> '127.0.0.1', '[::1]:8800' -> '::1'."""
    if host.startswith("["):
        return host[1:].split("]", 1)[0].lower()
    return host.rsplit(":", 1)[0].lower() if host.count(":") == 1 else host.lower()


class Guard:
    """ASGI middleware in front of every route of the preview app."""

    def __init__(self, app: Any, token: str, hosts: frozenset[str] = LOOPBACK) -> None:
        self.app, self.token, self.hosts = app, token, hosts
        self.cookie = "briefing-preview-" + hashlib.sha256(token.encode()).hexdigest()[:8]

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)  # lifespan
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = self.refusal(scope, headers)
        if refusal:
            status, reason = refusal
            await _plain(send, status, reason)
            return
        if _query_token(scope) is None:
            await self.app(scope, receive, send)
            return

        async def with_cookie(message: dict) -> None:  # the first visit: remember the secret
            if message["type"] == "http.response.start":
                value = f"{self.cookie}={self.token}; Path=/; HttpOnly; SameSite=Strict"
                message["headers"] = [*message.get("headers", []),
                                      (b"set-cookie", value.encode())]  # fmt: skip
            await send(message)

        await self.app(scope, receive, with_cookie)

    def refusal(self, scope: dict, headers: dict[str, str]) -> tuple[int, str] | None:
        """(status, reason) when the request must not reach the app."""
        host = headers.get("host", "")
        if host_name(host) not in self.hosts:
            return 400, "refused: this preview answers only to 127.0.0.1 and localhost"
        if not self._has_secret(scope, headers):
            return 403, "refused: open the link with ?token= that `briefing preview` printed"
        length = headers.get("content-length", "0")
        if not length.isdigit() or int(length) > MAX_BODY:
            return 413, f"refused: a request body may have at most {MAX_BODY} bytes"
        if scope["method"] not in SAFE_METHODS:
            origin = headers.get("origin", "")
            if origin not in (f"http://{host}", f"https://{host}"):
                return 403, "refused: a change must come from the preview's own page"
            if headers.get("sec-fetch-site", "same-origin") != "same-origin":
                return 403, "refused: a change must come from the preview's own page"
            if headers.get("content-type", "").split(";")[0].strip() != "application/json":
                return 415, "refused: a change must be sent as application/json"
        return None

    def _has_secret(self, scope: dict, headers: dict[str, str]) -> bool:
        offered = [_query_token(scope) or ""]
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:  # a malformed Cookie header is no cookie
            cookie = SimpleCookie()
        if self.cookie in cookie:
            offered.append(cookie[self.cookie].value)
        scheme, _, value = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "token":
            offered.append(value.strip())
        return any(hmac.compare_digest(o.encode(), self.token.encode()) for o in offered if o)


def _query_token(scope: dict) -> str | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token")
    return values[0] if values else None


async def _plain(send: Any, status: int, reason: str) -> None:
    body = (reason + "\n").encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"),
               (b"content-length", str(len(body)).encode())]  # fmt: skip
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
