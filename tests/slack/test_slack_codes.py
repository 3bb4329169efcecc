"""A status code alone in Slack (`/mxcheck 5.7.1`, a mention): its meaning, over real HTTP against the fake API."""

from __future__ import annotations

import asyncio
import json

import pytest
from dnsserver import DnsServer
from fake_slack import BOT_USER
from slack_harness import CHANNEL, header, mention, running_app

from bot.diagnose import analyse
from bot.vocab import Lang

USERS = {Lang.JA: "UJA", Lang.EN: "UEN"}


def _title(text: str, lang: Lang) -> str:
    """The header a code lookup of `text` has, as the bot computes it without Slack."""
    d = analyse(text)
    assert d.cause is not None
    return d.cause.text(lang).title[:150]


@pytest.mark.parametrize("lang", list(Lang))
def test_slash_command_with_a_code_alone_gets_its_meaning(dns_server: DnsServer, lang: Lang) -> None:
    """/mxcheck 5.7.1: a private answer whose title is the code's meaning, with common causes, no DNS asked."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            before = dns_server.queries
            await h.command("5.7.1", user=USERS[lang], name="code")
            answer = (await h.fake.wait_for("response_url"))[0].data
            assert answer["_name"] == "code"
            assert header(answer) == _title("5.7.1", lang)
            assert header(answer).startswith("5.7.1: ")
            blocks = json.dumps(answer["blocks"], ensure_ascii=False)
            common = "よくある原因" if lang is Lang.JA else "Common causes"
            assert common in blocks and "`5.7.1`" in blocks
            footer = "コードの意味" if lang is Lang.JA else "code lookup"
            assert footer in blocks
            assert dns_server.queries == before  # a code lookup asks no DNS

    asyncio.run(scenario())


def test_slash_command_with_a_provider_code(dns_server: DnsServer) -> None:
    """/mxcheck 550 5.7.606 names Microsoft's banned-IP meaning, who acts, and the delist portal."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            await h.command("550 5.7.606", user="UEN")
            answer = (await h.fake.wait_for("response_url"))[0].data
            blocks = json.dumps(answer["blocks"], ensure_ascii=False)
            assert "banned" in header(answer) and "Microsoft" in header(answer)
            assert "sender.office.com" in blocks
            assert "Sender's mail admin" in blocks  # who usually has to act

    asyncio.run(scenario())


def test_mention_with_a_code_is_answered_in_the_thread_with_metadata(dns_server: DnsServer) -> None:
    """A mention holding only `421 4.7.0 [TSS04]`: the Yahoo meaning in the thread, metadata kind code."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            await h.event(mention(f"<@{BOT_USER}> 421 4.7.0 [TSS04]", ts="950.000100", user="UJA"))
            post = (await h.fake.wait_for("chat.postMessage"))[0].data
            assert (post["channel"], post["thread_ts"]) == (CHANNEL, "950.000100")
            assert "Yahoo" in header(post) and header(post).startswith("421 4.7.0 [TSS04]: ")
            payload = post["metadata"]["event_payload"]
            assert payload["kind"] == "code" and payload["cause"] == "code-yahoo-tss04"
            assert payload["reason"] is None and payload["problems"] == []

    asyncio.run(scenario())


def test_language_button_re_renders_a_code_lookup() -> None:
    """The English button on a Japanese code answer gives the same lookup in English."""
    from bot.render.blocks import render_message
    from bot.render.buttons import unpack

    d = analyse("550-5.7.26")
    ja = render_message(d, Lang.JA)
    value = next(b["value"] for blk in ja["blocks"] if blk["type"] == "actions" for b in blk["elements"])
    again = unpack(value)
    assert again.cause is not None and again.code == d.code
    en = render_message(again, Lang.EN)
    assert en["blocks"][0]["text"]["text"] == d.cause.text(Lang.EN).title[:150]
    assert "Gmail" in en["blocks"][0]["text"]["text"]
