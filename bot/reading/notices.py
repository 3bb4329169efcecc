"""The reader's word lists that are not reasons (knowledge/reading.toml): delay warnings and masked names.

A delay warning ("This is just a warning", 「配信が遅れています」) reports recipients that have not
failed yet: the sending server keeps retrying. Product names that hold a cause's words ("Spam &
Virus Firewall") are blanked before a diagnostic's words are weighed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from bot.models import Message
from bot.reading.datafiles import load_table
from bot.reading.phrases import PhraseSet, compile_phrases, fold

_HEAD_CHARS = 20_000  # a warning says so near its top; a long quoted original is not read for it


@dataclass(frozen=True, slots=True)
class _Lists:
    """The phrase lists that tell a delay warning from a bounce, and the texts masked before reading."""

    warning_subjects: PhraseSet
    warning_words: PhraseSet
    not_warning: PhraseSet
    masks: tuple[str, ...]


@cache
def _lists() -> _Lists:
    table = load_table("reading")
    return _Lists(
        warning_subjects=compile_phrases(table["warning"]["subjects"]),
        warning_words=compile_phrases(table["warning"]["phrases"]),
        not_warning=compile_phrases(table["warning"]["unless"]),
        masks=tuple(fold(n) for n in table["masks"]["names"]),
    )


def is_warning(msg: Message) -> bool:
    """The report says delivery is only delayed and still being retried (its subject or its words)."""
    lists = _lists()
    head = fold(msg.text[:_HEAD_CHARS])
    if lists.not_warning.first_found(head) is not None:
        return False
    if msg.subject and lists.warning_subjects.first_found(fold(msg.subject)) is not None:
        return True
    return lists.warning_words.first_found(head) is not None


def masked(folded: str) -> str:
    """A folded diagnostic with product names that hold a cause's words blanked out."""
    for name in _lists().masks:
        if name in folded:
            folded = folded.replace(name, " " * len(name))
    return folded
