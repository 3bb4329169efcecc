"""A fake Slack on loopback for tests and benchmarks: Web API, response_url, file host and Socket Mode.

    fake = FakeSlack()
    await fake.start()                       # https://127.0.0.1:PORT/api/ (test CA) and ws:// for Socket Mode
    fake.fail("chat.postMessage", 429, retry_after=1)   # the next call is rate-limited
    fake.drop("chat.postMessage", after=True)           # make the post, then drop the connection
    fake.hang("users.info", 5)                          # answer after 5 s
    posts = await fake.wait_for("chat.postMessage")     # the recorded calls, once they arrived
    await fake.stop()

It checks what real Slack checks that matters here (the bot token on Web API calls and file
downloads, the app token on apps.connections.open) and records every call for assertions.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import ssl
import time
from dataclasses import dataclass, field
from typing import Any

import testca
from aiohttp import WSMsgType, web
from fake_api import BOT_ID, BOT_USER, LOCALES, ApiMethods

__all__ = ["APP_TOKEN", "BOT_ID", "BOT_TOKEN", "BOT_USER", "LOCALES", "Call", "FakeSlack"]

BOT_TOKEN = "xoxb-test-bot-token"
APP_TOKEN = "xapp-test-app-token"


@dataclass
class Call:
    """One request the fake received: Web API method (or 'response_url', 'file'), its data, when."""

    method: str
    data: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class FakeSlack(ApiMethods):
    """The fake Slack server; every response is a plain dict the tests can also inspect."""

    def __init__(self, *, tls: bool = True) -> None:
        self.tls = tls  # False for an app in another process, which does not know the test CA
        self.calls: list[Call] = []
        self.threads: dict[tuple[str, str], list[dict[str, Any]]] = {}  # (channel, thread_ts) → messages
        self.files: dict[str, tuple[dict[str, Any], bytes]] = {}
        self.not_in_channel: set[str] = set()
        # Slack documents metadata values as strings, numbers, booleans, objects and arrays: with
        # this set, a null in event_payload is refused the way a strict Slack would.
        self.strict_metadata = False
        self.acks: list[dict[str, Any]] = []
        self.replies_served = 0
        self.client_ports: set[int] = set()  # the app's side of every connection that called us
        self.redirects: dict[str, str] = {}
        self._faults: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self._drops: dict[str, list[bool]] = {}  # method → [made before dropping?] per next call
        self._hangs: dict[str, float] = {}
        self.posts_made = 0  # chat.postMessage calls that made a post (what the user sees)
        self.tls_port = 0
        self._ts = itertools.count(1)
        self._changed = asyncio.Condition()
        self._sockets: list[web.WebSocketResponse] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> FakeSlack:
        """Serve on an ephemeral loopback port."""
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.add_routes(
            [
                web.post("/api/{method}", self._api),
                web.get("/api/{method}", self._api),
                web.post("/respond/{name}", self._respond),
                web.get("/files/{file_id}", self._file),
                web.get("/ws", self._socket),
                web.get("/_calls", self._calls),
            ]
        )
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        tls = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=testca.server_context())
        await tls.start()
        self.tls_port = tls._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        """Close the websockets and the server."""
        for ws in self._sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base(self) -> str:
        """https://127.0.0.1:TLS_PORT, the address of the Web API, response_urls and files (http:// without TLS)."""
        return f"https://127.0.0.1:{self.tls_port}" if self.tls else self.plain_base

    @property
    def plain_base(self) -> str:
        """http://127.0.0.1:PORT, the same server without TLS (Socket Mode's ws://, the benchmark)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """The Web API base URL to give the app (SLACK_API_URL)."""
        return f"{self.base}/api/"

    @property
    def plain_api_url(self) -> str:
        """The Web API without TLS, for an app in another process (which does not know the test CA)."""
        return f"{self.plain_base}/api/"

    @property
    def client_ssl(self) -> ssl.SSLContext:
        """The TLS context the app needs to trust this fake (its test CA)."""
        return testca.client_context()

    def response_url(self, name: str) -> str:
        """A response_url that records what is posted to it under `name`."""
        return f"{self.base}/respond/{name}"

    # ------------------------------------------------------------------ set-up helpers
    def fail(
        self,
        method: str,
        status: int,
        *,
        retry_after: int | None = None,
        times: int = 1,
        error: str | None = None,
    ) -> None:
        """Answer the next `times` calls of a method with an error: HTTP `status` (429 with Retry-After), Slack's `error`."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        if error:
            headers["X-Fake-Error"] = error
        self._faults.setdefault(method, []).extend([(status, headers)] * times)

    def drop(self, method: str, *, after: bool, times: int = 1) -> None:
        """Drop the connection on the next `times` calls: after doing what was asked, or before."""
        self._drops.setdefault(method, []).extend([after] * times)

    def hang(self, method: str, seconds: float) -> None:
        """Answer every call of a method only after `seconds` (0: at once again)."""
        self._hangs[method] = seconds

    def add_thread(self, channel: str, messages: list[dict[str, Any]]) -> None:
        """A thread whose first message is the parent; conversations.replies serves it."""
        self.threads[(channel, messages[0]["ts"])] = messages

    def add_file(self, file_id: str, name: str, data: bytes, **info: Any) -> dict[str, Any]:
        """A file files.info describes and /files/ID serves (to the bot token only)."""
        meta = {"id": file_id, "name": name, "size": len(data), "url_private": f"{self.base}/files/{file_id}"}
        meta |= info
        self.files[file_id] = (meta, data)
        return {"id": file_id, "name": name}

    def redirect_file(self, file_id: str, location: str) -> None:
        """Make /files/ID answer 302 to `location` (a CDN hop, or somewhere the token must not go)."""
        self.redirects[file_id] = location

    # ------------------------------------------------------------------ assertions
    def of(self, method: str) -> list[Call]:
        """The calls of one method so far."""
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """The calls of a method once there are at least `count` (TimeoutError after `timeout`)."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: len(self.of(method)) >= count), timeout)
        return self.of(method)

    async def _record(self, method: str, data: dict[str, Any], request: web.Request | None = None) -> None:
        if request is not None and request.transport is not None:
            self.client_ports.add(request.transport.get_extra_info("peername")[1])  # one per connection
        async with self._changed:
            self.calls.append(Call(method, data))
            self._changed.notify_all()

    # ------------------------------------------------------------------ Web API
    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        data = await _form_or_json(request)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        wanted = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        if token != wanted:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        drops = self._drops.get(method)
        if drops:
            made = drops.pop(0)
            if made:  # Slack did it; the reply is lost on the way back
                await self._record(method, data)
                getattr(self, "_" + method.replace(".", "_"))(data)
            await self._record(method + ":dropped", data)
            assert request.transport is not None
            request.transport.abort()
            raise ConnectionResetError("dropped by the fake")
        if self._hangs.get(method):
            await asyncio.sleep(self._hangs[method])
        await self._record(method, data, request)
        faults = self._faults.get(method)
        if faults:
            status, headers = faults.pop(0)
            headers = dict(headers)  # the same dict stands for each of `times` faults
            error = headers.pop("X-Fake-Error", None)
            error = error or ("ratelimited" if status == 429 else "internal_error")
            return web.json_response({"ok": False, "error": error}, status=status, headers=headers)
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        return web.json_response(handler(data))

    # ------------------------------------------------------------------ response_url and files
    async def _respond(self, request: web.Request) -> web.Response:
        data = await request.json()
        data["_name"] = request.match_info["name"]
        await self._record("response_url", data, request)
        return web.Response(text="ok")

    async def _calls(self, request: web.Request) -> web.Response:
        """Every recorded call of `?method=` as JSON (a load generator in another process counts them)."""
        method = request.query.get("method", "")
        keep = ("thread_ts", "_name", "channel")
        rows = [{"at": c.at, **{k: c.data[k] for k in keep if k in c.data}} for c in self.of(method)]
        return web.json_response({"calls": rows, "posts_made": self.posts_made})

    async def _file(self, request: web.Request) -> web.Response:
        found = self.files.get(request.match_info["file_id"])
        if request.headers.get("Authorization") != f"Bearer {BOT_TOKEN}":
            return web.Response(status=403)
        await self._record("file", {"id": request.match_info["file_id"]})
        if request.match_info["file_id"] in self.redirects:
            raise web.HTTPFound(self.redirects[request.match_info["file_id"]])
        if found is None:
            return web.Response(status=404)
        return web.Response(body=found[1], content_type="application/octet-stream")

    # ------------------------------------------------------------------ Socket Mode
    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"}})
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                async with self._changed:
                    self.acks.append(json.loads(msg.data))
                    self._changed.notify_all()
        return ws

    async def connected(self, timeout: float = 10.0) -> None:
        """Wait until a Socket Mode client is connected."""
        deadline = time.monotonic() + timeout
        while not [ws for ws in self._sockets if not ws.closed]:
            if time.monotonic() > deadline:
                raise TimeoutError("no Socket Mode connection")
            await asyncio.sleep(0.02)

    async def send_envelope(self, envelope: dict[str, Any]) -> None:
        """Push one Socket Mode envelope to the connected client."""
        await [ws for ws in self._sockets if not ws.closed][-1].send_json(envelope)

    async def wait_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """The client's ack of an envelope."""
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: any(a.get("envelope_id") == envelope_id for a in self.acks)),
                timeout,
            )
        return next(a for a in self.acks if a.get("envelope_id") == envelope_id)


async def _form_or_json(request: web.Request) -> dict[str, Any]:
    """A Web API call's arguments: query string, JSON or form (JSON-valued form fields decoded)."""
    if request.method == "GET":
        return dict(request.query)
    if request.content_type == "application/json":
        return dict(await request.json())
    data = {k: v for k, v in (await request.post()).items() if isinstance(v, str)} | dict(request.query)
    for key in ("blocks", "metadata", "attachments"):
        if isinstance(data.get(key), str):
            data[key] = json.loads(data[key])
    return data
