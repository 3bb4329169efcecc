"""HTTP mode: an aiohttp application with Slack's endpoint and a health check, and its graceful stop."""

from __future__ import annotations

import asyncio
import logging
import re
import signal

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.slackapp.factory import Bot

EVENTS_PATH = "/slack/events"  # events, the slash command and interactivity all come here
HEALTH_PATH = "/health"
MAX_BODY = 2 * 1024 * 1024  # a 40,000-character message with entities stays far below this
BODY_TIMEOUT = 10.0  # seconds to receive a body: Slack sends it at once; a trickle is not Slack
BACKLOG = 1024  # connections waiting to be accepted: a burst of 500 must not overflow it
DRAIN_SECONDS = 25.0  # at shutdown, for running answers (platforms allow about 30 s after SIGTERM)
_TIMESTAMP = re.compile(r"\d{1,12}")

log = logging.getLogger("mxcheck.slack")


def web_application(bot: Bot, *, body_timeout: float = BODY_TIMEOUT) -> web.Application:
    """The aiohttp application serving the Bolt app at /slack/events and GET /health."""

    async def events(request: web.Request) -> web.Response:
        if bot.service.closing:  # Slack retries a 503, reaching a process that is not stopping
            return web.Response(status=503, text="shutting down")
        stamp = request.headers.get("X-Slack-Request-Timestamp")
        if stamp is not None and not _TIMESTAMP.fullmatch(stamp.strip()):
            return web.Response(status=401, text="")  # unsigned, however it is malformed
        try:
            await asyncio.wait_for(request.read(), body_timeout)
        except TimeoutError:
            log.info("request body not received within %.1f s: dropped", body_timeout)
            return web.Response(status=408, text="")
        except (ConnectionError, asyncio.IncompleteReadError) as e:
            log.info("request body aborted by the sender (%s)", type(e).__name__)
            return web.Response(status=400, text="")
        bolt_request = await to_bolt_request(request)
        if _is_event(request, bolt_request.body) and verifier.is_valid_request(
            bolt_request.raw_body, request.headers
        ):
            # An event's ack is always an empty 200: sent at once, before Bolt's middleware and
            # listeners run (they still check the signature and take the event once, after it).
            bot.service.spawn(_dispatch(bot, bolt_request), _dispatch_failed, label=_label(bolt_request.body))
            return web.Response(status=200, text="")
        return await to_aiohttp_response(await bot.app.async_dispatch(bolt_request))

    verifier = SignatureVerifier(bot.service.settings.signing_secret)

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    web_app = web.Application(client_max_size=MAX_BODY)
    web_app.add_routes([web.post(EVENTS_PATH, events), web.get(HEALTH_PATH, health)])
    return web_app


def _is_event(request: web.Request, body: dict) -> bool:
    """An Events API callback (not the url_verification challenge, whose ack carries an answer)."""
    return request.content_type == "application/json" and body.get("type") == "event_callback"


def _label(body: dict) -> str:
    return f"event:{body.get('event_id') or ''}"


async def _dispatch(bot: Bot, bolt_request: AsyncBoltRequest) -> None:
    """Bolt's middleware and listeners for an event already acknowledged."""
    response = await bot.app.async_dispatch(bolt_request)
    if response.status >= 500:
        log.warning("an acknowledged event failed in the app (HTTP %s)", response.status)


async def _dispatch_failed(error: Exception) -> None:
    log.error("an acknowledged event failed: %s", type(error).__name__)


async def serve_web(
    bot: Bot, *, port: int, host: str = "0.0.0.0", stop: asyncio.Event | None = None
) -> list[str]:
    """Serve until SIGTERM/SIGINT (or `stop`), then stop gracefully; the labels of abandoned work."""
    runner = web.AppRunner(web_application(bot), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port, backlog=BACKLOG)
    await site.start()
    log.info("serving POST %s and GET %s on %s:%d", EVENTS_PATH, HEALTH_PATH, host, port)
    stop = stop or _on_signals()
    await stop.wait()
    log.info("stopping: no new requests are taken")
    bot.service.closing = True
    await site.stop()  # the port closes: the platform sends new requests to another process
    abandoned = await bot.service.drain(DRAIN_SECONDS)
    await runner.cleanup()
    await bot.service.close()
    log.info("stopped")
    return abandoned


def _on_signals() -> asyncio.Event:
    """An event set by SIGTERM or SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop
