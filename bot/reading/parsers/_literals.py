"""Literal gates: the words an expression cannot match without, tested with `in` before searching it.

Lists of expressions (phase phrases, remote-host forms) are searched over every diagnostic and
often over a whole bounce's text, and most find nothing. Each expression's required literals
come from its own parse tree, so a gate never disagrees with its expression: a text that lacks
all of them cannot match. Under IGNORECASE the literals are compared lower-cased, and only when
they are ASCII and the text has none of the four non-ASCII letters that the re module matches
to ASCII ones (ı ſ K İ, which lower() keeps apart).
"""

from __future__ import annotations

import functools
import re
from re import _constants as _sre  # the re module's own parser: private, stable since 3.11
from re import _parser as _sre_parser

_CASE_TWINS = ("\u0131", "\u017f", "\u212a", "\u0130")
_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT)


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
        flags = _source(pattern)[1]
        self.folded = bool(flags & re.IGNORECASE)  # needles are lower case, looked for in comparable(text)
        self._needles: tuple[str, ...] | None = None

    @property
    def needles(self) -> tuple[str, ...]:
        """The literals (lower case when folded), found on first use."""
        if self._needles is None:
            source, flags = _source(self.pattern)
            needles = _required(list(_sre_parser.parse(source, flags)))
            if self.folded:
                needles = tuple(n.lower() for n in needles) if all(n.isascii() for n in needles) else ()
            self._needles = needles
        return self._needles

    def search(self, text: str, lowered: str | None) -> re.Match[str] | None:
        """pattern.search(text), skipped when no needle is in the text; lowered is comparable(text)."""
        hay = lowered if self.folded else text
        needles = self._needles if self._needles is not None else self.needles
        if hay is not None and needles:
            for needle in needles:  # a loop, not any(): this runs ~30 times per diagnostic
                if needle in hay:
                    break
            else:
                return None
        return self.pattern.search(text)


def _source(pattern: re.Pattern[str]) -> tuple[str, int]:
    """An expression's text and flags, without compiling a lazy one (bot.reading.lazyre)."""
    lazy_source = getattr(pattern, "__dict__", {}).get("_source")
    return lazy_source if lazy_source is not None else (pattern.pattern, pattern.flags)


def gated(pattern: re.Pattern[str]) -> Gated:
    """The expression with the literals its parse tree requires (lower case under IGNORECASE)."""
    return Gated(pattern)


def _required(items: list[tuple[object, object]]) -> tuple[str, ...]:
    """Strings one of which occurs in every match of a parsed sequence; the longest such choice."""
    best: tuple[str, ...] = ()
    run: list[str] = []
    for op, arg in [*items, (None, None)]:
        if op == _sre.LITERAL:
            run.append(chr(arg))  # type: ignore[arg-type]
            continue
        if op == _sre.AT:  # an anchor consumes nothing: the literals around it stay adjacent
            continue
        found: tuple[str, ...] = ("".join(run),) if run else ()
        run = []
        if op == _sre.BRANCH:
            alternatives = [_required(b) for b in arg[1]]  # type: ignore[index]
            found = _longer(found, tuple(n for a in alternatives for n in a) if all(alternatives) else ())
        elif op == _sre.SUBPATTERN and not (arg[1] or arg[2]):  # type: ignore[index]
            found = _longer(found, _required(arg[-1]))  # type: ignore[index]
        elif op in _REPEATS and arg[0] >= 1:  # type: ignore[index]
            found = _longer(found, _required(arg[2]))  # type: ignore[index]
        best = _longer(best, found)
    return best


def _longer(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    """The choice whose shortest literal is longer (a rarer gate); a when b says nothing."""
    if not b:
        return a
    if not a:
        return b
    return b if min(map(len, b)) > min(map(len, a)) else a
