"""A small static checker for regular-expression shapes that backtrack super-linearly.

Python's `re` is a backtracking engine: a pattern is slow on a hostile text only when the engine
can match the same characters in many different ways and tries them all before giving up. The
shapes that allow that are visible in the parse tree `re._parser` builds:

1. **backreference** (`\\1`, `(?P=name)`): no longer a regular language; refused outright.
2. **ambiguous repetition** (`(a+)+`, `(aa?)*`, `(?:\\w{1,9} ?){1,50}`, `(a|ab|b)*`): a group
   repeated more than once whose iterations can be cut in several places (an iteration's
   variable-length tail can take what the next iteration starts with), or whose body can match
   one text in several ways (a variable part next to a part that can take the same characters, or
   alternatives that start alike, unless both are plain words neither of which begins the other:
   `(?:SIZE|SMTPUTF8)`). Failing, the engine retries every cut of every iteration:
   exponential. A delimiter the variable parts cannot take makes it safe:
   `(?:[^\\n]{0,99}\\n){0,9}`, `(?:[a-z]{1,63}\\.){1,10}`.
3. **adjacent wide repetitions over overlapping characters** (`\\s*\\s*`, `.*\\s*`, `\\s*,?\\s*`,
   `(?:a\\s*)?\\s*`): two unbounded (or wider than WIDE) repetitions meeting, with only optional
   items between, that can both take the same character: a run between them is shared in O(n)
   ways at each starting point.
4. **a repetition across lines** (`(?s).{0,200000}?</x>`, `[^>]*>`, `\\s+$`): normalize cuts
   lines to MAX_LINE_CHARS, which bounds what a repetition within a line can scan; one that can
   take a line break and is allowed further may scan that far from each starting position of a
   search, O(n × bound). Allowed when the pattern is anchored at `\\A` (one start) or
   the repetition ends the pattern (nothing after it can fail, so no scan is wasted).

Each item is summarised (`_Unit`) by its length bounds, the characters it may hold and start
with, and the characters at its ends where a variable-length or a wide part lets the boundary
move; the rules compare those where two items meet and where iterations meet. Possessive repetitions and atomic groups are never backtracked into, so they count as
fixed. `re` itself turns single-character alternatives into a class (`(a|a)*` is `[a]*`) and
factors common prefixes (`(a|ab)*` is `(ab?)*`), and the checker judges what the engine runs.
Character sets are compared on a sample alphabet (ASCII, a few non-ASCII characters mxcheck
meets, every literal of the pattern): exact for the classes used here, conservative otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from re import _constants as C  # the re module's own parser (private, stable since 3.11)
from re import _parser

from bot.limits import MAX_LINE_CHARS

WIDE = 255  # a repetition allowed more than this many times counts as unbounded (rule 3)
LINE = MAX_LINE_CHARS  # longer repetitions are not bounded by the line cut (rule 4)
_SAMPLES = "\x85\xa0é\u2028\u3000あア日１：＠・「」•ー"
_CATEGORIES = {
    C.CATEGORY_DIGIT: r"\d",
    C.CATEGORY_NOT_DIGIT: r"\D",
    C.CATEGORY_SPACE: r"\s",
    C.CATEGORY_NOT_SPACE: r"\S",
    C.CATEGORY_WORD: r"\w",
    C.CATEGORY_NOT_WORD: r"\W",
}
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT)
_NONE: frozenset[int] = frozenset()
_CHARS: dict[tuple[object, ...], frozenset[int]] = {}


@dataclass(frozen=True)
class _Unit:
    """One item (or sequence) summarised for the rules."""

    low: int  # shortest match
    high: int  # longest match (C.MAXREPEAT: unbounded)
    chars: frozenset[int] = _NONE  # every character a match may hold
    first: frozenset[int] = _NONE  # characters a match may start with
    # Where the end of a match can move (a variable-length part at the end: fewer or more
    # iterations, a shorter alternative), the characters the text after it may then start with.
    tail_var: frozenset[int] = _NONE
    head_var: frozenset[int] = _NONE  # characters a variable-length part at the start may take
    head_wide: frozenset[int] = _NONE  # the same, for a wide repetition at the start ...
    tail_wide: frozenset[int] = _NONE  # ... and at the end
    ambiguous: bool = False  # may match one text in several ways


_EMPTY = _Unit(0, 0)


def _union(sets: object) -> frozenset[int]:
    return frozenset().union(*sets)  # type: ignore[misc]


class _Checker:
    """Walks one pattern's parse tree and collects the problems found."""

    def __init__(self, pattern: re.Pattern[str] | re.Pattern[bytes]) -> None:
        self.flags = pattern.flags
        self.bytes = isinstance(pattern.pattern, bytes)
        self.tree = _parser.parse(pattern.pattern, pattern.flags)  # type: ignore[arg-type]
        self.alphabet = set(range(256)) if self.bytes else set(range(128)) | {ord(c) for c in _SAMPLES}
        self.alphabet |= {c for c in _literals(self.tree) if not self.bytes or c < 256}
        self.problems: set[str] = set()
        items = list(self.tree)
        self.anchored = bool(items) and items[0] == (C.AT, C.AT_BEGINNING_STRING)
        # The last item of the pattern: once it has matched, nothing after it can fail.
        last = items[-1] if items else None
        while last is not None and last[0] is C.SUBPATTERN and last[1][-1]:  # type: ignore[index]
            last = last[1][-1][-1]  # type: ignore[index]
        self.final = last[1] if last is not None and last[0] in _REPEATS else None

    def chars(self, op: object, av: object) -> frozenset[int]:
        """The characters of the alphabet one single-character item matches (cached: ~300 patterns)."""
        key = (op, repr(av), self.flags, self.bytes, frozenset(self.alphabet))
        if key not in _CHARS:
            _CHARS[key] = frozenset(ch for ch in self.alphabet if self._accepts(op, av, ch))
        return _CHARS[key]

    def _accepts(self, op: object, av: object, ch: int) -> bool:
        if op is C.ANY:
            return ch != 10 or bool(self.flags & re.DOTALL)
        if op is C.LITERAL or op is C.NOT_LITERAL:
            return (av in self._variants(ch)) != (op is C.NOT_LITERAL)
        negate = hit = False
        for sub_op, sub_av in av:  # type: ignore[attr-defined]
            if sub_op is C.NEGATE:
                negate = True
            elif sub_op is C.LITERAL:
                hit |= sub_av in self._variants(ch)
            elif sub_op is C.RANGE:
                hit |= any(sub_av[0] <= v <= sub_av[1] for v in self._variants(ch))
            elif sub_op is C.CATEGORY:
                cat = _CATEGORIES[sub_av]
                text: str | bytes = chr(ch)
                if self.bytes:
                    cat, text = cat.encode(), bytes([ch])
                hit |= re.match(cat, text, self.flags & re.ASCII) is not None  # type: ignore[call-overload]
            else:  # a member this checker does not know: assume it matches anything
                hit = True
        return hit != negate

    def _variants(self, ch: int) -> set[int]:
        if not self.flags & re.IGNORECASE:
            return {ch}
        c = chr(ch)
        return {ord(v) for v in (c, c.lower(), c.upper()) if len(v) == 1}

    def unit(self, op: object, av: object) -> _Unit:
        """Summarise one parse-tree item, recording the problems found inside it."""
        if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
            chars = self.chars(op, av)
            return _Unit(1, 1, chars=chars, first=chars)
        if op in (C.GROUPREF, C.GROUPREF_IGNORE, C.GROUPREF_LOC_IGNORE, C.GROUPREF_UNI_IGNORE):
            self.problems.add("backreference")
            return _EMPTY
        if op is C.SUBPATTERN:
            return self.sequence(av[-1])  # type: ignore[index]
        if op is C.ATOMIC_GROUP:
            return _fixed(self.sequence(av))  # type: ignore[arg-type]
        if op is C.BRANCH:
            return self.branch(av[1])  # type: ignore[index]
        if op is C.GROUPREF_EXISTS:  # (?(1)yes|no): not a backreference, a choice made once
            return self.branch([b for b in av[1:] if b is not None])  # type: ignore[index]
        if op in _REPEATS:
            low, high, body = av  # type: ignore[misc]
            inner = self.sequence(body)
            if high > LINE and 10 in inner.chars and not self.anchored and av is not self.final:
                self.problems.add("repetition longer than a line, searched from every position")
            return self.repeat(low, high, inner, possessive=op is C.POSSESSIVE_REPEAT)
        if op in (C.ASSERT, C.ASSERT_NOT):
            self.sequence(av[1])  # type: ignore[index]  # checked for problems; consumes nothing
        return _EMPTY  # anchors (AT) and lookarounds

    def sequence(self, items: list[tuple[object, object]]) -> _Unit:
        """Summarise a sequence; rule 3 and the ambiguity of rule 2 are judged at each seam."""
        units = [self.unit(op, av) for op, av in items]
        ambiguous = any(u.ambiguous for u in units)
        for i, a in enumerate(units):
            if _slides_into(a.tail_wide, units[i + 1 :], wide=True):
                self.problems.add("adjacent wide repetitions over overlapping characters")
            ambiguous |= _slides_into(a.tail_var, units[i + 1 :], wide=False)
        head, tail = _prefix(units), _prefix(units[::-1])
        return _Unit(
            sum(u.low for u in units),
            min(C.MAXREPEAT, sum(u.high for u in units)),
            chars=_union(u.chars for u in units),
            first=_union(u.first for u in head),
            tail_var=_union(u.tail_var for u in tail),
            head_var=_union(u.head_var for u in head),
            head_wide=_union(u.head_wide for u in head),
            tail_wide=_union(u.tail_wide for u in tail),
            ambiguous=ambiguous,
        )

    def branch(self, alternatives: list[list[tuple[object, object]]]) -> _Unit:
        """Summarise an alternation: ambiguous when two alternatives may start alike."""
        units = [self.sequence(a) for a in alternatives]
        low, high = min(u.low for u in units), max(u.high for u in units)
        chars = _union(u.chars for u in units)
        words = [self.word(a) for a in alternatives]
        starts_alike = any(
            units[i].first & units[j].first and not _distinct(words[i], words[j])
            for i in range(len(units))
            for j in range(i + 1, len(units))
        )
        return _Unit(
            low,
            high,
            chars=chars,
            first=_union(u.first for u in units),
            tail_var=_union(u.tail_var for u in units) | (chars if low != high else _NONE),
            head_var=_union(u.head_var for u in units) | (chars if low != high else _NONE),
            head_wide=_union(u.head_wide for u in units),
            tail_wide=_union(u.tail_wide for u in units),
            ambiguous=starts_alike or any(u.ambiguous for u in units),
        )

    def word(self, items: list[tuple[object, object]]) -> str | None:
        """An alternative made of literal characters only, as a string (lower case under IGNORECASE)."""
        opened = _opened(items)
        if not all(op is C.LITERAL for op, _ in opened):
            return None
        word = "".join(chr(av) for _, av in opened)  # type: ignore[arg-type]
        return word.lower() if self.flags & re.IGNORECASE else word

    def repeat(self, low: int, high: int, body: _Unit, *, possessive: bool) -> _Unit:
        """Summarise a repetition; rule 2 is judged here, where iterations meet."""
        if high > 1 and (body.ambiguous or body.tail_var & body.first):
            self.problems.add("ambiguous repetition (nested quantifiers)")
        unit = replace(
            body,
            low=low * body.low,
            high=min(C.MAXREPEAT, high * body.high),
            ambiguous=body.ambiguous and high > 0,
        )
        if possessive:
            return _fixed(unit)
        # One iteration more or fewer moves the end by a whole iteration, which starts with body.first.
        if low != high:
            unit = replace(unit, tail_var=unit.tail_var | body.first, head_var=unit.head_var | body.first)
        if high > WIDE:
            unit = replace(unit, head_wide=unit.head_wide | body.first, tail_wide=unit.tail_wide | body.first)
        return unit


