"""The Slack app served for real on loopback, with a fake Slack and signed requests (tests and benchmarks).

async with running_app(dns=("127.0.0.1", port)) as h:
    status, body = await h.command("/mxcheck", "example.co.jp", user="UJA")
    answer = (await h.fake.wait_for("response_url"))[0]
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
import urllib.parse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web
from fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack

from bot.dnscheck.checks import DomainChecker
from bot.dnscheck.resolver import Resolver
from bot.slackapp.factory import Bot, check_tokens, create_bot
from bot.slackapp.server import BODY_TIMEOUT, EVENTS_PATH, web_application
from bot.slackapp.settings import Settings
from bot.slackapp.socket_mode import socket_handler
from bot.vocab import Lang

SECRET = "test-signing-secret"
# A Postfix bounce for a user unknown at healthy.test (a zone of tests/zones).
BOUNCE = """This is the mail system at host mail.sender.test.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

                   The mail system

<nosuchuser@healthy.test>: host mx1.healthy.test[192.0.32.10] said: 550 5.1.1
    <nosuchuser@healthy.test>: Recipient address rejected: User unknown in
    local recipient table (in reply to RCPT TO command)
"""
CHANNEL = "C0TEST"


def bounce_saying(words: str) -> str:
    """A one-line Postfix bounce whose refusing server's line holds `words`."""
    head = BOUNCE.split("<nosuchuser")[0]
    line = "<nosuchuser@healthy.test>: host mx1.healthy.test[192.0.32.10] said: 550 5.1.1"
    return f"{head}{line} {words} User unknown (in reply to RCPT TO command)\n"


def sign(body: str, timestamp: int, secret: str = SECRET) -> str:
    """Slack's request signature: v0= HMAC-SHA256 of "v0:{timestamp}:{body}"."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Reply:
    """An HTTP answer from the app: status, body text and how long it took."""

    status: int
    text: str
    seconds: float

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.text)


@dataclass
class Harness:
    """A running app (HTTP on loopback) and the fake Slack it talks to."""

    fake: FakeSlack
    url: str
    session: aiohttp.ClientSession
    bot: Bot | None = None

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        secret: str = SECRET,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        """POST /slack/events signed as Slack signs (or as told: a wrong secret, an old timestamp)."""
        ts = int(time.time()) if timestamp is None else timestamp
        sent = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": sign(body, ts, secret),
        } | (headers or {})
        started = time.perf_counter()
        async with self.session.post(self.url + EVENTS_PATH, data=body.encode(), headers=sent) as resp:
            text = await resp.text()
        return Reply(resp.status, text, time.perf_counter() - started)

    async def event(self, event: dict[str, Any], *, event_id: str = "Ev1", retry: int | None = None) -> Reply:
        """An Events API callback."""
        body = json.dumps(event_callback(event, event_id))
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        return await self.post(body, "application/json", headers=headers)

    async def command(self, text: str, *, user: str = "UEN", name: str = "cmd") -> Reply:
        """A /mxcheck slash command whose response_url is the fake's `name`."""
        form = {
            "command": "/mxcheck",
            "text": text,
            "user_id": user,
            "channel_id": CHANNEL,
            "team_id": "T1",
            "trigger_id": "1.2.3",
            "response_url": self.fake.response_url(name),
        }
        return await self.post(urllib.parse.urlencode(form), "application/x-www-form-urlencoded")

    async def interactive(self, payload: dict[str, Any]) -> Reply:
        """An interactivity payload (shortcut, button)."""
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded")


def event_callback(event: dict[str, Any], event_id: str) -> dict[str, Any]:
    """The Events API wrapper around an event."""
    return {
        "token": "legacy",
        "team_id": "T1",
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
        "event": event,
    }


def settings_for(
    fake: FakeSlack, dns: tuple[str, int], *, lang: Lang | None = None, redis_url: str | None = None
) -> Settings:
    """Settings pointing the app at the fake Slack and a loopback DNS server (and a Redis, if given)."""
    return Settings(
        bot_token=BOT_TOKEN,
        signing_secret=SECRET,
        app_token=APP_TOKEN,
        api_url=fake.api_url,
        nameservers=(dns,),
        lang=lang,
        redis_url=redis_url,
    )


async def start_bot(
    fake: FakeSlack,
    dns: tuple[str, int],
    *,
    lang: Lang | None = None,
    redis_url: str | None = None,
    deadline: float = 1.0,
    **options: Any,
) -> Bot:
    """The app as `python -m bot.app` builds it: auth.test at start, then the Bolt app on the fake."""
    settings = settings_for(fake, dns, lang=lang, redis_url=redis_url)
    refused, identity = await check_tokens(settings, "web", ssl_context=fake.client_ssl)
    assert refused is None
    checker = checker_for(dns, deadline=deadline)
    return create_bot(settings, checker=checker, identity=identity, ssl_context=fake.client_ssl, **options)


