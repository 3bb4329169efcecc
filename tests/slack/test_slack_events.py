"""Events over real HTTP: mentions and DMs answered in threads, signatures, retries, 429s and apologies."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from dnsserver import DnsServer
from fake_slack import BOT_ID, BOT_USER
from slack_harness import (
    BOUNCE,
    CHANNEL,
    as_slack,
    bounce_saying,
    direct_message,
    header,
    mention,
    running_app,
)

from bot.reading.knowledge import knowledge
from bot.render.slackwords import word
from bot.vocab import Lang

USERS = {Lang.JA: "UJA", Lang.EN: "UEN"}
SETTLE = 0.4  # seconds to wait before asserting that nothing more was posted


def _title(payload: dict, lang: Lang) -> str:
    return knowledge().cause(payload["cause"]).text(lang).title[:150]


@pytest.mark.parametrize("lang", list(Lang))
def test_mention_in_thread_reads_the_thread(dns_server: DnsServer, lang: Lang) -> None:
    """A mention in a thread finds the bounce in the parent and answers in the thread, in the user's language."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            h.fake.add_thread(
                CHANNEL,
                [
                    {"ts": "100.000100", "user": "UX", "text": as_slack(BOUNCE)},
                    {"ts": "100.000200", "user": "UY", "text": "any idea?"},
                    {
                        "ts": "100.000300",
                        "user": BOT_USER,
                        "bot_id": BOT_ID,
                        "text": "550 5.7.1 <x@nullmx.test>",
                    },
                ],
            )
            event = mention(f"<@{BOT_USER}> why?", ts="100.000400", thread_ts="100.000100", user=USERS[lang])
            assert (await h.event(event)).status == 200
            post = (await h.fake.wait_for("chat.postMessage"))[0].data
            replies = h.fake.of("conversations.replies")[0].data
            assert (replies["channel"], replies["ts"]) == (CHANNEL, "100.000100")
            assert (post["channel"], post["thread_ts"]) == (CHANNEL, "100.000100")
            payload = post["metadata"]["event_payload"]
            assert post["metadata"]["event_type"] == "mxcheck_diagnosis"
            assert set(payload) == {"kind", "reason", "responsible", "cause", "problems"}
            assert payload["kind"] == "bounce"
            assert header(post) == _title(payload, lang)
            assert "nosuchuser@healthy.test" in json.dumps(post["blocks"])
            info = h.fake.of("users.info")[0].data
            assert info["user"] == USERS[lang] and info["include_locale"] in ("1", "true", "True")

    asyncio.run(scenario())


@pytest.mark.parametrize("lang", list(Lang))
def test_top_level_mention_with_a_domain_answers_under_it(dns_server: DnsServer, lang: Lang) -> None:
    """A mention naming a domain is a domain check, answered in a thread under the mention."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            text = f"<@{BOT_USER}> mail to <mailto:info@nullmx.test|info@nullmx.test> keeps failing"
            await h.event(mention(text, ts="300.000100", user=USERS[lang]))
            post = (await h.fake.wait_for("chat.postMessage"))[0].data
            assert post["thread_ts"] == "300.000100"
            payload = post["metadata"]["event_payload"]
            assert payload["kind"] == "domain" and "null-mx" in payload["problems"]
            assert header(post) == _title(payload, lang)

    asyncio.run(scenario())


def test_metadata_refused_for_its_nulls_is_posted_again_without_them(dns_server: DnsServer) -> None:
    """A Slack that refuses null metadata values still gets the answer, with empty strings instead."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            h.fake.strict_metadata = True
            text = f"<@{BOT_USER}> mail to <mailto:info@nullmx.test|info@nullmx.test> keeps failing"
            await h.event(mention(text, ts="310.000100", user=USERS[Lang.EN]))
            posts = await h.fake.wait_for("chat.postMessage", 2)
            first, second = (p.data for p in posts[:2])
            assert first["metadata"]["event_payload"]["reason"] is None
            payload = second["metadata"]["event_payload"]
            assert (
                payload["kind"] == "domain" and payload["reason"] == "" and "null-mx" in payload["problems"]
            )
            assert second["thread_ts"] == "310.000100" and header(second) == header(first)

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("text", "lang"), [(f"<@{BOT_USER}>", Lang.EN), (f"<@{BOT_USER}> こんにちは", Lang.JA)]
)
def test_mention_with_nothing_to_analyse_gets_usage(dns_server: DnsServer, text: str, lang: Lang) -> None:
    """An empty mention, or one with no bounce or domain, gets the short usage, without metadata."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            await h.event(mention(text, ts="400.000100", user=USERS[lang]))
            post = (await h.fake.wait_for("chat.postMessage"))[0].data
            assert post["text"] == word("usage", lang)
            assert post["thread_ts"] == "400.000100" and "metadata" not in post

    asyncio.run(scenario())


def test_huge_message_still_answered_within_limits(dns_server: DnsServer) -> None:
    """A 40,000-character message with a bounce in it gets an answer inside Slack's limits."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            text = f"<@{BOT_USER}> " + as_slack(BOUNCE) + "\n" + "lorem ipsum dolor " * 2200
            await h.event(mention(text[:40_000], ts="500.000100"))
            post = (await h.fake.wait_for("chat.postMessage", timeout=20))[0].data
            assert post["metadata"]["event_payload"]["kind"] == "bounce"
            assert len(post["blocks"]) <= 50 and len(post["text"]) <= 40_000
            assert all(len(b["text"]["text"]) <= 3000 for b in post["blocks"] if b["type"] == "section")

    asyncio.run(scenario())


