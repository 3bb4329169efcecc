"""Robust edges: start-up auth.test reused, long threads, bad timestamps, slow and aborted bodies, file hosts, late answers."""

from __future__ import annotations

import asyncio
import json
import logging
import time

import pytest
from dnsserver import DnsServer
from fake_slack import BOT_USER
from slack_harness import BOUNCE, CHANNEL, EVENTS_PATH, as_slack, mention, running_app, shortcut, sign

from bot.render.slackwords import word
from bot.slackapp.files import MAX_FILE_BYTES
from bot.vocab import Lang

SETTLE = 0.4
NULLMX_BOUNCE = BOUNCE.replace("healthy.test", "nullmx.test")


def test_start_up_auth_test_is_the_only_one(dns_server: DnsServer) -> None:
    """auth.test is asked once at start; no request waits for another before its ack."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            for i in range(3):
                await h.event(
                    mention(f"<@{BOT_USER}> healthy.test", ts=f"1900.00010{i}"), event_id=f"EvAuth{i}"
                )
            await h.command("healthy.test")
            await h.fake.wait_for("chat.postMessage", 3)
            await h.fake.wait_for("response_url")
            assert len(h.fake.of("auth.test")) == 1

    asyncio.run(scenario())


def test_answers_share_pooled_connections(dns_server: DnsServer) -> None:
    """Ten answers (chat.postMessage and response_url posts) travel over a few kept-alive connections, not one each."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            for i in range(5):
                await h.command("healthy.test", name=f"pool{i}")
                await h.event(
                    mention(f"<@{BOT_USER}> healthy.test", ts=f"1910.00010{i}"), event_id=f"EvPool{i}"
                )
                await h.fake.wait_for("chat.postMessage", i + 1)
                await h.fake.wait_for("response_url", i + 1)
            assert len(h.fake.calls) >= 11 and len(h.fake.client_ports) <= 4  # auth.test at start: its own

    asyncio.run(scenario())


@pytest.mark.parametrize("where", ["parent", "newest"])
def test_long_thread_reads_the_parent_and_the_newest_replies(dns_server: DnsServer, where: str) -> None:
    """In a thread of 1,500 replies the bounce in the parent, or a newer one in the last reply, is found in a few bounded reads."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            parent = {"ts": "1000000.000000", "user": "UX", "text": as_slack(BOUNCE)}
            replies = [
                {"ts": f"{1000001 + i}.000000", "user": "UY", "text": f"reply {i}"} for i in range(1500)
            ]
            if where == "newest":
                replies[-1]["text"] = as_slack(NULLMX_BOUNCE)
            h.fake.add_thread(CHANNEL, [parent, *replies])
            event = mention(f"<@{BOT_USER}> why?", ts="1002000.000000", thread_ts=parent["ts"])
            await h.event(event)
            post = (await h.fake.wait_for("chat.postMessage", timeout=15))[0].data
            dumped = json.dumps(post["blocks"])
            assert ("nosuchuser@nullmx.test" in dumped) is (where == "newest")
            assert ("nosuchuser@healthy.test" in dumped) is (where == "parent")
            assert h.fake.replies_served <= 4

    asyncio.run(scenario())


@pytest.mark.parametrize("lang", list(Lang))
def test_failing_thread_read_analyses_the_mention_itself(dns_server: DnsServer, lang: Lang) -> None:
    """When the thread cannot be read (500s past the retries), the mention's own text is answered, with a note."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            h.fake.fail("conversations.replies", 500, times=5)
            text = f"<@{BOT_USER}> " + as_slack(BOUNCE)
            await h.event(
                mention(
                    text, ts="950.000200", thread_ts="950.000100", user={Lang.JA: "UJA", Lang.EN: "UEN"}[lang]
                )
            )
            post = (await h.fake.wait_for("chat.postMessage", timeout=15))[0].data
            assert post["metadata"]["event_payload"]["kind"] == "bounce"
            assert post["thread_ts"] == "950.000100"
            assert word("thread-unread", lang) in json.dumps(post["blocks"], ensure_ascii=False)

    asyncio.run(scenario())