def _fixed(unit: _Unit) -> _Unit:
    """A part the engine never backtracks into: nothing variable or wide shows outside it."""
    return replace(unit, tail_var=_NONE, head_var=_NONE, head_wide=_NONE, tail_wide=_NONE, ambiguous=False)


def _slides_into(chars: frozenset[int], following: list[_Unit], *, wide: bool) -> bool:
    """Whether an end that can move over `chars` may meet another movable (or wide) start.

    The end slides past items that may be empty and past items it could itself take (`.{0,300}`
    slides through the ` x ` of `.{0,300} x .{0,300}`); it stops at the first it cannot take.
    """
    if not chars:
        return False
    for b in following:
        if (b.head_wide if wide else b.head_var) & chars:
            return True
        if b.low and not b.first & chars:
            return False
    return False


def _opened(items: list[tuple[object, object]]) -> list[tuple[object, object]]:
    """A sequence with its plain groups opened."""
    out: list[tuple[object, object]] = []
    for op, av in items:
        out.extend(_opened(av[-1]) if op is C.SUBPATTERN else [(op, av)])  # type: ignore[index]
    return out


def _distinct(a: str | None, b: str | None) -> bool:
    """Two literal words neither of which begins the other: at one place, at most one matches."""
    return a is not None and b is not None and not a.startswith(b) and not b.startswith(a)


def _prefix(units: list[_Unit]) -> list[_Unit]:
    """The units up to and including the first one that cannot be empty."""
    for i, u in enumerate(units):
        if u.low:
            return units[: i + 1]
    return units


def _literals(items: object) -> set[int]:
    """Every literal code point in a parse tree (so the alphabet holds the pattern's own characters)."""
    found: set[int] = set()
    stack = [items]
    while stack:
        node = stack.pop()
        if isinstance(node, tuple) and len(node) == 2 and (node[0] is C.LITERAL or node[0] is C.NOT_LITERAL):
            found.add(node[1])  # type: ignore[arg-type]
        elif isinstance(node, (list, tuple, _parser.SubPattern)):
            stack.extend(node)
    return found


def problems(pattern: re.Pattern[str] | re.Pattern[bytes]) -> list[str]:
    """The super-linear shapes found in a compiled pattern (empty when it is linear-time)."""
    checker = _Checker(pattern)
    checker.sequence(list(checker.tree))
    return sorted(checker.problems)