@pytest.mark.parametrize("lang", list(Lang))
def test_direct_message_answered_and_noise_ignored(dns_server: DnsServer, lang: Lang) -> None:
    """A DM with a bounce is answered in its thread; edits, bot posts and our own posts are not."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            ignored = [
                direct_message(as_slack(BOUNCE), ts="600.000100", subtype="message_changed"),
                direct_message(as_slack(BOUNCE), ts="600.000200", bot_id="B999"),
                direct_message(as_slack(BOUNCE), ts="600.000300", user=BOT_USER),
            ]
            for i, event in enumerate(ignored):
                assert (await h.event(event, event_id=f"EvIgnored{i}")).status == 200
            await h.event(
                direct_message(as_slack(BOUNCE), ts="600.000400", user=USERS[lang]), event_id="EvDm"
            )
            post = (await h.fake.wait_for("chat.postMessage"))[0].data
            assert (post["channel"], post["thread_ts"]) == ("D0TEST", "600.000400")
            assert header(post) == _title(post["metadata"]["event_payload"], lang)
            await asyncio.sleep(SETTLE)
            assert len(h.fake.of("chat.postMessage")) == 1

    asyncio.run(scenario())


def test_mention_delivered_as_two_events_answered_once(dns_server: DnsServer) -> None:
    """The same message as app_mention and as message.im gets one answer."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            text = f"<@{BOT_USER}> healthy.test"
            await h.event(direct_message(text, ts="650.000100"), event_id="EvA")
            await h.event(mention(text, ts="650.000100") | {"channel": "D0TEST"}, event_id="EvB")
            await h.fake.wait_for("chat.postMessage")
            await asyncio.sleep(SETTLE)
            assert len(h.fake.of("chat.postMessage")) == 1

    asyncio.run(scenario())


def test_retried_event_never_answered_twice(dns_server: DnsServer) -> None:
    """Slack's retries (X-Slack-Retry-Num) and repeated event ids are acked and dropped."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            event = mention(f"<@{BOT_USER}> healthy.test", ts="700.000100")
            first = await h.event(event, event_id="EvRetry")
            retry1 = await h.event(event, event_id="EvRetry", retry=1)
            retry2 = await h.event(event, event_id="EvRetry", retry=2)
            again = await h.event(event, event_id="EvRetry")
            assert [r.status for r in (first, retry1, retry2, again)] == [200] * 4
            await h.fake.wait_for("chat.postMessage")
            await asyncio.sleep(SETTLE)
            assert len(h.fake.of("chat.postMessage")) == 1

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("secret", "age"),
    [("not-the-secret", 0), (None, 600)],
    ids=["bad-signature", "stale-timestamp"],
)
def test_unsigned_or_stale_requests_refused(dns_server: DnsServer, secret: str | None, age: int) -> None:
    """A wrong signature or a timestamp older than five minutes gets 401 and no answer."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            body = json.dumps(
                {"type": "event_callback", "event_id": "EvBad", "event": mention("healthy.test", ts="1.1")}
            )
            kwargs = {"timestamp": int(time.time()) - age} | ({"secret": secret} if secret else {})
            reply = await h.post(body, "application/json", **kwargs)
            assert reply.status == 401
            unsigned = await h.session.post(h.url + "/slack/events", data=body)
            assert unsigned.status == 401
            await asyncio.sleep(SETTLE)
            assert h.fake.of("chat.postMessage") == [] and h.fake.of("users.info") == []

    asyncio.run(scenario())


