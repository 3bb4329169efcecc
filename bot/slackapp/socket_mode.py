"""Socket Mode: the same Bolt app over Slack's websocket (no public URL needed), and its graceful stop."""

from __future__ import annotations

import asyncio
import logging

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from bot.slackapp.factory import Bot
from bot.slackapp.server import DRAIN_SECONDS, _on_signals

log = logging.getLogger("mxcheck.slack")


def socket_handler(app: AsyncApp, app_token: str) -> AsyncSocketModeHandler:
    """The aiohttp Socket Mode handler; it opens the connection with the app's Web API client."""
    return AsyncSocketModeHandler(app, app_token)


async def serve_socket(bot: Bot, app_token: str, *, stop: asyncio.Event | None = None) -> list[str]:
    """Connect and serve until SIGTERM/SIGINT (or `stop`); then close, finish what runs, and stop."""
    handler = socket_handler(bot.app, app_token)
    await handler.connect_async()
    log.info("connected over Socket Mode")
    stop = stop or _on_signals()
    await stop.wait()
    log.info("stopping: the websocket closes, no new envelope is taken")
    bot.service.closing = True  # an envelope still arriving is not acked: Slack sends it elsewhere
    await handler.close_async()
    abandoned = await bot.service.drain(DRAIN_SECONDS)
    await bot.service.close()
    log.info("stopped")
    return abandoned
