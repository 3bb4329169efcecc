"""Spelling variants of a domain as a Japanese desk's users mistype it, from knowledge/spelling.toml.

Pure: the variants are only guesses; bot.dnscheck.suggest keeps those the DNS says exist and
accept mail. Written by hand because no library knows romanisation mix-ups (shi/si, sho/syo, ou/o).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from bot.reading.datafiles import load_table


@dataclass(frozen=True, slots=True)
class Spelling:
    """knowledge/spelling.toml, parsed."""

    max_candidates: int
    keep: int
    romanisation: tuple[tuple[str, ...], ...]
    hyphen_words: tuple[str, ...]
    suffixes: tuple[str, ...]
    typo_limit: int
    neighbours: dict[str, str]


@cache
def spelling() -> Spelling:
    """The table, loaded once."""
    data = load_table("spelling")
    rows = tuple(tuple(str(x).lower() for x in row) for row in data["romanisation"])
    neighbours: dict[str, str] = {}
    for row in data["keyboard"]:
        for i, key in enumerate(row):
            neighbours[key] = row[max(0, i - 1) : i] + row[i + 1 : i + 2]
    return Spelling(
        max_candidates=int(data["max_candidates"]),
        keep=int(data["keep"]),
        romanisation=rows,
        hyphen_words=tuple(str(w).lower() for w in data["hyphen_words"]),
        # Longest first, so "co.jp" is replaced as a whole, not as "jp".
        suffixes=tuple(sorted((str(s).lower() for s in data["suffixes"]), key=len, reverse=True)),
        typo_limit=int(data["typo_limit"]),
        neighbours=neighbours,
    )


def split_suffix(name: str) -> tuple[str, str]:
    """(stem, suffix) of an A-label name: the longest known suffix, else the last label."""
    for suffix in spelling().suffixes:
        if name.endswith("." + suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix) - 1], suffix
    stem, _, last = name.rpartition(".")
    return stem, last


def variants(name: str) -> tuple[str, ...]:
    """Names the writer may have meant by `name`, most likely kind first, without `name` itself."""
    table = spelling()
    stem, suffix = split_suffix(name.lower())
    if not stem:
        return ()
    seen: dict[str, None] = {}
    for candidate in _all(stem, suffix, table):
        if candidate != name and _plausible(candidate):
            seen.setdefault(candidate, None)
    return tuple(seen)


def _all(stem: str, suffix: str, table: Spelling) -> Iterator[str]:
    for variant in _romanised(stem, table.romanisation):
        yield f"{variant}.{suffix}"
    for variant in _hyphens(stem, table.hyphen_words):
        yield f"{variant}.{suffix}"
    for other in table.suffixes:
        if other != suffix:
            yield f"{stem}.{other}"
    for n, variant in enumerate(_typos(stem, table.neighbours)):
        if n >= table.typo_limit:
            break
        yield f"{variant}.{suffix}"


def _romanised(stem: str, rows: tuple[tuple[str, ...], ...]) -> Iterator[str]:
    """One spelling replaced by another of its row, one occurrence at a time."""
    for row in rows:
        for spelled in row:
            start = stem.find(spelled)
            while start >= 0:
                for other in row:
                    if other != spelled:
                        yield stem[:start] + other + stem[start + len(spelled) :]
                start = stem.find(spelled, start + 1)


def _hyphens(stem: str, words: tuple[str, ...]) -> Iterator[str]:
    """Each hyphen dropped; a hyphen added before a known word that follows a letter directly."""
    for i, char in enumerate(stem):
        if char == "-":
            yield stem[:i] + stem[i + 1 :]
    for word in words:
        start = stem.find(word, 1)
        while start > 0:
            if stem[start - 1] not in "-.":
                yield stem[:start] + "-" + stem[start:]
            start = stem.find(word, start + 1)


def _typos(stem: str, neighbours: dict[str, str]) -> Iterator[str]:
    """Two neighbours swapped, a doubled key once, a key replaced by its neighbour."""
    for i in range(len(stem) - 1):
        if stem[i] != stem[i + 1] and stem[i].isalnum() and stem[i + 1].isalnum():
            yield stem[:i] + stem[i + 1] + stem[i] + stem[i + 2 :]
    for i in range(len(stem) - 1):
        if stem[i] == stem[i + 1]:
            yield stem[:i] + stem[i + 1 :]
    for i, char in enumerate(stem):
        for other in neighbours.get(char, ""):
            yield stem[:i] + other + stem[i + 1 :]


def _plausible(name: str) -> bool:
    """A name the DNS could hold: no empty label, no hyphen at a label's end."""
    return all(label and label[0] != "-" and label[-1] != "-" for label in name.split("."))
