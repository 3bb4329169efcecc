"""UI words and error one-liners (bot.render.messages, knowledge/messages.toml)."""

from __future__ import annotations

import string

import pytest

from bot import errors
from bot.diagnose import NOT_A_BOUNCE
from bot.models import Cause
from bot.reading.datafiles import load_table
from bot.reading.knowledge import knowledge
from bot.render.messages import error_text, has_message, message, responsible_label
from bot.render.usermessage import FIELDS, fill
from bot.vocab import Lang, Responsible

TABLE = load_table("messages")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _error_ids() -> set[str]:
    """The ids of every InputError subclass in bot.errors."""
    ids = set()
    for obj in vars(errors).values():
        if isinstance(obj, type) and issubclass(obj, errors.InputError) and obj is not errors.InputError:
            try:
                ids.add(obj().error_id)
            except TypeError:
                ids.add(obj("x").error_id)
    return ids


@pytest.mark.parametrize("key", sorted(k for k in TABLE if not isinstance(TABLE[k].get("ja"), list)))
def test_every_key_in_both_languages_with_the_same_fields(key: str) -> None:
    """Each entry has ja and en texts naming the same {fields}."""
    entry = TABLE[key]
    assert entry.get("ja") and entry.get("en")
    assert _fields(entry["ja"]) == _fields(entry["en"])


def test_every_input_error_and_not_a_bounce_is_worded() -> None:
    """Every InputError id, and not-a-bounce, has a one-line explanation."""
    for error_id in (*_error_ids(), NOT_A_BOUNCE, "unreadable-input", "no-such-path", "internal-error"):
        assert has_message(error_id), error_id
        for lang in Lang:
            assert "\n" not in error_text(error_id, lang)


def test_every_responsible_side_has_a_name() -> None:
    """Each responsible side is named in both languages."""
    for side in Responsible:
        assert responsible_label(side, Lang.JA) != responsible_label(side, Lang.EN)


def test_fields_are_filled_and_missing_ones_never_raise() -> None:
    """message() fills fields; error_text() shows '?' for a field the caller lacks."""
    assert "example..jp" in message("invalid-domain", Lang.EN, name="example..jp")
    assert "?" in error_text("invalid-domain", Lang.JA)
    assert error_text("no-such-id", Lang.EN) == error_text("internal-error", Lang.EN)


# ----------------------------------------------------------------------------- the user's message

CAUSES = sorted(knowledge().causes.values(), key=lambda c: c.id)
EXAMPLE = {
    "address": "tanaka@tanaka-shoji.co.jp",
    "domain": "tanaka-shoji.co.jp",
    "suggestion": "tanaka-shoji.co.jp",
}
# Phrases a desk would have to edit out before pasting.
BANNED_JA = ("当社（貴社）", "貴社", "お送りいただいたメールは", "システム担当者に転送", "エラーメールを転送")
BANNED_EN = ("forward this bounce", "forward this error", "our (your)", "bounce")
POLITE_ENDINGS = ("ます", "ません", "です", "でした", "ました", "ください", "でしょうか", "ませんか", "ございます", "ございません")
# Causes of a domain check: they name the domain; every other cause names the address concerned.
DOMAIN_CHECK = {c.id for c in CAUSES if c.reason is None}
# A temporary cause whose mail is still being retried is a delay, not a failure.
RETRYING = {c.id for c in CAUSES if c.responsible is Responsible.TRANSIENT and c.id not in DOMAIN_CHECK}


@pytest.mark.parametrize("cause", CAUSES, ids=lambda c: c.id)
def test_every_user_message_names_what_it_is_about(cause: Cause) -> None:
    """Filled in, each message names the address (or, for a domain check, the domain) in both languages."""
    for lang in Lang:
        text = fill(cause.text(lang).user_message, EXAMPLE)
        wanted = EXAMPLE["domain"] if cause.id in DOMAIN_CHECK else EXAMPLE["address"]
        assert wanted in text, (cause.id, lang)


