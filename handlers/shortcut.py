"""The message shortcut mxcheck_analyze: analyse that message and its files, answer in its thread."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.slackapp.flows import answer_shortcut
from handlers.errors import after_ack
from handlers.middleware import RECEIVED_KEY, SERVICE_KEY


async def on_shortcut(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    """Ack, then read the message (files.info + download for .eml/.txt) and answer."""
    await ack()
    after_ack(context, body, answer_shortcut(context[SERVICE_KEY], body, received=context[RECEIVED_KEY]))
