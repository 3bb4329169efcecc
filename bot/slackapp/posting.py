"""Posting an answer exactly once: in a thread (chat.postMessage) or privately (response_url).

A post whose reply is lost (the connection dropped after sending, a read timeout, a 5xx) may or
may not have been made. Rather than post again blindly (a double answer) or give up (a lost one),
the thread is read back: the post is repeated only when our answer is not there. Slack refusing
the blocks (msg_too_long, invalid_blocks) gets the same answer again as plain text.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError

from bot.slackapp.clients import Clients

log = logging.getLogger("mxcheck.slack")

# Errors after which a thread cannot take our post, but the user's response_url still can.
_CANNOT_POST = frozenset({"not_in_channel", "channel_not_found", "is_archived", "restricted_action"})
# Slack's documented metadata values are strings, numbers, booleans, objects and arrays; our JSON
# nulls (a domain check has no reason) may be refused, and the answer must not be lost for it.
_BAD_METADATA = frozenset({"invalid_metadata_format", "invalid_metadata_schema"})
_BAD_BLOCKS = frozenset({"msg_too_long", "invalid_blocks", "invalid_blocks_format", "too_many_blocks"})
# A reply that never came back: the post may have been made.
_UNSURE = (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError, aiohttp.ClientPayloadError, TimeoutError)
PLAIN_CHARS = 3900  # Slack shows up to 4,000 characters of a text without blocks in full
# Bidirectional controls can make a quoted server line read backwards (U+202E "evil.exe" tricks).
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


@dataclass(frozen=True, slots=True)
class Target:
    """Where an answer goes: a thread, a response_url (ephemeral), or a thread with a response_url fallback."""

    channel: str | None = None
    thread_ts: str | None = None
    response_url: str | None = None
    user: str | None = None


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the bot is (auth.test at start): its own posts are recognised by these."""

    user_id: str | None = None
    bot_id: str | None = None
    team_id: str | None = None

    def wrote(self, msg: dict[str, Any]) -> bool:
        """True for a message this bot posted."""
        return bool(
            (self.bot_id and msg.get("bot_id") == self.bot_id)
            or (self.user_id and msg.get("user") == self.user_id)
        )


def without_bidi(value: Any) -> Any:
    """A message (dicts, lists, strings) with every bidi control removed from its texts."""
    if isinstance(value, str):
        return _BIDI.sub("", value)
    if isinstance(value, dict):
        return {k: without_bidi(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_bidi(v) for v in value]
    return value


def as_plain(message: dict[str, Any]) -> dict[str, Any]:
    """The same answer without blocks: the section and context texts joined, within Slack's limit."""
    parts = []
    for block in message.get("blocks") or ():
        if isinstance(block.get("text"), dict):
            parts.append(block["text"].get("text", ""))
        parts += [e.get("text", "") for e in block.get("elements") or () if e.get("type") == "mrkdwn"]
    text = "\n\n".join(p for p in parts if p) or message.get("text", "")
    if len(text) > PLAIN_CHARS:
        text = text[: PLAIN_CHARS - 1] + "…"
    return {k: v for k, v in message.items() if k != "blocks"} | {"text": text}


class Poster:
    """Posts and private answers for one app, on its pooled clients."""

    def __init__(self, clients: Clients, identity: Identity) -> None:
        self.clients = clients
        self.identity = identity

    async def post(self, target: Target, message: dict[str, Any]) -> None:
        """Post in the target's thread once; when the bot cannot post there, answer privately instead."""
        if target.channel is None:
            await self.respond(target, message)
            return
        message = without_bidi(message)
        try:
            await self._post_once(target, message)
        except SlackApiError as e:
            error = e.response.get("error")
            if error in _BAD_METADATA and "metadata" in message:
                await self.post(target, message | {"metadata": _without_nulls(message["metadata"])})
                return
            if error in _BAD_BLOCKS and "blocks" in message:
                log.warning("Slack refused the blocks (%s): posting the answer as plain text", error)
                await self.post(target, as_plain(message))
                return
            if error not in _CANNOT_POST or not target.response_url:
                raise
            await self.respond(target, message)

    async def _post_once(self, target: Target, message: dict[str, Any]) -> None:
        sent_at = time.time()
        args = {"channel": target.channel, "thread_ts": target.thread_ts, "unfurl_links": False}
        try:
            await self.clients.writes.chat_postMessage(**args, unfurl_media=False, **message)
            return
        except SlackApiError as e:
            if e.response.status_code < 500:
                raise
            unsure: Exception = e
        except _UNSURE as e:
            unsure = e
        if await self._already_there(target, message, sent_at):
            log.info("a post's reply was lost (%s), but the answer is in the thread", type(unsure).__name__)
            return
        log.warning(
            "a post's reply was lost (%s) and the answer is not in the thread: posting it",
            type(unsure).__name__,
        )
        await self.clients.writes.chat_postMessage(**args, unfurl_media=False, **message)

    async def _already_there(self, target: Target, message: dict[str, Any], since: float) -> bool:
        """True when the thread holds our post of this answer, made since `since` (a few seconds' slack)."""
        try:
            page = await self.clients.reads.conversations_replies(
                channel=target.channel, ts=target.thread_ts, oldest=f"{since - 5:.6f}", limit=200
            )
        except Exception as e:  # cannot look: posting again risks a double, not posting a loss
            log.warning("could not read the thread back: %s", type(e).__name__)
            return False
        return any(
            self.identity.wrote(m)
            and m.get("text") == message.get("text")
            and float(m.get("ts", 0)) >= since - 5
            for m in page.get("messages") or ()
        )

    async def respond(self, target: Target, message: dict[str, Any], *, replace: bool = False) -> None:
        """Send an ephemeral answer through the response_url (message metadata cannot go this way)."""
        if not target.response_url:
            raise ValueError("no response_url to answer through")
        body = {k: v for k, v in without_bidi(message).items() if k != "metadata"}
        body |= {"response_type": "ephemeral", "replace_original": replace}
        try:
            resp = await self.clients.webhook(target.response_url).send_dict(body)
        except _UNSURE as e:  # it may have arrived; a response_url cannot be read back, so never twice
            log.warning("a response_url reply was lost (%s): not sent again", type(e).__name__)
            return
        if resp.status_code != 200:
            raise RuntimeError(f"response_url answered HTTP {resp.status_code}")


def _without_nulls(metadata: dict[str, Any]) -> dict[str, Any]:
    """The same metadata with each null value as an empty string (a second try when Slack refuses nulls)."""
    payload = metadata.get("event_payload", {})
    if None not in payload.values():
        raise ValueError("metadata refused although it holds no null")  # do not loop on another cause
    return metadata | {"event_payload": {k: "" if v is None else v for k, v in payload.items()}}
