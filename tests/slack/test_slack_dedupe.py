"""Once per identity: event ids, messages and signatures, in one process and across processes sharing Redis."""

from __future__ import annotations

import asyncio
import logging
import time
import urllib.parse

import aiohttp
import pytest
from dnsserver import DnsServer
from fake_slack import BOT_USER
from redis_server import RedisServer
from slack_harness import (
    CHANNEL,
    Harness,
    direct_message,
    event_callback,
    mention,
    running_app,
    running_socket_app,
)
from slack_procs import start_web
from test_slack_socket import _envelope

SETTLE = 0.5


def test_first_seen_retry_is_answered(dns_server: DnsServer) -> None:
    """A retry (X-Slack-Retry-Num 1) whose first delivery never arrived is the only copy: it is answered once."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            event = mention(f"<@{BOT_USER}> healthy.test", ts="1200.000100")
            first = await h.event(event, event_id="EvOnlyRetry", retry=1)
            second = await h.event(event, event_id="EvOnlyRetry", retry=2)
            assert (first.status, second.status) == (200, 200)
            post = (await h.fake.wait_for("chat.postMessage"))[0].data
            assert post["thread_ts"] == "1200.000100"
            await asyncio.sleep(SETTLE)
            assert h.fake.posts_made == 1

    asyncio.run(scenario())


def test_socket_mode_first_seen_retry_is_answered(dns_server: DnsServer) -> None:
    """Over Socket Mode, an envelope with retry_attempt 1 never seen before is answered; its repeat is not."""

    async def scenario() -> None:
        async with running_socket_app(dns_server.address) as fake:
            event = mention(f"<@{BOT_USER}> healthy.test", ts="1210.000100")
            await fake.send_envelope(
                _envelope("env-r1", "events_api", event_callback(event, "EvSockRetry"), retry=1)
            )
            await fake.wait_ack("env-r1")
            await fake.wait_for("chat.postMessage")
            await fake.send_envelope(
                _envelope("env-r2", "events_api", event_callback(event, "EvSockRetry"), retry=2)
            )
            await fake.wait_ack("env-r2")
            await asyncio.sleep(SETTLE)
            assert fake.posts_made == 1

    asyncio.run(scenario())


def test_replayed_signed_command_is_acked_and_dropped(dns_server: DnsServer) -> None:
    """The same signed slash command (same body, timestamp and signature) sent twice is acked twice and answered once."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            form = {"command": "/mxcheck", "text": "healthy.test", "user_id": "UEN", "channel_id": CHANNEL}
            form |= {"team_id": "T1", "trigger_id": "1.2.3", "response_url": h.fake.response_url("replay")}
            body, stamp = urllib.parse.urlencode(form), int(time.time())
            first = await h.post(body, "application/x-www-form-urlencoded", timestamp=stamp)
            replay = await h.post(body, "application/x-www-form-urlencoded", timestamp=stamp)
            assert first.status == 200 and replay.status == 200  # acked like the original, then nothing
            await h.fake.wait_for("response_url")
            await asyncio.sleep(SETTLE)
            assert len(h.fake.of("response_url")) == 1

    asyncio.run(scenario())


def test_two_processes_with_redis_answer_once_across_a_restart(
    dns_server: DnsServer, redis_server: RedisServer
) -> None:
    """Two `web:` processes on one Redis: the same event sent to both, and as app_mention + message.im, is answered once; a restarted process does not answer it again."""

    async def scenario() -> None:
        from fake_slack import FakeSlack

        fake = await FakeSlack(tls=False).start()
        a = await start_web(fake, dns_server.address, redis_url=redis_server.url)
        b = await start_web(fake, dns_server.address, redis_url=redis_server.url)
        try:
            async with aiohttp.ClientSession() as session:
                ha, hb = Harness(fake, a.url, session), Harness(fake, b.url, session)
                event = mention(f"<@{BOT_USER}> healthy.test", ts="1300.000100")
                replies = await asyncio.gather(
                    ha.event(event, event_id="EvTwo"), hb.event(event, event_id="EvTwo", retry=1)
                )
                assert [r.status for r in replies] == [200, 200]
                dm = direct_message(f"<@{BOT_USER}> healthy.test", ts="1300.000200")
                await asyncio.gather(
                    ha.event(dm, event_id="EvDmA"),
                    hb.event(mention(dm["text"], ts=dm["ts"]) | {"channel": "D0TEST"}, event_id="EvDmB"),
                )
                await fake.wait_for("chat.postMessage", 2)
                await asyncio.sleep(SETTLE)
                assert fake.posts_made == 2
                assert {(c.data["channel"], c.data["thread_ts"]) for c in fake.of("chat.postMessage")} == {
                    (CHANNEL, "1300.000100"),
                    ("D0TEST", "1300.000200"),
                }
                assert await a.stop() == 0
                a = await start_web(fake, dns_server.address, redis_url=redis_server.url)
                again = await Harness(fake, a.url, session).event(event, event_id="EvTwo", retry=2)
                assert again.status == 200
                await asyncio.sleep(SETTLE)
                assert fake.posts_made == 2
                assert "Traceback" not in a.output() + b.output()
        finally:
            await a.stop()
            await b.stop()
            await fake.stop()

    asyncio.run(scenario())


def test_redis_stopped_mid_run_degrades_with_one_warning(
    dns_server: DnsServer, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    """With Redis gone, events are still answered (never silence), once each, and one warning says so."""

    async def scenario() -> None:
        async with running_app(dns_server.address, redis_url=redis_server.url) as h:
            await h.event(mention(f"<@{BOT_USER}> healthy.test", ts="1400.000100"), event_id="EvBefore")
            await h.fake.wait_for("chat.postMessage")
            redis_server.stop()
            for i in range(3):
                event = mention(f"<@{BOT_USER}> healthy.test", ts=f"1400.00020{i}")
                await h.event(event, event_id=f"EvDown{i}")
                await h.event(event, event_id=f"EvDown{i}", retry=1)  # a retry, in the same process
            await h.event(
                mention(f"<@{BOT_USER}> healthy.test", ts="1400.000100"), event_id="EvBefore", retry=1
            )
            await h.fake.wait_for("chat.postMessage", 4)
            await asyncio.sleep(SETTLE)
            assert h.fake.posts_made == 4
            threads = sorted(c.data["thread_ts"] for c in h.fake.of("chat.postMessage"))
            assert threads == ["1400.000100", "1400.000200", "1400.000201", "1400.000202"]

    with caplog.at_level(logging.WARNING, logger="mxcheck.slack"):
        asyncio.run(scenario())
    warnings = [r for r in caplog.records if "Redis unreachable" in r.getMessage()]
    assert len(warnings) == 1