def test_rate_limited_post_arrives_after_retry_after(dns_server: DnsServer) -> None:
    """A 429 with Retry-After: 1 on chat.postMessage is waited out; the answer still arrives once."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            h.fake.fail("chat.postMessage", 429, retry_after=1)
            await h.event(mention(f"<@{BOT_USER}> healthy.test", ts="800.000100"))
            calls = await h.fake.wait_for("chat.postMessage", count=2, timeout=10)
            assert calls[1].at - calls[0].at >= 1.0
            assert calls[1].data["blocks"] == calls[0].data["blocks"]
            await asyncio.sleep(SETTLE)
            assert len(h.fake.of("chat.postMessage")) == 2

    asyncio.run(scenario())


def test_dns_that_never_answers_still_gets_an_answer(dns_server: DnsServer) -> None:
    """With every DNS query unanswered, the answer comes after the deadline and says DNS was not checked."""

    async def scenario() -> None:
        dns_server.fault("timeout")
        async with running_app(dns_server.address, deadline=0.8) as h:
            await h.event(mention(f"<@{BOT_USER}> " + as_slack(BOUNCE), ts="900.000100"))
            post = (await h.fake.wait_for("chat.postMessage", timeout=10))[0].data
            assert word("dns-unchecked", Lang.EN) in json.dumps(post["blocks"], ensure_ascii=False)
            # Even the control query goes unanswered: our resolver is unusable, said once.
            assert post["metadata"]["event_payload"]["problems"] == ["resolver-unusable"]
            assert post["metadata"]["event_payload"]["kind"] == "bounce"

    asyncio.run(scenario())


@pytest.mark.parametrize("lang", list(Lang))
def test_failure_ends_in_an_apology_in_the_thread(dns_server: DnsServer, lang: Lang) -> None:
    """When Slack refuses the answer itself, the user gets a short apology in the thread, not silence."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            h.fake.fail("chat.postMessage", 400)
            await h.event(mention(f"<@{BOT_USER}> healthy.test", ts="960.000200", user=USERS[lang]))
            posts = await h.fake.wait_for("chat.postMessage", 2, timeout=15)
            assert posts[1].data["text"] == word("apology", lang)
            assert posts[1].data["thread_ts"] == "960.000200"

    asyncio.run(scenario())


def test_real_broadcast_in_thread_text_is_not_echoed_as_one(dns_server: DnsServer) -> None:
    """A <!channel> that Slack stored as markup comes back neither as markup nor as a bare @channel."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            text = as_slack(bounce_saying("@@@")).replace(
                "@@@", "<!channel> <@U123>"
            )  # markup, as Slack keeps it
            await h.event(mention(f"<@{BOT_USER}> " + text, ts="990.000100"))
            post = (await h.fake.wait_for("chat.postMessage"))[0].data
            dumped = json.dumps(post, ensure_ascii=False)
            assert "<!channel>" not in dumped and "<@U123>" not in dumped and "@channel" not in dumped
            assert "@\u2060channel" in dumped  # still readable, never a broadcast

    asyncio.run(scenario())


def test_language_falls_back_to_mxcheck_lang(dns_server: DnsServer) -> None:
    """A user whose locale is neither ja nor en (or unknown to users.info) gets MXCHECK_LANG."""

    async def scenario() -> None:
        async with running_app(dns_server.address, lang=Lang.JA) as h:
            await h.event(
                mention(f"<@{BOT_USER}> nullmx.test", ts="1100.000100", user="UFR"), event_id="EvFr"
            )
            await h.event(
                mention(f"<@{BOT_USER}> nullmx.test", ts="1100.000200", user="UNONE"), event_id="EvNo"
            )
            posts = await h.fake.wait_for("chat.postMessage", count=2)
            for post in posts:
                assert header(post.data) == _title(post.data["metadata"]["event_payload"], Lang.JA)

    asyncio.run(scenario())


def test_health_answers_without_a_signature(dns_server: DnsServer) -> None:
    """GET /health is 200 {"ok": true} for the platform's checks; nothing else is open."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            async with h.session.get(h.url + "/health") as resp:
                assert resp.status == 200 and await resp.json() == {"ok": True}
            async with h.session.get(h.url + "/slack/events") as resp:
                assert resp.status == 405

    asyncio.run(scenario())
