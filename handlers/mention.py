"""app_mention and message.im: answer in the thread of the message that asked."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slackapp.flows import answer_message
from handlers.errors import after_ack
from handlers.middleware import SERVICE_KEY

# Message subtypes that are a person writing; edits, deletions, joins and bot posts are not.
_PERSON_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})


async def on_mention(
    event: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    """Someone mentioned the bot: analyse the message (and its thread) and answer in the thread."""
    _answer(event, body, context, client)


async def on_direct_message(
    event: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    """A person wrote to the bot in a DM: the same as a mention; everything else is ignored."""
    if event.get("channel_type") != "im" or event.get("subtype") not in _PERSON_SUBTYPES:
        return
    if event.get("bot_id") or not event.get("user") or event.get("user") == context.bot_user_id:
        return  # never answer a bot, least of all ourselves
    _answer(event, body, context, client)


def _answer(
    event: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    service = context[SERVICE_KEY]
    # One answer per message, even when Slack sends it as both app_mention and message.im.
    if not service.first_time(f"message:{event.get('channel')}:{event.get('ts')}"):
        return
    bot = {"bot_id": context.bot_id, "user_id": context.bot_user_id}
    after_ack(context, client, body, answer_message(service, client, event, bot))
