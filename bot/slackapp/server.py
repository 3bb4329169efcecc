"""HTTP mode: an aiohttp application with Slack's endpoint and a health check."""

from __future__ import annotations

import logging

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

EVENTS_PATH = "/slack/events"  # events, the slash command and interactivity all come here
HEALTH_PATH = "/health"
MAX_BODY = 2 * 1024 * 1024  # a 40,000-character message with entities stays far below this


def web_application(app: AsyncApp) -> web.Application:
    """The aiohttp application serving the Bolt app at /slack/events and GET /health."""

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    web_app = web.Application(client_max_size=MAX_BODY)
    web_app.add_routes([web.post(EVENTS_PATH, events), web.get(HEALTH_PATH, health)])
    return web_app


def run_web(app: AsyncApp, *, port: int, host: str = "0.0.0.0") -> None:
    """Serve until interrupted (Procfile `web:`)."""
    logging.getLogger("mxcheck.slack").info(
        "serving POST %s and GET %s on %s:%d", EVENTS_PATH, HEALTH_PATH, host, port
    )
    web.run_app(web_application(app), host=host, port=port, print=None)