def checker_for(dns: tuple[str, int], *, timeout: float = 0.4, deadline: float = 1.0) -> DomainChecker:
    """A checker on the loopback DNS server with short test deadlines."""
    return DomainChecker(Resolver([dns], timeout=timeout), deadline=deadline)


@asynccontextmanager
async def running_app(
    dns: tuple[str, int], *, fake: FakeSlack | None = None, body_timeout: float = BODY_TIMEOUT, **options: Any
) -> AsyncIterator[Harness]:
    """The fake Slack (a new one unless given) and the app's aiohttp server, on ephemeral loopback ports."""
    own = fake is None
    fake = fake or await FakeSlack().start()
    bot = await start_bot(fake, dns, **options)
    runner = web.AppRunner(web_application(bot, body_timeout=body_timeout), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with aiohttp.ClientSession() as session:
            yield Harness(fake, f"http://127.0.0.1:{port}", session, bot)
    finally:
        await runner.cleanup()
        await bot.service.drain(2.0)
        await bot.service.close()
        if own:
            await fake.stop()


@asynccontextmanager
async def running_socket_app(dns: tuple[str, int], **options: Any) -> AsyncIterator[FakeSlack]:
    """The app connected over Socket Mode to the fake's websocket."""
    fake = await FakeSlack().start()
    bot = await start_bot(fake, dns, **options)
    handler = socket_handler(bot.app, APP_TOKEN)
    await handler.connect_async()
    try:
        await fake.connected()
        yield fake
    finally:
        await handler.close_async()
        await bot.service.drain(2.0)
        await bot.service.close()
        await fake.stop()


# ---------------------------------------------------------------------------- payload builders
_ADDRESS = re.compile(r"[A-Za-z0-9._+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}")


def as_slack(text: str) -> str:
    """Text as Slack stores what a user pasted: &, <, > as entities, addresses as mailto links."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _ADDRESS.sub(lambda m: f"<mailto:{m.group(0)}|{m.group(0)}>", escaped)


def mention(text: str, *, ts: str, user: str = "UEN", thread_ts: str | None = None) -> dict[str, Any]:
    """An app_mention event in the test channel."""
    event = {"type": "app_mention", "user": user, "text": text, "ts": ts, "channel": CHANNEL, "event_ts": ts}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def direct_message(text: str, *, ts: str, user: str = "UEN", **extra: Any) -> dict[str, Any]:
    """A message.im event in the DM channel D0TEST."""
    return {
        "type": "message",
        "channel": "D0TEST",
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": ts,
    } | extra


def block_action(
    fake: FakeSlack, value: str, lang: str, *, ts: str, ephemeral: bool = False, user: str = "UEN"
) -> dict[str, Any]:
    """A click on a language button of the answer posted at `ts`."""
    return {
        "type": "block_actions",
        "user": {"id": user},
        "team": {"id": "T1"},
        "api_app_id": "A1",
        "trigger_id": "1.2.3",
        "container": {"type": "message", "message_ts": ts, "channel_id": CHANNEL, "is_ephemeral": ephemeral},
        "channel": {"id": CHANNEL},
        "response_url": fake.response_url("button"),
        "actions": [
            {
                "action_id": f"mxcheck_lang_{lang}",
                "block_id": "mxcheck_lang",
                "type": "button",
                "value": value,
            }
        ],
    }


def shortcut(fake: FakeSlack, message: dict[str, Any], *, user: str = "UEN") -> dict[str, Any]:
    """The message shortcut mxcheck_analyze on `message`."""
    return {
        "type": "message_action",
        "callback_id": "mxcheck_analyze",
        "trigger_id": "1.2.3",
        "team": {"id": "T1"},
        "user": {"id": user},
        "channel": {"id": CHANNEL},
        "message_ts": message["ts"],
        "message": message,
        "response_url": fake.response_url("shortcut"),
    }


def button_value(message: dict[str, Any], lang: str) -> str:
    """The value of a posted answer's language button."""
    for block in message["blocks"]:
        for element in block.get("elements", ()):
            if element.get("action_id") == f"mxcheck_lang_{lang}":
                return element["value"]
    raise AssertionError("no language button")


def header(message: dict[str, Any]) -> str:
    """The text of a posted answer's header block."""
    return next(b["text"]["text"] for b in message["blocks"] if b["type"] == "header")
