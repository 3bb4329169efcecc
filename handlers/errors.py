"""The one global error handler: log the failure without secrets, apologise where the user waits."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack_flows import target_of
from bot.slack_service import describe_error
from handlers.middleware import SERVICE_KEY

log = logging.getLogger("mxcheck.slack")


async def on_error(
    error: Exception, body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    """Every unhandled failure ends in a short apology in the user's language, never in silence."""
    kind = body.get("type") or ("slash_command" if "command" in body else "unknown")
    log.error("%s failed: %s", kind, describe_error(error))
    service = context.get(SERVICE_KEY)
    target = target_of(body)
    if service is not None and target is not None:
        await service.apologize(client or context.client, target)
