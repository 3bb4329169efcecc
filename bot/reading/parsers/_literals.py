"""Literal gates: the words an expression cannot match without, tested with `in` before searching it.

Lists of expressions (phase phrases, remote-host forms) are searched over every diagnostic and
often over a whole bounce's text, and most find nothing. Each expression's required literals
come from its own parse tree (bot.reading.retree), so a gate never disagrees with its expression:
a text that lacks all of them cannot match. Under IGNORECASE (inline ``(?i)`` too) the literals
are compared lower-cased, and only when their letters are ASCII or have no case (kana, kanji)
and the text has none of the four non-ASCII letters that the re module matches to ASCII ones
(ı ſ K İ, which lower() keeps apart).
"""

from __future__ import annotations

import functools
import re

from bot.reading import retree
from bot.reading.lazyre import source_of

_CASE_TWINS = ("\u0131", "\u017f", "\u212a", "\u0130")


@functools.lru_cache(maxsize=16)
def lowered(text: str) -> str:
    """text.lower(), kept for the last few texts: every format's detect lowers the same ones."""
    return text.lower()


def comparable(text: str) -> str | None:
    """The lower-cased text that case-insensitive gates look in; None when it cannot stand in for text."""
    if not text.isascii() and any(c in text for c in _CASE_TWINS):
        return None
    return lowered(text)


class Gated:
    """An expression and the literals, one of which each of its matches contains (none: no gate).

    The literals are read from the expression's parse tree when it is first searched, not at
    import: of the gated expressions a one-message run searches few, and parsing them all (which
    compiled the lazy ones too) was a twentieth of its start-up.
    """

    __slots__ = ("_needles", "folded", "pattern")

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.folded = False  # needles lower case, looked for in comparable(text): set with the needles
        self._needles: tuple[str, ...] | None = None

    @property
    def needles(self) -> tuple[str, ...]:
        """The literals (lower case when folded), found on first use."""
        if self._needles is None:
            source, flags = source_of(self.pattern)
            # The compiled flags: an inline (?i) folds case too (a lazy pattern is compiled here).
            self.folded = bool(self.pattern.flags & re.IGNORECASE)
            needles = retree.required(source, flags)
            if self.folded:
                needles = tuple(n.lower() for n in needles) if all(map(_foldable, needles)) else ()
            self._needles = needles
        return self._needles

    def search(self, text: str, lowered: str | None) -> re.Match[str] | None:
        """pattern.search(text), skipped when no needle is in the text; lowered is comparable(text)."""
        needles = self._needles if self._needles is not None else self.needles
        hay = lowered if self.folded else text
        if hay is not None and needles:
            for needle in needles:  # a loop, not any(): this runs ~30 times per diagnostic
                if needle in hay:
                    break
            else:
                return None
        return self.pattern.search(text)


def _foldable(needle: str) -> bool:
    """A needle that lower() folds as the re module does: ASCII, or letters without case (kana, kanji)."""
    return needle.isascii() or all(ch.isascii() or ch.lower() == ch == ch.upper() for ch in needle)


def gated(pattern: re.Pattern[str]) -> Gated:
    """The expression with the literals its parse tree requires (lower case under IGNORECASE)."""
    return Gated(pattern)
