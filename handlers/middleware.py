"""Global middleware: hand the shared service to listeners, and let no request be answered twice.

Identity decides, never the retry number: Slack retries exactly when it did not get our ack (the
app was down, restarting, or slow), so a retry is often the only copy that ever arrives. An
event is taken once per event_id, in every process sharing the store; a command or interaction
once per signature (a replay inside the 5-minute window is acknowledged and dropped).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.slackapp.service import Service

SERVICE_KEY = "mxcheck"
CLAIMS_KEY = "mxcheck_claims"  # the store keys this request claimed (marked done once answered)
RECEIVED_KEY = "mxcheck_received"  # monotonic time the request came in
SIGNATURE_KEY = "mxcheck_signature"  # the store key of a signed command's or interaction's signature
SIGNATURE_TTL = 660.0  # Slack accepts a timestamp 5 minutes either way: remember a little longer

Next = Callable[[], Awaitable[None]]


def attach(service: Service) -> Callable[..., Awaitable[None]]:
    """A middleware that puts the service into every request's context."""

    async def attach_service(context: AsyncBoltContext, next: Next) -> None:
        context[SERVICE_KEY] = service
        context[RECEIVED_KEY] = time.monotonic()
        context[CLAIMS_KEY] = []
        await next()

    return attach_service


async def skip_repeats(
    request: AsyncBoltRequest, body: dict[str, Any], context: AsyncBoltContext, next: Next
) -> BoltResponse | None:
    """Ack a replayed signature or an event id already taken with an empty 200, and do nothing else."""
    service: Service = context[SERVICE_KEY]
    if service.closing:  # shutting down: not acknowledged, so Slack delivers it again (elsewhere)
        return BoltResponse(status=503, body="")
    event_id = body.get("event_id")
    if event_id:  # an event's replay is caught by its id, for an hour, signed anew or not
        if not await service.claim(f"event:{event_id}"):
            return BoltResponse(status=200, body="")
        context[CLAIMS_KEY].append(f"event:{event_id}")
    else:  # a command or an interaction has no id: its signature is its identity
        signature = (request.headers.get("x-slack-signature") or [""])[0]
        # Claimed after the ack, with the work (handlers.errors.after_ack): a replay is acked
        # like the original, then does nothing; no ack waits for the shared store.
        context[SIGNATURE_KEY] = f"signature:{signature}" if signature else None
    await next()
    return None
