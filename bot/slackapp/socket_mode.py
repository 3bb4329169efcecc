"""Socket Mode: the same Bolt app over Slack's websocket (no public URL needed)."""

from __future__ import annotations

import asyncio
import logging

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp


def socket_handler(app: AsyncApp, app_token: str) -> AsyncSocketModeHandler:
    """The aiohttp Socket Mode handler; it opens the connection with the app's Web API client."""
    return AsyncSocketModeHandler(app, app_token)


async def run_socket(app: AsyncApp, app_token: str) -> None:
    """Connect and serve until cancelled (Procfile `worker:`)."""
    handler = socket_handler(app, app_token)
    await handler.connect_async()
    logging.getLogger("mxcheck.slack").info("connected over Socket Mode")
    try:
        await asyncio.Event().wait()
    finally:
        await handler.close_async()
