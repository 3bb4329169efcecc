"""app_mention and message.im: answer in the thread of the message that asked."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext

from bot.slackapp.flows import answer_message
from handlers.errors import after_ack
from handlers.middleware import CLAIMS_KEY, RECEIVED_KEY, SERVICE_KEY

# Message subtypes that are a person writing; edits, deletions, joins and bot posts are not.
_PERSON_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})


async def on_mention(event: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext) -> None:
    """Someone mentioned the bot: analyse the message (and its thread) and answer in the thread."""
    await _answer(event, body, context)


async def on_direct_message(event: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext) -> None:
    """A person wrote to the bot in a DM: the same as a mention; everything else is ignored."""
    if event.get("channel_type") != "im" or event.get("subtype") not in _PERSON_SUBTYPES:
        return
    if event.get("bot_id") or not event.get("user") or event.get("user") == context.bot_user_id:
        return  # never answer a bot, least of all ourselves
    await _answer(event, body, context)


async def _answer(event: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext) -> None:
    service = context[SERVICE_KEY]
    # One answer per message, even when Slack sends it as both app_mention and message.im,
    # perhaps to two processes.
    key = f"message:{event.get('channel')}:{event.get('ts')}"
    if not await service.claim(key):
        return
    context[CLAIMS_KEY].append(key)
    after_ack(context, body, answer_message(service, event, received=context[RECEIVED_KEY]))
