"""drop_repeated_prefixes: a multi-line reply's repeated `550-5.7.1` prefixes go, with the pattern memoized per code."""

from __future__ import annotations

import random
import re

from bot.reading.parsers._text import _MULTILINE_PREFIX, _repeated_prefix, drop_repeated_prefixes, fold


def _compiled_per_call(text: str) -> str:
    """The helper as it was before the memo: a new pattern compiled for every text (the reference)."""
    first = _MULTILINE_PREFIX.search(text)
    if not first:
        return text
    token = re.compile(
        r"\s" + re.escape(first.group(1)) + r"[ -]" + (re.escape(first.group(2)) if first.group(2) else "") + r"(?=\s)"
    )
    head, tail = text[: first.end()], text[first.end() :]
    return head + " " + fold(token.sub(" ", tail)) if token.search(tail) else text


def test_repeated_prefixes_are_dropped() -> None:
    """The prefix repeated inside the reply goes; a different code, a code in a word, a one-line reply stay."""
    assert drop_repeated_prefixes("550-5.7.1 Our system has detected 550-5.7.1 that this message 550 5.7.1 is spam") == (
        "550-5.7.1 Our system has detected that this message is spam"
    )
    assert drop_repeated_prefixes("421-4.7.0 Try again 421-4.7.0 later") == "421-4.7.0 Try again later"
    assert drop_repeated_prefixes("550 User unknown 550 here") == "550 User unknown 550 here"  # no status: "550 " then a space
    assert drop_repeated_prefixes("550 5.1.1 User unknown") == "550 5.1.1 User unknown"
    assert drop_repeated_prefixes("550-5.7.1 blocked, see 5.7.1 and x550-5.7.1 y") == "550-5.7.1 blocked, see 5.7.1 and x550-5.7.1 y"
    assert drop_repeated_prefixes("550-5.7.1 one 451-4.3.0 two") == "550-5.7.1 one 451-4.3.0 two"
    assert drop_repeated_prefixes("no code at all") == "no code at all"


def test_memoized_pattern_answers_as_a_fresh_compile() -> None:
    """Over varied replies the memoized helper gives exactly what compiling per text gave, and reuses its patterns."""
    pieces = ["550-5.7.1", "550 5.7.1", "550-5.7.10", "550", "550-", "452-4.2.2", "452 4.2.2", "5.7.1", "550-#5.1.1",
              "word", "x550", "\t", "\n", "  ", "blocked.", "mailbox full", "550-5.1.1", "421", "421-4.7.0"]
    rng = random.Random(3)
    _repeated_prefix.cache_clear()
    for _ in range(2000):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 9)))
        assert drop_repeated_prefixes(text) == _compiled_per_call(text), text
    info = _repeated_prefix.cache_info()
    assert info.hits > info.misses > 0
