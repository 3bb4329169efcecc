"""Phrase matching: the data's phrases compiled once, matched against a folded diagnostic.

A phrase in knowledge/*.toml is one of three shapes:

- a string: found anywhere in the folded text (``"user unknown"``);
- a list of strings: every piece found, in that order, each after the previous one
  (``["domain ", " mismatches client ip"]``) — what a regular expression ``a.*b`` would say,
  without the backtracking;
- an inline table ``{re = "..."}``: a regular expression for the few phrases that need one.
  Each is checked at load to be linear-time: no unbounded repetition, no repetition inside
  another repetition, no backreference.

Text and phrases are folded the same way (NFKC, case-folded, whitespace runs to one space), so
full-width Japanese digits and letters, upper case and line breaks never matter.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from bot.models import pickled_by_fields
from bot.reading.lazyre import LazyPattern, lazy

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (bot/__init__.py)
if TYPE_CHECKING:
    from bot.reading.phraseindex import PhraseIndex

try:  # the parser of the re module, to prove patterns linear-time (private, stable since 3.11)
    from re import _constants as _sre_constants
    from re import _parser as _sre_parser
except ImportError:  # pragma: no cover - older layouts
    import sre_constants as _sre_constants  # type: ignore[no-redef]
    import sre_parse as _sre_parser  # type: ignore[no-redef]

MAX_REPEAT = 300  # the largest bound a data regex may put on a repetition


class PhraseError(ValueError):
    """A phrase in the data that cannot be used: wrong shape, bad or unsafe regular expression."""


def fold(text: str) -> str:
    """The comparable form of a text: NFKC, case-folded, whitespace folded to single spaces."""
    # str.split() splits on exactly the characters \s matches: one C pass, no expression.
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Phrase:
    """One compiled phrase: ordered pieces to find, or a compiled regular expression."""

    source: str  # the phrase as written, for rule names and error messages
    pieces: tuple[str, ...] = ()
    regex: LazyPattern | None = None

    def found_in(self, folded: str) -> bool:
        """True when the phrase occurs in an already folded text."""
        return self.find(folded) >= 0

    def find(self, folded: str) -> int:
        """Where the phrase starts in an already folded text, or -1.

        A phrase that begins with a letter or digit must begin a word: "virus" is not found in
        "antivirus", "spam" not in "nospam". Its end may run on, since the data writes stems
        ("authenticat", "relay" for "relaying"); a phrase that must end a word ends with a space.
        ASCII words only: Japanese has no spaces between words.
        """
        if self.regex is not None:
            m = self.regex.search(folded)
            return -1 if m is None else m.start()
        first = self.pieces[0]
        start = folded.find(first)
        while start >= 0:
            if _starts_word(folded, start, first):
                return start if _ordered_end(folded, self.pieces, start) >= 0 else -1
            start = folded.find(first, start + 1)
        return -1

    @property
    def words(self) -> int:
        """How many words the phrase names: a phrase of several words says more than one word."""
        return max(1, len(self.source.split())) if self.regex is not None else sum(len(p.split()) for p in self.pieces)


def _word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _starts_word(folded: str, at: int, piece: str) -> bool:
    return at == 0 or not _word_char(piece[0]) or not _word_char(folded[at - 1])


def _ordered_end(folded: str, pieces: tuple[str, ...], start: int) -> int:
    """The end of the last piece when every piece follows the one before from `start`, else -1."""
    at = start + len(pieces[0])
    for piece in pieces[1:]:
        at = folded.find(piece, at)
        if at < 0:
            return -1
        at += len(piece)
    return at


def compile_phrase(raw: object) -> Phrase:
    """Compile one phrase of the data (string, list of strings, or {re = ...}); PhraseError if unusable."""
    if isinstance(raw, str):
        piece = fold(raw)
        if not piece:
            raise PhraseError("empty phrase")
        return Phrase(source=raw, pieces=(piece,))
    if isinstance(raw, list):
        pieces = tuple(fold(p) if isinstance(p, str) else "" for p in raw)
        if not pieces or not all(pieces):
            raise PhraseError(f"ordered phrase needs non-empty strings: {raw!r}")
        return Phrase(source=" … ".join(pieces), pieces=pieces)
    if isinstance(raw, dict) and set(raw) == {"re"} and isinstance(raw["re"], str):
        pattern = raw["re"]
        check_linear(pattern)
        try:
            re.compile(pattern)
        except re.error as exc:
            raise PhraseError(f"bad regular expression {pattern!r}: {exc}") from exc
        # Kept lazy: the knowledge cache then loads without compiling every data expression.
        return Phrase(source=pattern, regex=lazy(pattern))
    raise PhraseError(f"a phrase is a string, a list of strings or {{re = ...}}: {raw!r}")


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class PhraseSet:
    """Phrases tried in order (a rule's list): the first one found in a folded text decides."""

    phrases: tuple[Phrase, ...] = ()
    # (its one piece when a plain string else None, the phrase): the classifier asks ~40 sets per
    # failure, and an `in` test without a method call per phrase halves that cost.
    _steps: tuple[tuple[str | None, Phrase], ...] = field(init=False, repr=False, compare=False)
    # Built on first use for a long list (over INDEX_OVER phrases): which phrases may occur in a text.
    _index: list[PhraseIndex] = field(default_factory=list, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        steps = tuple(
            (p.pieces[0] if p.regex is None and len(p.pieces) == 1 else None, p) for p in self.phrases
        )
        object.__setattr__(self, "_steps", steps)

    def __iter__(self) -> Iterator[Phrase]:
        return iter(self.phrases)

    def __len__(self) -> int:
        return len(self.phrases)

    def first_found(self, folded: str) -> Phrase | None:
        """The first phrase found in an already folded text, or None."""
        found = self.first_at(folded)
        return None if found is None else found[0]

    def first_at(self, folded: str) -> tuple[Phrase, int] | None:
        """The first phrase found in an already folded text and where it starts, or None."""
        if len(self.phrases) > INDEX_OVER:
            hits = self.index().found(folded).get(0)
            return None if hits is None else (hits[0][1], hits[0][2])
        for plain, phrase in self._steps:
            if plain is not None and plain not in folded:
                continue  # the common case: one substring test, no method call
            at = phrase.find(folded)
            if at >= 0:
                return phrase, at
        return None

    def index(self) -> PhraseIndex:
        """This list's phrases indexed by how they begin (built once)."""
        if not self._index:
            from bot.reading.phraseindex import PhraseIndex  # here: the index module reads this one

            self._index.append(PhraseIndex((self,)))
        return self._index[0]


INDEX_OVER = 16  # phrases: a longer list is indexed (bot.reading.phraseindex) instead of tried one by one


def compile_phrases(raws: Iterable[object]) -> PhraseSet:
    """Compile a list of phrases."""
    return PhraseSet(tuple(compile_phrase(r) for r in raws))


def first_found(phrases: PhraseSet | Iterable[Phrase], folded: str) -> Phrase | None:
    """The first phrase found in a folded text, or None."""
    if isinstance(phrases, PhraseSet):
        return phrases.first_found(folded)
    for phrase in phrases:
        if phrase.found_in(folded):
            return phrase
    return None


def check_linear(pattern: str) -> None:
    """Raise PhraseError unless a pattern is linear-time: bounded, unnested repetition, no backreference."""
    try:
        tree = _sre_parser.parse(pattern)
    except re.error as exc:
        raise PhraseError(f"bad regular expression {pattern!r}: {exc}") from exc
    _walk(tree, pattern, in_repeat=False)


def _walk(items: Iterable[tuple[object, object]], pattern: str, *, in_repeat: bool) -> None:
    c = _sre_constants
    for op, arg in items:
        if op in (c.GROUPREF, c.GROUPREF_EXISTS):
            raise PhraseError(f"backreference in {pattern!r}")
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
            _low, high, body = arg  # type: ignore[misc]
            if high == c.MAXREPEAT or high > MAX_REPEAT:
                raise PhraseError(f"unbounded repetition in {pattern!r}: write {{0,{MAX_REPEAT}}} at most")
            if in_repeat:
                raise PhraseError(f"nested repetition in {pattern!r}")
            _walk(body, pattern, in_repeat=True)
        elif op == c.SUBPATTERN:
            _walk(arg[-1], pattern, in_repeat=in_repeat)  # type: ignore[index]
        elif op == c.BRANCH:
            for branch in arg[1]:  # type: ignore[index]
                _walk(branch, pattern, in_repeat=in_repeat)
        elif op in (c.ASSERT, c.ASSERT_NOT):
            _walk(arg[1], pattern, in_repeat=in_repeat)  # type: ignore[index]
        elif op == getattr(c, "ATOMIC_GROUP", None):
            _walk(arg, pattern, in_repeat=in_repeat)  # type: ignore[arg-type]
