"""/mxcheck: ack at once with a private "checking…", answer through the response_url."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.render.blocks import render_words
from bot.render.mrkdwn import unformat
from bot.slackapp.flows import answer_command, is_help
from handlers.errors import after_ack
from handlers.middleware import RECEIVED_KEY, SERVICE_KEY


async def on_command(
    ack: AsyncAck, command: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext
) -> None:
    """Ack within Slack's 3 s (no DNS, no Web API call before it), then do the work."""
    service = context[SERVICE_KEY]
    if is_help(unformat(command.get("text") or "")):
        await ack()  # the usage follows in the user's language once users.info has answered
    else:
        lang = service.cached_language(command.get("user_id"))
        await ack(response_type="ephemeral", **render_words("checking", lang))
    after_ack(context, body, answer_command(service, command, received=context[RECEIVED_KEY]))
