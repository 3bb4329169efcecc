"""Expressions whose guarding lookbehind was moved after the first character match as they did."""

from __future__ import annotations

import random
import re

import pytest

from bot.reading import weigh
from bot.reading.parsers import _codes, _text, scanner

# Each rewritten expression beside the one it replaced (as it was written before).
PAIRS = [
    (_codes._STATUS, r"(?<![\w.])([245])\.(\d{1,3})\.(\d{1,3})(?![\w]|\.\d)", 0),
    (_codes._STATUS_AFTER_REPLY, r"(?<![\w.])[245]\d\d[ -]#?([45]\.\d{1,3}\.\d{1,3})(?![\w]|\.\d)", 0),
    (_codes._IPV4, r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])", 0),
    (_codes._REPLY, r"(?<![\w.:/@=+-])([45][0-5]\d|2[0-5]\d)(?=[ \-]|\)|\]|,|;|\Z|$)(?!-?\d{1,3}\.\d)", re.M),
    (_codes._REPLY_LENIENT, r"(?<![\w.:/@=+-])([45][0-5]\d)(?![\w.:/@])", 0),
    (_text._MULTILINE_PREFIX, r"(?<![\w.])([245]\d\d)[ -]#?([245]\.\d{1,3}\.\d{1,3})?(?=\s)", 0),
    (weigh._REPLY_START, r"(?<![\w.:\-/])[245]\d\d(?:[ -]|\Z)", 0),
    (scanner._STATUS_ANY, r"(?<![\w.])[45]\.\d{1,3}\.\d{1,3}(?![\w]|\.\d)", 0),
]
# Pieces of bounce text around codes and addresses, and the characters the lookbehinds test.
PIECES = ["550", "5.1.1", "421", "250", "4.7.0", "192.0.2.1", "10.1.2.3.4", " ", "-", "#", ".", ":", "/",
          "@", "=", "+", "\n", "a", "x5", "(", ")", ";", ",", "]", "9", "0", "552 5.2.2", "v2.5.1"]


def _matches(pattern: re.Pattern[str], text: str, pos: int) -> list[tuple[tuple[int, int], tuple[str | None, ...]]]:
    return [(m.span(), m.groups()) for m in pattern.finditer(text, pos)]


@pytest.mark.parametrize(("rewritten", "source", "flags"), PAIRS, ids=[p[1][:30] for p in PAIRS])
def test_rewritten_expression_matches_as_before(rewritten: re.Pattern[str], source: str, flags: int) -> None:
    """The same spans and groups as the original over random texts, searched from any position."""
    before = re.compile(source, flags)
    rng = random.Random(source)
    for _ in range(1500):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 14)))
        pos = rng.randint(0, len(text))
        assert _matches(rewritten, text, 0) == _matches(before, text, 0), text
        assert _matches(rewritten, text, pos) == _matches(before, text, pos), (text, pos)
        assert rewritten.sub("<x>", text) == before.sub("<x>", text)
