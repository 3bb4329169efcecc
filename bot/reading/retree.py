"""What a regular expression's parse tree says about its matches, kept between runs.

These facts are read off the tree that the re module's own parser builds (private, stable since
3.11): the literals one of which every match holds (``required``: the literal gates of
bot.reading.parsers._literals, and the gates of bot.reading.phraseindex: ``required_cased``), and
the literal a match begins with (``leading``: the keys of bot.reading.phraseindex). Parsing is
a Python-level walk over the pattern; a batch's first texts parsed ~80 expressions this way in
every process (~8 ms of each pool worker's start), so
each answer is kept as bot.reading.recipes keeps compiled expressions (bot.reading.kept): in a
file keyed by the Python version and this module's code, which decides the answers. Written
by hand: the re module exposes no reading of its trees.
"""

from __future__ import annotations

from re import _constants as _sre  # the re module's own parser: private, stable since 3.11
from re import _parser as _sre_parser

from bot.reading.kept import Kept

_FORMAT = 1
_IGNORECASE = _sre.SRE_FLAG_IGNORECASE
MAX_FACTS = 6000  # the code and knowledge/ ask about ~1,500 expressions; more means old ones piled up
_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT)
_ZERO_WIDTH = (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT)


def required(source: str, flags: int) -> tuple[str, ...]:
    """Strings one of which occurs in every match of the expression (as written: not case-folded)."""
    return _kept("required", source, flags)  # type: ignore[no-any-return]


def required_cased(source: str, flags: int) -> tuple[str, ...]:
    """``required``, for an expression that does not ignore case (inline flags included); else ()."""
    return _kept("required_cased", source, flags)  # type: ignore[no-any-return]


def leading(source: str, flags: int) -> tuple[bool, str]:
    """How every match begins: (at a word boundary, the literal text it starts with; "" if none, or
    if the expression ignores case, inline flags included)."""
    return _kept("leading", source, flags)  # type: ignore[no-any-return]


def _kept(kind: str, source: str, flags: int) -> object:
    """A fact of one kind about an expression: kept from an earlier run, else read off its tree now."""
    key = (kind, source, int(flags))
    found = KEPT.get(key)
    if found is None:
        parsed = _sre_parser.parse(source, flags)
        folds = bool((flags | parsed.state.flags) & _IGNORECASE)
        if kind == "leading":
            found = (False, "") if folds else _leading(list(parsed))
        else:
            found = () if folds and kind == "required_cased" else _required(list(parsed))
        KEPT.add(key, found)
    return found


def _leading(items: list[tuple[object, object]]) -> tuple[bool, str]:
    at_word = False
    while items and items[0][0] in _ZERO_WIDTH:  # zero-width: the same text starts the match
        at_word = at_word or items[0] == (_sre.AT, _sre.AT_BOUNDARY)
        items.pop(0)
    literal = ""
    for op, arg in items:
        if op != _sre.LITERAL:
            break
        literal += chr(arg)  # type: ignore[arg-type]
    return at_word, literal


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


KEPT = Kept("retree", maker=__file__, version=_FORMAT, limit=MAX_FACTS)
