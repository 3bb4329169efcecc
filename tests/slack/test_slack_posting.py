"""Posting exactly once: lost replies, 5xx after sending, refused blocks, capped Retry-After, slow users.info."""

from __future__ import annotations

import asyncio
import json
import logging
import time

import pytest
from dnsserver import DnsServer
from fake_slack import BOT_USER
from slack_harness import BOUNCE, CHANNEL, as_slack, bounce_saying, header, mention, running_app
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.reading.knowledge import knowledge
from bot.render.slackwords import word
from bot.slackapp.clients import CappedRateLimitRetry
from bot.vocab import Lang

SETTLE = 0.5


@pytest.mark.parametrize("made", [True, False], ids=["made-then-dropped", "dropped-before"])
def test_lost_post_reply_posts_once(
    dns_server: DnsServer, made: bool, caplog: pytest.LogCaptureFixture
) -> None:
    """The connection drops on chat.postMessage: the thread is read back, and the answer is there exactly once."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            h.fake.drop("chat.postMessage", after=made)
            await h.event(mention(f"<@{BOT_USER}> healthy.test", ts="1800.000100"))
            await h.fake.wait_for("chat.postMessage:dropped")
            await asyncio.sleep(SETTLE + 0.5)
            assert h.fake.posts_made == 1
            thread = h.fake.threads[(CHANNEL, "1800.000100")]
            assert len([m for m in thread if m.get("user") == BOT_USER]) == 1
            assert h.fake.of("conversations.replies")  # it looked before posting again

    with caplog.at_level(logging.INFO, logger="mxcheck.slack"):
        asyncio.run(scenario())
    said = " ".join(r.getMessage() for r in caplog.records)
    assert ("the answer is in the thread" in said) is made


@pytest.mark.parametrize("status", [500, 503])
def test_server_error_after_sending_posts_once(dns_server: DnsServer, status: int) -> None:
    """A 5xx on chat.postMessage is not retried blindly: the thread shows no answer, so it is posted once."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            h.fake.fail("chat.postMessage", status)
            await h.event(mention(f"<@{BOT_USER}> healthy.test", ts="1810.000100"))
            await h.fake.wait_for("chat.postMessage", 2)
            await asyncio.sleep(SETTLE)
            assert h.fake.posts_made == 1 and len(h.fake.of("chat.postMessage")) == 2

    asyncio.run(scenario())


@pytest.mark.parametrize("error", ["msg_too_long", "invalid_blocks"])
def test_refused_blocks_are_posted_again_as_plain_text(dns_server: DnsServer, error: str) -> None:
    """Slack refusing the blocks does not lose the answer: it comes again as text, with its metadata."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            h.fake.fail("chat.postMessage", 200, error=error)
            await h.event(mention(f"<@{BOT_USER}> " + as_slack(BOUNCE), ts="1820.000100"))
            first, second = (c.data for c in (await h.fake.wait_for("chat.postMessage", 2))[:2])
            assert "blocks" in first and "blocks" not in second
            assert header(first) in second["text"] and len(second["text"]) <= 4000
            assert second["metadata"]["event_payload"]["kind"] == "bounce"
            await asyncio.sleep(SETTLE)
            assert h.fake.posts_made == 1

    asyncio.run(scenario())


def test_retry_after_is_capped() -> None:
    """A 429 asking for an hour is retried after the cap, not after an hour."""

    async def scenario() -> float:
        handler = CappedRateLimitRetry(cap=0.2)
        state = RetryState()
        request = HttpRequest(method="POST", url="https://slack.test/api/chat.postMessage", headers={})
        response = HttpResponse(status_code=429, headers={"Retry-After": ["3600"]})
        started = time.monotonic()
        await handler.prepare_for_next_attempt_async(state=state, request=request, response=response)
        assert state.next_attempt_requested and state.current_attempt == 1
        return time.monotonic() - started

    assert asyncio.run(scenario()) < 1.0


def test_slow_users_info_gives_the_default_language_in_time(dns_server: DnsServer) -> None:
    """users.info hanging for 5 s: the answer comes within about 2 s, in MXCHECK_LANG."""

    async def scenario() -> None:
        async with running_app(dns_server.address, lang=Lang.JA) as h:
            h.fake.hang("users.info", 5)
            sent = time.monotonic()
            await h.event(mention(f"<@{BOT_USER}> nullmx.test", ts="1830.000100", user="UEN"))
            post = (await h.fake.wait_for("chat.postMessage", timeout=10))[0]
            assert post.at - sent < 4.0
            payload = post.data["metadata"]["event_payload"]
            assert header(post.data) == knowledge().cause(payload["cause"]).text(Lang.JA).title[:150]

    asyncio.run(scenario())


def test_bidi_controls_never_reach_slack(dns_server: DnsServer) -> None:
    """A server line holding U+202E and other bidi controls is quoted without them."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            text = bounce_saying("evil\u202etxt.exe \u2066x\u2069 \u200fy\u200e \u061cz")
            await h.event(mention(f"<@{BOT_USER}> " + as_slack(text), ts="1840.000100"))
            post = (await h.fake.wait_for("chat.postMessage"))[0].data
            dumped = json.dumps(post, ensure_ascii=False)
            assert "eviltxt.exe" in dumped
            assert not any(
                c in dumped
                for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
            )

    asyncio.run(scenario())


def test_a_read_that_fails_twice_is_retried(dns_server: DnsServer) -> None:
    """conversations.replies answering 500 twice is asked again: the bounce in the parent is still found."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            h.fake.add_thread(CHANNEL, [{"ts": "1850.000100", "user": "UX", "text": as_slack(BOUNCE)}])
            h.fake.fail("conversations.replies", 500, times=2)
            await h.event(mention(f"<@{BOT_USER}> why?", ts="1850.000200", thread_ts="1850.000100"))
            post = (await h.fake.wait_for("chat.postMessage", timeout=15))[0].data
            assert post["metadata"]["event_payload"]["kind"] == "bounce"
            assert word("thread-unread", Lang.EN) not in json.dumps(post["blocks"], ensure_ascii=False)

    asyncio.run(scenario())
