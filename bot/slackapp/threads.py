"""Reading a thread before a mention: the parent and the newest replies, however long the thread.

conversations.replies pages from the oldest reply forward; following cursors through a thread
of thousands of replies is slow and still ends far from the mention. So the first page gives the
parent (often the pasted bounce) and, when there is more, replies are read again in a window of
time just before the mention, widened until it holds some. Every read is bounded.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.slackapp.cpu import MAX_CANDIDATES
from bot.slackapp.posting import Identity

PAGE = 200  # Slack's largest page
WINDOWS = (600, 3600, 86_400, 7 * 86_400, 366 * 86_400)  # seconds before the mention, tried in turn
PAGES_PER_WINDOW = 3


async def thread_before(
    client: AsyncWebClient, channel: str, thread_ts: str, ts: str, identity: Identity
) -> list[dict[str, Any]]:
    """The parent and up to MAX_CANDIDATES - 1 newest replies before `ts`, without this bot's posts."""
    first = await client.conversations_replies(
        channel=channel, ts=thread_ts, latest=ts, inclusive=False, limit=PAGE
    )
    messages = list(first.get("messages") or [])
    if first.get("has_more") and messages:
        messages = messages[:1] + await _newest(client, channel, thread_ts, ts, messages)
    mention = float(ts)
    kept = [m for m in messages if _ts(m) < mention and not identity.wrote(m)]
    parent, replies = kept[:1], kept[1:]
    if parent and _ts(parent[0]) != float(thread_ts):  # no parent came back: all are replies
        parent, replies = [], kept
    return parent + replies[-(MAX_CANDIDATES - 1) :]


async def _newest(
    client: AsyncWebClient, channel: str, thread_ts: str, ts: str, seen: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The replies of the first window before `ts` that holds any (the first page's when none does)."""
    for window in WINDOWS:
        oldest = max(float(ts) - window, float(thread_ts))
        found: deque[dict[str, Any]] = deque(maxlen=MAX_CANDIDATES)
        cursor = None
        for _ in range(PAGES_PER_WINDOW):
            page = await client.conversations_replies(
                channel=channel, ts=thread_ts, oldest=f"{oldest:.6f}", latest=ts,
                inclusive=False, limit=PAGE, cursor=cursor,
            )  # fmt: skip
            found.extend(m for m in page.get("messages") or () if _ts(m) > float(thread_ts))
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not page.get("has_more") or not cursor:
                break
        if found:
            return sorted(found, key=_ts)
        if oldest <= float(thread_ts):
            break
    return seen[1:]


def _ts(msg: dict[str, Any]) -> float:
    try:
        return float(msg.get("ts") or 0)
    except ValueError:
        return 0.0