@pytest.mark.parametrize("stamp", ["abc", "1e9", "-5", " ", "17000000000000000000"])
def test_malformed_timestamp_is_401(dns_server: DnsServer, stamp: str) -> None:
    """A timestamp that is no number is refused like a bad signature (401), never a 500."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            body = json.dumps({"type": "event_callback", "event_id": "EvTs", "event": mention("x", ts="1.1")})
            headers = {"X-Slack-Request-Timestamp": stamp}
            reply = await h.post(body, "application/json", headers=headers)
            assert reply.status == 401
            await asyncio.sleep(SETTLE)
            assert h.fake.of("chat.postMessage") == []

    asyncio.run(scenario())


async def _raw(url: str, body: bytes, *, length: int, close_after: bool) -> bytes:
    """Send a signed request's headers and only part of its body; the reply, or b"" when we hang up."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    stamp = int(time.time())
    head = (
        f"POST {EVENTS_PATH} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\nX-Slack-Request-Timestamp: {stamp}\r\n"
        f"X-Slack-Signature: {sign(body.decode(), stamp)}\r\n\r\n"
    )
    writer.write(head.encode() + body[: length // 4])
    await writer.drain()
    if close_after:
        writer.close()
        return b""
    answer = await asyncio.wait_for(reader.read(200), 5)
    writer.close()
    return answer


def test_body_sent_too_slowly_is_dropped(dns_server: DnsServer) -> None:
    """A body that does not arrive within the body timeout gets 408, and the app goes on answering."""

    async def scenario() -> None:
        async with running_app(dns_server.address, body_timeout=0.5) as h:
            body = json.dumps({"type": "event_callback", "event_id": "EvSlow", "event": {}}).encode()
            started = time.monotonic()
            answer = await _raw(h.url, body, length=len(body), close_after=False)
            assert answer.startswith(b"HTTP/1.1 408") and time.monotonic() - started < 3
            assert (await h.command("healthy.test")).status == 200

    asyncio.run(scenario())


def test_aborted_upload_is_quiet(dns_server: DnsServer, caplog: pytest.LogCaptureFixture) -> None:
    """A sender hanging up mid-body leaves one short line, no traceback, and the app answers the next request."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            body = json.dumps({"type": "event_callback", "event_id": "EvCut", "event": {}}).encode()
            for _ in range(3):
                await _raw(h.url, body, length=len(body), close_after=True)
            await asyncio.sleep(SETTLE)
            assert (await h.command("healthy.test")).status == 200
            await h.fake.wait_for("response_url")

    with caplog.at_level(logging.DEBUG):
        asyncio.run(scenario())
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


@pytest.mark.parametrize("off_host", [True, False], ids=["redirect-elsewhere", "redirect-on-host"])
def test_file_redirects_stay_on_slack_hosts(dns_server: DnsServer, off_host: bool) -> None:
    """A file's redirect to another host (or to plain HTTP) is not followed with the token; one on the same host is."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            h.fake.add_file("F9", "real.eml", BOUNCE.encode())
            file = h.fake.add_file("F8", "hop.eml", b"")
            target = f"{h.fake.plain_base}/files/F9" if off_host else f"{h.fake.base}/files/F9"
            h.fake.redirect_file("F8", target)
            message = {"type": "message", "user": "UX", "ts": "1950.000100", "text": "", "files": [file]}
            await h.interactive(shortcut(h.fake, message))
            method = "response_url" if off_host else "chat.postMessage"
            answer = (await h.fake.wait_for(method))[0].data
            downloads = [c.data["id"] for c in h.fake.of("file")]
            if off_host:
                assert downloads == ["F8"]
                assert word("file-unreadable", Lang.EN, name="`hop.eml`") in json.dumps(answer["blocks"])
            else:
                assert downloads == ["F8", "F9"]
                assert answer["metadata"]["event_payload"]["kind"] == "bounce"

    asyncio.run(scenario())


def test_file_names_are_escaped(dns_server: DnsServer) -> None:
    """A file name with markup, a broadcast and backticks is shown inert, in a code span."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            name = "<!channel> *x* `y` <http://evil|z>.txt"
            file = h.fake.add_file("F7", name, b"x" * (MAX_FILE_BYTES + 1))
            message = {"type": "message", "user": "UX", "ts": "1960.000100", "text": "", "files": [file]}
            await h.interactive(shortcut(h.fake, message))
            answer = (await h.fake.wait_for("response_url"))[0].data
            notes = json.dumps(answer["blocks"][-1], ensure_ascii=False)
            assert "<!channel>" not in notes and "<http" not in notes and "`y`" not in notes
            assert "&lt;!channel&gt;" in notes

    asyncio.run(scenario())


def test_late_answer_says_it_is_late(dns_server: DnsServer) -> None:
    """An answer that comes after the lateness threshold (overload, slow DNS) says so instead of nothing."""

    async def scenario() -> None:
        dns_server.fault("delay", seconds=0.6)
        async with running_app(dns_server.address, late_after=0.3, deadline=3.0) as h:
            await h.event(mention(f"<@{BOT_USER}> fresh-late.healthy.test", ts="1970.000100"))
            post = (await h.fake.wait_for("chat.postMessage", timeout=10))[0].data
            late = word("late", Lang.EN, seconds=0).split("(")[0]
            assert late in json.dumps(post["blocks"], ensure_ascii=False)

    asyncio.run(scenario())
