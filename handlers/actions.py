"""The 日本語 / English buttons: re-render the answer in place in the chosen language."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.slackapp.flows import switch_language
from handlers.errors import after_ack
from handlers.middleware import SERVICE_KEY


async def on_language(
    ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext
) -> None:
    """Ack, then chat.update (or response_url replace for a private answer) with the other language."""
    await ack()
    after_ack(context, body, switch_language(context[SERVICE_KEY], body, action))
