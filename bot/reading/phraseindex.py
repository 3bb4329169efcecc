"""One scan of a text finds which of many phrases may occur in it: phrases keyed by how they begin.

The classifier weighs ~60 phrase records (~1,170 phrases) per diagnostic and looks for ~14
providers' marker words; trying each phrase in turn was most of its time. Written by hand: an
Aho-Corasick automaton in pure Python costs more per character than the few substring tests
that the keys leave, and a regular-expression alternation of every phrase would find only one
match per position (phrases overlap).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from bot.reading import retree
from bot.reading.lazyre import lazy, source_of
from bot.reading.phrases import Phrase, PhraseSet


def best_of(hits: list[tuple[int, Phrase, int]]) -> tuple[Phrase, int]:
    """Of a set's phrases found in a text (PhraseIndex.found), the one naming the most words (the first of equals)."""
    _n, phrase, at = max(hits, key=lambda hit: hit[1].words)  # max keeps the first of equals
    return phrase, at


_STEM = 3  # a phrase whose first word may run on is indexed by this many of its first letters
_WORD = lazy(r"[0-9A-Za-z]+")  # a run of the characters _word_char accepts


class PhraseIndex:
    """The phrases of many sets keyed by how they begin, so one scan of a text finds the few that may occur.

    A phrase that begins with a letter or digit can only be found where a word of the text begins
    with its first word (phrases begin words, see Phrase.find): a word equal to it when the phrase
    goes on after it ("user unknown"), else one with the same first letters (a stem); any other
    phrase only where its first character occurs. A regular expression is keyed the same way by
    the literal it begins with (after ``\\b`` for a word), else by the literals one of which
    each of its matches holds (bot.reading.retree), else always tried. The candidates are
    then matched exactly as Phrase.find does, so the answers are those of trying every phrase.
    """

    def __init__(self, sets: Iterable[PhraseSet]) -> None:
        """Index every phrase of the sets, numbered by set and by place in its set."""
        self._exact: dict[str, list[_Entry]] = {}
        self._stems: dict[str, list[_Entry]] = {}
        self._chars: dict[str, list[_Entry]] = {}
        self._always: list[_Entry] = []
        self._gated: list[tuple[tuple[str, ...], _Entry]] = []  # tried where one of its literals is
        for s, phrases in enumerate(sets):
            for n, phrase in enumerate(phrases):
                word, char, literal = _lead(phrase)
                plain = literal or None
                entry = (s, n, phrase, plain)
                if word and len(literal) > len(word):
                    # "user unknown": a text word equal to "user" must be there (the space ends it).
                    self._exact.setdefault(word, []).append(entry)
                elif len(word) >= _STEM:
                    # "authenticat" runs on into "authentication": a text word that begins so.
                    self._stems.setdefault(word[:_STEM], []).append(entry)
                elif char:
                    self._chars.setdefault(char, []).append(entry)
                elif needles := _needles(phrase):
                    # r"\b(?:user|mailbox) [^ ]{1,255} does not exist": only where " does not exist" is.
                    self._gated.append((needles, entry))
                else:
                    self._always.append(entry)  # also a stem shorter than _STEM (none in the data)
        self._exact_keys = frozenset(self._exact)
        self._stem_keys = frozenset(self._stems)
        self._firsts = frozenset(self._chars)

    def found(self, folded: str) -> dict[int, list[tuple[int, Phrase, int]]]:
        """Per set number, the phrases found in a folded text: (place in its set, phrase, where it starts), in order."""
        words, heads = _words(folded)
        candidates = [*self._always]
        for needles, entry in self._gated:
            for needle in needles:
                if needle in folded:
                    candidates.append(entry)
                    break
        for key in self._exact_keys.intersection(words):
            candidates += self._exact[key]
        for key in self._stem_keys.intersection(heads):
            candidates += self._stems[key]
        for ch in self._firsts.intersection(folded):
            candidates += self._chars[ch]
        out: dict[int, list[tuple[int, Phrase, int]]] = {}
        for s, n, phrase, plain in candidates:
            if plain is not None and plain not in folded:
                continue  # most candidates: one substring test, no method call
            at = phrase.find(folded)
            if at >= 0:
                out.setdefault(s, []).append((n, phrase, at))
        for hits in out.values():
            hits.sort(key=lambda hit: hit[0])
        return out


@functools.lru_cache(maxsize=4)
def _words(folded: str) -> tuple[frozenset[str], frozenset[str]]:
    """The words of a text and their first _STEM letters (kept for the last few: two indexes read each text).

    Whole words serve the phrases whose first word ends inside the phrase: one set intersection,
    where keying every phrase by its first letters made each text's word prefixes of every length.
    """
    words = frozenset(_WORD.findall(folded))
    return words, frozenset([w[:_STEM] for w in words])


def _needles(phrase: Phrase) -> tuple[str, ...]:
    """For a regular expression without a leading literal: literals one of which each match holds."""
    return () if phrase.regex is None else retree.required_cased(*source_of(phrase.regex))


_Entry = tuple[int, int, Phrase, str | None]  # set number, place in the set, phrase, a text it must hold


def _lead(phrase: Phrase) -> tuple[str, str, str]:
    """How a phrase must begin: the word a text's word begins with, else the first character ("" if
    neither); and a text it must hold (its first piece, a regex's leading literal; "" if none)."""
    if phrase.regex is None:
        first = phrase.pieces[0]
        lead = _WORD.match(first)
        return (lead.group(), "", first) if lead else ("", first[0], first)
    at_word, literal = retree.leading(*source_of(phrase.regex))
    word = _WORD.match(literal)
    if at_word and word:
        return word.group(), "", literal
    return "", literal[:1], literal
