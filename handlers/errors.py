"""Failures: the one global error handler, and the same ending for work that runs after the ack."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext

from bot.slackapp.flows import target_of
from bot.slackapp.service import Service, describe_error
from handlers.middleware import CLAIMS_KEY, SERVICE_KEY, SIGNATURE_KEY, SIGNATURE_TTL

log = logging.getLogger("mxcheck.slack")


async def on_error(error: Exception, body: dict[str, Any], context: AsyncBoltContext) -> None:
    """Bolt's global error handler: a failure before the ack is reported like any other."""
    await report(error, body, context.get(SERVICE_KEY))


def after_ack(context: AsyncBoltContext, body: dict[str, Any], work: Awaitable[None]) -> None:
    """Start the real work once Slack has its ack; if it fails, the user still hears from us."""
    service: Service = context[SERVICE_KEY]
    signature = context.get(SIGNATURE_KEY)
    if signature:
        work = service.once(signature, SIGNATURE_TTL, work)
    service.spawn(
        work,
        lambda error: report(error, body, service),
        label=label_of(body),
        claims=context.get(CLAIMS_KEY) or (),
    )


def label_of(body: dict[str, Any]) -> str:
    """What a request is, by ids only (for the shutdown log): never text, names or URLs."""
    if body.get("event_id"):
        return f"event:{body['event_id']}"
    if "command" in body:
        return f"command:{body.get('trigger_id') or body.get('user_id')}"
    return f"{body.get('type') or 'request'}:{body.get('trigger_id') or body.get('message_ts') or ''}"


async def report(error: Exception, body: dict[str, Any], service: Service | None) -> None:
    """Every failure is logged without secrets and ends in a short apology where the user waits."""
    kind = body.get("type") or ("slash_command" if "command" in body else "unknown")
    log.error("%s failed: %s", kind, describe_error(error))
    target = target_of(body)
    if service is not None and target is not None:
        await service.apologize(target)
