"""Socket Mode: the same app over a websocket the fake Slack serves (apps.connections.open → ws://)."""

from __future__ import annotations

import asyncio

from dnsserver import DnsServer
from fake_slack import BOT_USER
from slack_harness import BOUNCE, CHANNEL, as_slack, event_callback, header, mention, running_socket_app

from bot.reading.knowledge import knowledge
from bot.render.slackwords import word
from bot.vocab import Lang

SETTLE = 0.4


def _envelope(envelope_id: str, kind: str, payload: dict, retry: int = 0) -> dict:
    return {
        "envelope_id": envelope_id,
        "type": kind,
        "payload": payload,
        "accepts_response_payload": kind != "events_api",
        "retry_attempt": retry,
        "retry_reason": "timeout" if retry else "",
    }


def test_socket_mode_mention_acked_and_answered_once(dns_server: DnsServer) -> None:
    """An events_api envelope is acked by envelope_id and answered in the thread; its retry is not."""

    async def scenario() -> None:
        async with running_socket_app(dns_server.address) as fake:
            assert fake.of("apps.connections.open")
            event = mention(f"<@{BOT_USER}> " + as_slack(BOUNCE), ts="1000.000100", user="UJA")
            await fake.send_envelope(_envelope("env-1", "events_api", event_callback(event, "EvSock")))
            assert (await fake.wait_ack("env-1"))["envelope_id"] == "env-1"
            post = (await fake.wait_for("chat.postMessage"))[0].data
            assert (post["channel"], post["thread_ts"]) == (CHANNEL, "1000.000100")
            payload = post["metadata"]["event_payload"]
            assert header(post) == knowledge().cause(payload["cause"]).text(Lang.JA).title[:150]
            await fake.send_envelope(
                _envelope("env-2", "events_api", event_callback(event, "EvSock"), retry=1)
            )
            await fake.wait_ack("env-2")
            await asyncio.sleep(SETTLE)
            assert len(fake.of("chat.postMessage")) == 1

    asyncio.run(scenario())


def test_socket_mode_slash_command(dns_server: DnsServer) -> None:
    """A slash_commands envelope is acked with the "checking…" payload; the answer goes to response_url."""

    async def scenario() -> None:
        async with running_socket_app(dns_server.address) as fake:
            command = {
                "command": "/mxcheck",
                "text": "healthy.test",
                "user_id": "UEN",
                "channel_id": CHANNEL,
                "team_id": "T1",
                "response_url": fake.response_url("sock"),
                "trigger_id": "1.2.3",
            }
            await fake.send_envelope(_envelope("env-3", "slash_commands", command))
            ack = await fake.wait_ack("env-3")
            assert ack["payload"]["text"] == word("checking", Lang.EN)
            answer = (await fake.wait_for("response_url"))[0].data
            assert answer["_name"] == "sock" and "healthy.test" in str(answer["blocks"])

    asyncio.run(scenario())
