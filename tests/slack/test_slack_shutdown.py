"""Graceful stop: SIGTERM mid-analysis still posts; what cannot finish is logged by id and left for Slack's retry."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest
from dnsserver import DnsServer
from fake_slack import APP_TOKEN, BOT_USER, FakeSlack
from redis_server import RedisServer
from slack_harness import BOUNCE, CHANNEL, Harness, as_slack, event_callback, mention, running_app, start_bot
from slack_procs import start_web
from test_slack_socket import _envelope

from bot.slackapp.socket_mode import serve_socket


def test_sigterm_mid_analysis_still_posts(dns_server: DnsServer) -> None:
    """`python -m bot.app web` gets SIGTERM while DNS is slow: the answer is posted, then it exits 0."""

    async def scenario() -> None:
        dns_server.fault("delay", seconds=1.2)
        fake = await FakeSlack(tls=False).start()
        app = await start_web(fake, dns_server.address)
        try:
            async with aiohttp.ClientSession() as session:
                h = Harness(fake, app.url, session)
                reply = await h.event(
                    mention(f"<@{BOT_USER}> " + as_slack(BOUNCE), ts="1500.000100"), event_id="EvTerm"
                )
                assert reply.status == 200
                await asyncio.sleep(0.3)
                assert fake.of("chat.postMessage") == []  # still working when the signal comes
                stopping = asyncio.ensure_future(app.stop())
                await asyncio.sleep(0.3)
                try:  # no new request is taken: the port is closed, a kept-alive connection gets 503
                    late = await h.event(
                        mention(f"<@{BOT_USER}> healthy.test", ts="1500.000200"), event_id="EvLate"
                    )
                    assert late.status == 503
                except aiohttp.ClientError:
                    pass
                assert await stopping == 0
            posts = fake.of("chat.postMessage")
            assert [p.data["thread_ts"] for p in posts] == ["1500.000100"]
            assert posts[0].data["metadata"]["event_payload"]["kind"] == "bounce"
            log = app.output()
            assert "stopping" in log and "abandoned" not in log and "Traceback" not in log
        finally:
            await app.stop()
            await fake.stop()

    asyncio.run(scenario())


def test_work_past_the_drain_is_logged_by_id_and_left_to_the_retry(
    dns_server: DnsServer, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    """An answer that cannot finish in time is cancelled, logged by event id only, and its claim released: the restarted app answers Slack's retry."""

    async def scenario() -> None:
        fake = await FakeSlack().start()
        fake.add_thread(
            CHANNEL, [{"ts": "1600.000100", "user": "UX", "text": "mail to nosuchuser@healthy.test fails"}]
        )
        fake.hang("conversations.replies", 4)  # the answer is still reading the thread at shutdown
        event = mention(f"<@{BOT_USER}> why?", ts="1600.000200", thread_ts="1600.000100")
        async with running_app(dns_server.address, fake=fake, redis_url=redis_server.url) as h:
            await h.event(event, event_id="EvSlow")
            await asyncio.sleep(0.3)
            assert h.bot is not None
            abandoned = await h.bot.service.drain(0.2)
            assert abandoned == ["event:EvSlow"]
        fake.hang("conversations.replies", 0)
        async with running_app(dns_server.address, fake=fake, redis_url=redis_server.url) as h:
            await h.event(event, event_id="EvSlow", retry=1)
            post = (await h.fake.wait_for("chat.postMessage"))[0].data
            assert post["thread_ts"] == "1600.000100" and fake.posts_made == 1
        await fake.stop()

    with caplog.at_level(logging.INFO, logger="mxcheck.slack"):
        asyncio.run(scenario())
    lines = [r.getMessage() for r in caplog.records if "abandoned" in r.getMessage()]
    assert lines == ["shutdown abandoned 1 answer(s): event:EvSlow"]
    assert not any("nosuchuser" in r.getMessage() for r in caplog.records)


def test_socket_mode_stop_finishes_running_answers(dns_server: DnsServer) -> None:
    """Socket Mode's stop closes the websocket first, then lets the running answer post."""

    async def scenario() -> None:
        dns_server.fault("delay", seconds=0.8)
        fake = await FakeSlack().start()
        bot = await start_bot(fake, dns_server.address)
        stop = asyncio.Event()
        serving = asyncio.ensure_future(serve_socket(bot, APP_TOKEN, stop=stop))
        try:
            await fake.connected()
            event = mention(f"<@{BOT_USER}> " + as_slack(BOUNCE), ts="1700.000100")
            await fake.send_envelope(_envelope("env-stop", "events_api", event_callback(event, "EvSockStop")))
            await fake.wait_ack("env-stop")
            stop.set()
            abandoned = await asyncio.wait_for(serving, 30)
            assert abandoned == []
            assert [p.data["thread_ts"] for p in fake.of("chat.postMessage")] == ["1700.000100"]
        finally:
            await fake.stop()

    asyncio.run(scenario())
