"""Slack text handling: markup undone on input, escaping on output, masking in logs, the app's words."""

from __future__ import annotations

import pytest

from bot.reading.datafiles import load_table
from bot.render.mrkdwn import code_block, code_span, cut, escape, mask_address, mask_addresses, unformat
from bot.render.slackwords import TABLE, marker, severity_marker, text_keys, word
from bot.slackapp.service import describe_error
from bot.vocab import Lang, Responsible, Severity


def test_unformat_undoes_links_mentions_and_entities() -> None:
    """What Slack stores for a pasted bounce line reads again as the user pasted it."""
    slack = "&lt;<mailto:a.b@example.jp|a.b@example.jp>&gt;: host <http://mx.example.jp|mx.example.jp> said 550 &amp; bye"
    assert unformat(slack) == "<a.b@example.jp>: host mx.example.jp said 550 & bye"


def test_unformat_drops_user_mentions_and_names_broadcasts() -> None:
    """The bot's own mention disappears; a real broadcast becomes its plain word; channels keep names."""
    assert unformat("<@UBOT> check <#C1|support> <!here> <!subteam^S1|@mail-admins>") == (
        " check #support @here @mail-admins"
    )


def test_unformat_keeps_typed_entities_literal_once() -> None:
    """A user who typed "&lt;" literally gets "&lt;" back, not "<"."""
    assert unformat("a &amp;lt; b") == "a &lt; b"


def test_unformat_bare_links() -> None:
    """A link without a label reads as its target, mailto: removed."""
    assert unformat("<mailto:x@example.jp> <https://example.jp/a>") == "x@example.jp https://example.jp/a"


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("<!channel> hi", "<!channel>"),
        ("<@U123>", "<@U123>"),
        ("<http://evil.example|click>", "<http://"),
        ("a & b", "a & b"),
    ],
)
def test_escape_makes_markup_inert(text: str, bad: str) -> None:
    """&, < and > become entities, so nothing echoed can ping, mention or link."""
    assert bad not in escape(text)
    assert "&lt;" in escape(text) or "&amp;" in escape(text)


def test_escape_defuses_bare_broadcast_words_but_not_addresses() -> None:
    """A bare @channel/@here is broken with a word joiner; user@here.jp stays copyable."""
    out = escape("ping @channel and @here, mail user@here.jp")
    assert "@channel" not in out and "@here," not in out
    assert "user@here.jp" in out


def test_code_span_cannot_be_broken_out_of() -> None:
    """A backtick in user text cannot end the code span early; newlines fold."""
    span = code_span("550 `rm`\n<x>")
    assert span.startswith("`") and span.endswith("`") and span.count("`") == 2
    assert "&lt;x&gt;" in span


def test_code_block_breaks_up_inner_fences_and_cuts() -> None:
    """A ``` inside user text cannot close the block; long text ends with …."""
    block = code_block("a ``` b" + "x" * 5000, limit=100)
    assert block.count("```") == 2
    assert len(block) <= 100 + 6 and "…" in block


def test_cut_leaves_short_text_alone() -> None:
    """Text within the limit is returned as it is."""
    assert cut("short", 10) == "short"
    assert cut("abcdef", 4) == "abc…"


def test_masking_keeps_domain_and_first_character() -> None:
    """Log lines show which domain, never whose address."""
    assert mask_address("taro.yamada@example.co.jp") == "t***@example.co.jp"
    assert (
        mask_addresses("to taro@example.jp and hanako@example.com")
        == "to t***@example.jp and h***@example.com"
    )


def test_logged_errors_hold_no_address_or_url() -> None:
    """An error logged after a failure shows neither a full address nor a (credential-bearing) URL."""
    error = RuntimeError("post to https://hooks.slack.com/commands/T1/2/secret failed for taro@example.jp")
    line = describe_error(error)
    assert "secret" not in line and "taro@" not in line
    assert line.startswith("RuntimeError") and "t***@example.jp" in line


def test_every_word_has_japanese_and_english() -> None:
    """Each key of knowledge/slack_messages.toml has non-empty ja and en texts."""
    table = load_table(TABLE)
    for key in text_keys():
        assert table[key]["ja"].strip() and table[key]["en"].strip(), key


def test_words_fill_fields_and_markers_cover_vocabularies() -> None:
    """Fields are filled; every responsible side and severity has a marker."""
    assert "3" in word("more-lines", Lang.EN, count=3)
    assert all(marker(r).startswith(":") for r in Responsible)
    assert all(severity_marker(s).startswith(":") for s in Severity)
