"""/mxcheck, the message shortcut and the language buttons over real HTTP against the fake Slack."""

from __future__ import annotations

import asyncio
import json

import pytest
from dnsserver import DnsServer
from fake_slack import BOT_TOKEN
from slack_harness import (
    BOUNCE,
    CHANNEL,
    as_slack,
    block_action,
    bounce_saying,
    button_value,
    header,
    mention,
    running_app,
    shortcut,
)

from bot.reading.knowledge import knowledge
from bot.render.slackwords import word
from bot.slackapp.files import MAX_FILE_BYTES
from bot.vocab import Lang

USERS = {Lang.JA: "UJA", Lang.EN: "UEN"}
SETTLE = 0.4
EML = (
    "From: MAILER-DAEMON@mail.sender.test (Mail Delivery System)\n"
    "To: taro@sender.test\n"
    "Subject: Undelivered Mail Returned to Sender\n"
    "Content-Type: text/plain; charset=us-ascii\n\n" + BOUNCE
).encode()


def _title(cause_id: str, lang: Lang) -> str:
    return knowledge().cause(cause_id).text(lang).title[:150]


@pytest.mark.parametrize("lang", list(Lang))
def test_command_acks_then_answers_privately(dns_server: DnsServer, lang: Lang) -> None:
    """/mxcheck with a domain: an ephemeral "checking…" ack, then the answer through response_url."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            ack = await h.command("nullmx.test", user=USERS[lang], name="c1")
            assert ack.status == 200
            assert ack.json()["response_type"] == "ephemeral" and ":mag:" in ack.json()["text"]
            answer = (await h.fake.wait_for("response_url"))[0].data
            assert answer["_name"] == "c1" and answer["response_type"] == "ephemeral"
            assert "metadata" not in answer  # response_url posts cannot carry metadata
            assert "nullmx.test" in json.dumps(answer["blocks"], ensure_ascii=False)
            assert header(answer) == _title("domain-null-mx", lang)

    asyncio.run(scenario())


@pytest.mark.parametrize("lang", list(Lang))
def test_command_with_a_pasted_bounce(dns_server: DnsServer, lang: Lang) -> None:
    """/mxcheck followed by a pasted bounce answers about its recipient, in the user's language."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            await h.command(as_slack(BOUNCE), user=USERS[lang])
            answer = (await h.fake.wait_for("response_url"))[0].data
            assert "nosuchuser@healthy.test" in json.dumps(answer["blocks"])
            assert header(answer) == _title("user-unknown", lang)  # 5.1.1 at a domain that exists

    asyncio.run(scenario())


@pytest.mark.parametrize(("text", "lang"), [("", Lang.EN), ("help", Lang.JA), ("  ", Lang.JA)])
def test_command_empty_or_help_gives_usage(dns_server: DnsServer, text: str, lang: Lang) -> None:
    """An empty /mxcheck or /mxcheck help: an empty ack, then the usage in the user's language."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            ack = await h.command(text, user=USERS[lang])
            assert ack.status == 200 and ack.text == ""
            answer = (await h.fake.wait_for("response_url"))[0].data
            assert answer["text"] == word("usage", lang)

    asyncio.run(scenario())


def test_command_ack_does_not_wait_for_dns(dns_server: DnsServer) -> None:
    """With DNS silent, the ack still comes first and the answer later says DNS was not checked."""

    async def scenario() -> None:
        dns_server.fault("timeout")
        async with running_app(dns_server.address, deadline=1.0) as h:
            ack = await h.command("healthy.test")
            assert ack.status == 200 and h.fake.of("response_url") == []
            answer = (await h.fake.wait_for("response_url", timeout=10))[0].data
            assert word("dns-unchecked", Lang.EN) in json.dumps(answer["blocks"], ensure_ascii=False)

    asyncio.run(scenario())


def test_pasted_broadcast_is_escaped(dns_server: DnsServer) -> None:
    """`<!channel>` typed inside a pasted bounce comes back as &lt;!channel&gt;, never as markup."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            await h.command(as_slack(bounce_saying("<!channel> <@U123> <https://evil.example|x>")))
            answer = (await h.fake.wait_for("response_url"))[0].data
            dumped = json.dumps(answer, ensure_ascii=False)
            for bad in ("<!channel>", "<@U123>", "<https://evil"):
                assert bad not in dumped
            assert "&lt;!channel&gt;" in dumped

    asyncio.run(scenario())


@pytest.mark.parametrize("lang", list(Lang))
def test_shortcut_reads_an_attached_eml(dns_server: DnsServer, lang: Lang) -> None:
    """The shortcut on a message with a .eml: files.info, download with the bot token, answer in its thread."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            file = h.fake.add_file("F1", "bounce.eml", EML, filetype="eml")
            message = {
                "type": "message",
                "user": "UX",
                "ts": "210.000100",
                "text": "see attached",
                "files": [file],
            }
            assert (await h.interactive(shortcut(h.fake, message, user=USERS[lang]))).status == 200
            post = (await h.fake.wait_for("chat.postMessage"))[0].data
            assert h.fake.of("files.info")[0].data["file"] == "F1" and h.fake.of("file")
            assert (post["channel"], post["thread_ts"]) == (CHANNEL, "210.000100")
            payload = post["metadata"]["event_payload"]
            assert payload["kind"] == "bounce" and header(post) == _title(payload["cause"], lang)

    asyncio.run(scenario())


def test_shortcut_skips_a_file_over_the_limit(dns_server: DnsServer) -> None:
    """A file over 2 MB is not downloaded; with nothing else to read, the user privately gets usage + why."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            file = h.fake.add_file("F2", "huge.txt", b"x" * (MAX_FILE_BYTES + 1))
            message = {"type": "message", "user": "UX", "ts": "220.000100", "text": "", "files": [file]}
            await h.interactive(shortcut(h.fake, message))
            answer = (await h.fake.wait_for("response_url"))[0].data
            text = json.dumps(answer["blocks"], ensure_ascii=False)
            assert "huge.txt" in text and word("usage", Lang.EN) in answer["text"]
            assert h.fake.of("file") == [] and h.fake.of("chat.postMessage") == []

    asyncio.run(scenario())


