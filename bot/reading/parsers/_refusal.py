"""Words that mark a pasted line as a mail server's refusal, read from the knowledge (for the scanner).

knowledge/phrases.toml [server_reply] lists words only a refusing server writes ("Sender address
rejected:", "RESOLVER.ADR."): a line with them is a refusal even without a code or an address.
An SMTP reply line is one too when it has words the classifier's specific tier knows ("550
Invalid Recipient"), so "Price: 550 yen" stays a price. Failure words (knowledge/reading.toml
[failure], plus every specific phrase of several words) say that a paste reports a failed
delivery at all.
"""

from __future__ import annotations

from functools import cache

from bot.reading.datafiles import load_table
from bot.reading.knowledge import knowledge
from bot.reading.phrases import PhraseSet, compile_phrases, fold


@cache
def _server_words() -> PhraseSet:
    return compile_phrases(load_table("phrases")["server_reply"]["phrases"])


@cache
def _cause_words() -> tuple[PhraseSet, ...]:
    return tuple(r.phrases for r in knowledge().rules.phrases if r.tier == "specific")


@cache
def _failure_words() -> PhraseSet:
    # A one-word phrase ("malicious", "spam") is too common in ordinary text to say "bounce" alone.
    listed = compile_phrases(load_table("reading")["failure"]["phrases"])
    return PhraseSet((*listed, *(p for words in _cause_words() for p in words if p.words > 1)))


def says_failure(text: str) -> bool:
    """True when the text has words that report a failed delivery or name a cause of one."""
    return _failure_words().first_found(fold(text)) is not None


def server_said(text: str) -> bool:
    """True when the text has words only a refusing mail server writes."""
    return _server_words().first_found(fold(text)) is not None


def names_a_cause(text: str) -> bool:
    """True when the text has words that name a cause (the classifier's specific phrases)."""
    folded = fold(text)
    return any(words.first_found(folded) is not None for words in _cause_words())
