"""Classifier matching: phrase sets (first listed phrase found decides) and provider host suffixes."""

from __future__ import annotations

import random

from bot.reading.classify import _suffixes
from bot.reading.phrases import compile_phrases, first_found, fold


def test_first_found_keeps_list_order_across_shapes() -> None:
    """A set answers with the first listed phrase found, plain, ordered or expression alike."""
    phrases = compile_phrases(["mailbox full", ["user", "unknown"], {"re": r"no such user \w{1,20}"}, "550"])
    text = fold("550 5.1.1 No such user here; User   Unknown")
    assert first_found(phrases, text).source == "user … unknown"
    assert first_found(phrases, fold("550 no such user bob")).source == r"no such user \w{1,20}"
    assert first_found(phrases, fold("Mailbox FULL 550")).source == "mailbox full"
    assert first_found(phrases, fold("452 over quota")) is None
    assert first_found(list(phrases), text) is first_found(phrases, text)


def test_empty_set_finds_nothing() -> None:
    """An empty phrase list is falsy and never matches."""
    phrases = compile_phrases([])
    assert not phrases and len(phrases) == 0
    assert first_found(phrases, "anything") is None


def test_host_suffixes_match_at_dots_only() -> None:
    """A provider's domain matches a host equal to it or ending in '.' + it, never mid-label."""
    rng = random.Random(5)
    labels = ["mx", "docomo", "ne", "jp", "notdocomo", "example", ""]
    providers = ("docomo.ne.jp", "ne.jp", "jp", "example", "")
    for _ in range(300):
        host = ".".join(rng.choice(labels) for _ in range(rng.randint(0, 4)))
        for suffix in providers:
            want = bool(host) and (host == suffix or host.endswith("." + suffix))
            assert (suffix in _suffixes(host)) == want, (host, suffix)
