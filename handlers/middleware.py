"""Global middleware: hand the shared service to listeners, and let no event be answered twice."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.slackapp.service import Service

SERVICE_KEY = "mxcheck"

Next = Callable[[], Awaitable[None]]


def attach(service: Service) -> Callable[..., Awaitable[None]]:
    """A middleware that puts the service into every request's context."""

    async def attach_service(context: AsyncBoltContext, next: Next) -> None:
        context[SERVICE_KEY] = service
        await next()

    return attach_service


async def skip_repeats(
    request: AsyncBoltRequest, body: dict[str, Any], context: AsyncBoltContext, next: Next
) -> BoltResponse | None:
    """Ack Slack's retries and repeated event ids with an empty 200 and do nothing else.

    A retry (X-Slack-Retry-Num, which Bolt also sets from a Socket Mode envelope's retry_attempt)
    means Slack did not see our ack in time, not that we never got the event: we ack within
    milliseconds, so the first delivery is already being answered. The event-id check catches
    redeliveries that carry no retry header (a Socket Mode reconnect).
    """
    if _retry_number(request) > 0:
        return BoltResponse(status=200, body="")
    event_id = body.get("event_id")
    if event_id and not context[SERVICE_KEY].first_time(f"event:{event_id}"):
        return BoltResponse(status=200, body="")
    await next()
    return None


def _retry_number(request: AsyncBoltRequest) -> int:
    """X-Slack-Retry-Num as a number; 0 for a first delivery (Socket Mode sends "0" explicitly)."""
    value = (request.headers.get("x-slack-retry-num") or ["0"])[0]
    return int(value) if value.isdigit() else 1  # an unreadable retry header is still a retry
