"""Classifier matching: phrase sets (first listed phrase found decides) and provider host suffixes."""

from __future__ import annotations

import random

from bot.reading.classify import _suffixes
from bot.reading.phraseindex import PhraseIndex
from bot.reading.phrases import INDEX_OVER, compile_phrases, first_found, fold


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


def _tried_one_by_one(phrases: list, folded: str) -> list[tuple[int, str, int]]:
    """Every phrase of a list found in a text, by trying each (what the index must agree with)."""
    return [(n, p.source, at) for n, p in enumerate(phrases) if (at := p.find(folded)) >= 0]


def test_index_finds_what_trying_every_phrase_finds() -> None:
    """The knowledge's phrases indexed by how they begin find, in texts made of their own pieces, what trying each finds."""
    from bot.reading.knowledge import knowledge

    records = knowledge().rules.phrases
    index = PhraseIndex(r.phrases for r in records)
    pieces = [piece for r in records for p in r.phrases for piece in (p.pieces or (p.source.strip("\\b"),))]
    glue = [" ", "", "x", "-", "あ", "é", "_", "(", "1", " 550 ", "@example.net "]
    rng = random.Random(11)
    for _ in range(400):
        text = fold("".join(rng.choice(pieces) + rng.choice(glue) for _ in range(rng.randint(1, 6))))
        got = index.found(text)
        for s, record in enumerate(records):
            want = _tried_one_by_one(list(record.phrases), text)
            assert [(n, p.source, at) for n, p, at in got.get(s, [])] == want, (record.name, text)


def test_index_keeps_word_starts_and_expression_leads() -> None:
    """Indexed phrases still begin words, expressions keyed by their literal still match, others are always tried."""
    phrases = compile_phrases(
        ["virus", "e-mail", "存在しません", ["domain ", " mismatch"], {"re": r"\bsender score\b"},
         {"re": r"(?<!smtp )protocol violation"}, {"re": r"\b(?:user|box) \d{1,3}"}, {"re": r"(?i)ABC"},
         {"re": r"\b(?:user|mailbox) [^ ]{1,40} does not exist"}, {"re": r"(?i)(?:mail|box) (?:FULL|over)"}]
    )
    index = PhraseIndex([phrases])

    def found(text: str) -> list[str]:
        return [p.source for _n, p, _at in index.found(fold(text)).get(0, [])]

    assert found("antivirus e-mails") == ["e-mail"]
    assert found("Virus: 宛先は存在しません") == ["virus", "存在しません"]
    assert found("domain x.jp mismatch; my sender score") == ["domain … mismatch", r"\bsender score\b"]
    assert found("smtp protocol violation, box 12") == [r"\b(?:user|box) \d{1,3}"]
    assert found("a protocol violation abc") == [r"(?<!smtp )protocol violation", r"(?i)ABC"]
    assert found("nothing here") == []
    # Gated by a literal every match holds (" does not exist"); an IGNORECASE one is always tried.
    assert [needles for needles, _entry in index._gated] == [("user", "box"), (" does not exist",)]
    assert found("mailbox kenji@example.jp does not exist") == [r"\b(?:user|mailbox) [^ ]{1,40} does not exist"]
    assert found("box Full") == [r"(?i)(?:mail|box) (?:FULL|over)"]


def test_a_long_list_answers_as_when_tried_in_order() -> None:
    """A list over INDEX_OVER phrases (indexed) gives the first listed phrase found, as a short one does."""
    raws = [f"word{i} phrase" for i in range(INDEX_OVER * 2)] + ["user unknown", "unknown"]
    long, text = compile_phrases(raws), fold("Unknown: USER UNKNOWN, word7 phrase")
    assert len(long) > INDEX_OVER
    assert long.first_at(text) == (long.phrases[7], text.index("word7"))
    assert long.first_found(fold("user unknown")).source == "user unknown"
    assert long.first_found(fold("xunknown")) is None


def test_index_tells_whole_first_words_from_stems() -> None:
    """A phrase whose first word ends inside it needs that whole word in the text; a stem also finds longer words."""
    phrases = compile_phrases(
        ["user unknown", "relay", ["auth", " failed"], {"re": r"\bbox full\b"}, {"re": r"\bquota(?:s)? exceeded"}, "no"]
    )
    index = PhraseIndex([phrases])

    def found(text: str) -> list[str]:
        return [p.source for _n, p, _at in index.found(fold(text)).get(0, [])]

    assert found("users unknown; relaying denied") == ["relay"]
    assert found("é-user unknown, authentication failed") == ["user unknown", "auth … failed"]
    assert found("mailbox full, box full, quotas exceeded") == [r"\bbox full\b", r"\bquota(?:s)? exceeded"]
    assert found("nobody; no") == ["no"]
    assert found("xrelay xuser unknown") == []