def test_shortcut_where_the_bot_is_not_a_member_answers_privately(dns_server: DnsServer) -> None:
    """not_in_channel on the thread post falls back to an ephemeral answer through response_url."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            h.fake.not_in_channel.add(CHANNEL)
            message = {"type": "message", "user": "UX", "ts": "230.000100", "text": as_slack(BOUNCE)}
            await h.interactive(shortcut(h.fake, message))
            answer = (await h.fake.wait_for("response_url"))[0].data
            assert "nosuchuser@healthy.test" in json.dumps(answer["blocks"])

    asyncio.run(scenario())


def test_language_button_updates_the_posted_answer(dns_server: DnsServer) -> None:
    """日本語 on an English answer: chat.update of that message in Japanese, metadata kept."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            await h.event(mention("<@UBOT> " + as_slack(BOUNCE), ts="240.000100"))
            post = (await h.fake.wait_for("chat.postMessage"))[0].data
            payload = post["metadata"]["event_payload"]
            assert header(post) == _title(payload["cause"], Lang.EN)
            click = block_action(h.fake, button_value(post, "ja"), "ja", ts="2000000001.000100")
            assert (await h.interactive(click)).status == 200
            update = (await h.fake.wait_for("chat.update"))[0].data
            assert (update["channel"], update["ts"]) == (CHANNEL, "2000000001.000100")
            assert header(update) == _title(payload["cause"], Lang.JA)
            assert update["metadata"]["event_payload"] == payload

    asyncio.run(scenario())


def test_language_button_on_a_private_answer_replaces_it(dns_server: DnsServer) -> None:
    """English on an ephemeral Japanese answer: replace_original through the response_url."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            await h.command("nullmx.test", user="UJA")
            answer = (await h.fake.wait_for("response_url"))[0].data
            click = block_action(
                h.fake, button_value(answer, "en"), "en", ts="1.1", ephemeral=True, user="UJA"
            )
            await h.interactive(click)
            replaced = (await h.fake.wait_for("response_url", count=2))[1].data
            assert replaced["_name"] == "button" and replaced["replace_original"] is True
            english = {c.text(Lang.EN).title[:150] for c in knowledge().causes.values()}
            assert header(replaced) in english and header(answer) not in english
            assert h.fake.of("chat.update") == []

    asyncio.run(scenario())


def test_language_button_with_a_foreign_value_apologises(dns_server: DnsServer) -> None:
    """A button value that is not ours ends in a short private apology, not silence."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            await h.interactive(block_action(h.fake, "not-ours", "ja", ts="1.1", user="UJA"))
            answer = (await h.fake.wait_for("response_url"))[0].data
            assert answer["text"] == word("apology", Lang.JA)
            await asyncio.sleep(SETTLE)
            assert h.fake.of("chat.update") == []

    asyncio.run(scenario())


def test_file_download_sends_the_token_only_to_slack() -> None:
    """Only Slack's file hosts over HTTPS on 443 (or an HTTPS API URL's own host and port) get the token."""
    from bot.slackapp.files import trusted

    assert trusted("https://files.slack.com/files-pri/T1-F1/x.eml", "https://slack.com/api/")
    assert trusted("https://127.0.0.1:8/files/F1", "https://127.0.0.1:8/api/")
    assert not trusted("http://127.0.0.1:8/files/F1", "http://127.0.0.1:8/api/")  # no TLS: never
    assert not trusted("https://127.0.0.1:9/files/F1", "https://127.0.0.1:8/api/")  # another port
    assert not trusted("https://files.slack.com:8443/x", "https://slack.com/api/")
    assert not trusted("https://evil.example/files.slack.com", "https://slack.com/api/")
    assert not trusted("https://files.slack.com.evil.example/x", "https://slack.com/api/")
    assert not trusted("https://user:pw@files.slack.com/x", "https://slack.com/api/")
    assert not trusted("http://files.slack.com/x", "https://slack.com/api/")
    assert BOT_TOKEN.startswith("xoxb-")


def test_burst_from_one_user_asks_users_info_once(dns_server: DnsServer) -> None:
    """Five commands at once from one user: five answers, one users.info call."""

    async def scenario() -> None:
        async with running_app(dns_server.address) as h:
            await asyncio.gather(*(h.command("healthy.test", user="UJA", name=f"b{i}") for i in range(5)))
            answers = await h.fake.wait_for("response_url", count=5)
            assert sorted(a.data["_name"] for a in answers) == [f"b{i}" for i in range(5)]
            assert len(h.fake.of("users.info")) == 1

    asyncio.run(scenario())
