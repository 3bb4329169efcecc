"""The loop never waits for CPU: 50 pastes of 40 KB being read do not hold other acks (behaviour, not a figure)."""

from __future__ import annotations

import asyncio
import time

from dnsserver import DnsServer
from fake_slack import BOT_USER
from slack_harness import BOUNCE, as_slack, mention, running_app

PASTES = 50
OTHERS = 12
ACK_LIMIT = 0.100


def big_paste(i: int) -> str:
    """A Postfix bounce of about 40,000 characters: many failed recipients, each with its server line."""
    head = BOUNCE.split("<nosuchuser")[0]
    lines = []
    n = 0
    while sum(map(len, lines)) < 36_000:
        lines.append(
            f"<user{i}-{n}@healthy.test>: host mx1.healthy.test[192.0.32.10] said: 550 5.1.1\n"
            f"    <user{i}-{n}@healthy.test>: Recipient address rejected: User unknown in\n"
            "    local recipient table (in reply to RCPT TO command)\n\n"
        )
        n += 1
    return head + "".join(lines)


def test_big_pastes_do_not_hold_other_acks(dns_server: DnsServer) -> None:
    """While 50 pastes of 40 KB are read, every other request is acked in under 100 ms; each answer is posted once."""

    async def scenario() -> None:
        async with running_app(dns_server.address, deadline=3.0) as h:
            texts = [f"<@{BOT_USER}> " + as_slack(big_paste(i))[:40_000] for i in range(PASTES)]
            assert all(len(t) > 38_000 for t in texts)
            pastes = [
                asyncio.ensure_future(h.event(mention(t, ts=f"2000.{i:06d}"), event_id=f"EvBig{i}"))
                for i, t in enumerate(texts)
            ]
            await asyncio.gather(*pastes)
            acks = []
            for i in range(OTHERS):  # while the pool is busy with the pastes
                reply = await h.command("healthy.test", name=f"other{i}")
                assert reply.status == 200
                acks.append(reply.seconds)
                await asyncio.sleep(0.05)
            busy = len(h.fake.of("chat.postMessage")) < PASTES
            assert busy, "the pastes were read before the other requests came: nothing was measured"
            assert max(acks) < ACK_LIMIT, f"acks while busy: {[round(a * 1000) for a in acks]} ms"
            started = time.monotonic()
            await h.fake.wait_for("chat.postMessage", PASTES, timeout=120)
            await h.fake.wait_for("response_url", OTHERS, timeout=30)
            await asyncio.sleep(0.5)
            assert h.fake.posts_made == PASTES and len(h.fake.of("response_url")) == OTHERS
            threads = {c.data["thread_ts"] for c in h.fake.of("chat.postMessage")}
            assert len(threads) == PASTES and time.monotonic() - started < 120

    asyncio.run(scenario())