@pytest.mark.parametrize("cause", CAUSES, ids=lambda c: c.id)
def test_every_user_message_degrades_without_its_fields(cause: Cause) -> None:
    """With nothing known, no placeholder, marker or empty quote is left, and the text still reads."""
    for lang in Lang:
        template = cause.text(lang).user_message
        assert {
            n for _, n, _, _ in string.Formatter().parse(template.replace("[[", "").replace("]]", "")) if n
        } <= set(FIELDS)
        for known in ({}, {"address": EXAMPLE["address"]}, EXAMPLE):
            text = fill(template, known)
            for leftover in (
                "{",
                "}",
                "[[",
                "]]",
                "|",
                "「」",
                "（）",
                "()",
                "  ",
                "、、",
                "。。",
            ):
                assert leftover not in text, (cause.id, lang, known, leftover)
            assert not text.startswith(("、", "。", " ", ",", "宛て")) and text[-1] in "。.?!", (cause.id, lang)


@pytest.mark.parametrize("cause", CAUSES, ids=lambda c: c.id)
def test_no_user_message_uses_a_banned_phrase(cause: Cause) -> None:
    """No 当社（貴社）, no お送りいただいたメールは, no "forward this to your admin" for the sender's own side."""
    ja = fill(cause.text(Lang.JA).user_message, EXAMPLE)
    en = fill(cause.text(Lang.EN).user_message, EXAMPLE).lower()
    assert not [p for p in BANNED_JA if p in ja]
    assert not [p for p in BANNED_EN if p in en]
    if cause.responsible is Responsible.SENDER_ORG:
        # The person pasting is usually that admin: the user hears what happens next, not "ask IT".
        assert "システム担当者" not in ja and "it support" not in en and "your it" not in en
    # Polite (desu/masu) to the end of every sentence: no plain だ/である form slips in.
    sentences = [t for t in ja.split("。") if t]
    assert all(t.endswith(POLITE_ENDINGS) for t in sentences), [t for t in sentences if not t.endswith(POLITE_ENDINGS)]


@pytest.mark.parametrize("cause_id", sorted(RETRYING))
def test_temporary_causes_are_worded_as_delays(cause_id: str) -> None:
    """A cause still being retried says the mail is delayed, never that it did not arrive."""
    words = knowledge().cause(cause_id)
    ja = fill(words.text(Lang.JA).user_message, EXAMPLE)
    en = fill(words.text(Lang.EN).user_message, EXAMPLE)
    assert "配信が遅れています" in ja and "届きませんでした" not in ja
    assert "delayed" in en and "not delivered" not in en


def test_spelling_suggestions_go_into_the_message() -> None:
    """A domain typo's message asks whether the suggestion was meant, in both languages."""
    for cause_id in ("host-unknown-nxdomain", "host-unknown", "domain-nxdomain"):
        cause = knowledge().cause(cause_id)
        fields = EXAMPLE | {"domain": "tanaka-shoji.co.jpp"}
        assert "「tanaka-shoji.co.jp」の誤りではありませんか。" in fill(
            cause.text(Lang.JA).user_message, fields
        )
        assert "Did you mean tanaka-shoji.co.jp?" in fill(cause.text(Lang.EN).user_message, fields)


def test_fill_keeps_drops_and_falls_back() -> None:
    """A segment stays when its fields are known, is dropped when not, and takes its fallback after '|'."""
    assert (
        fill("Your message[[ to {address}]] failed.", {"address": "a@b.jp"})
        == "Your message to a@b.jp failed."
    )
    assert fill("Your message[[ to {address}]] failed.", {}) == "Your message failed."
    assert fill("[[{domain}|This domain]] is fine.", {}) == "This domain is fine."
    assert fill("[[{domain}|This domain]] is fine.", {"domain": "b.jp"}) == "b.jp is fine."
    assert fill("[[{address} / {domain}]]x", {"address": "a@b.jp"}) == "x"  # every field, or none
    assert fill("[[{address}]]x", {"address": ""}) == "x"  # an empty value counts as unknown


def test_argparse_table_keeps_its_parts() -> None:
    """Each argparse template's translation uses the same {0} {1} parts."""
    for english, translated in TABLE["argparse"]["ja"]:
        assert _fields(english) == _fields(translated), english
