"""The Slack app's own words and markers, read from knowledge/slack_messages.toml."""

from __future__ import annotations

from functools import cache

from bot.reading.datafiles import load_table
from bot.vocab import Lang, Responsible, Severity

TABLE = "slack_messages"
_NOT_WORDS = ("marker", "severity", "help_words")


def word(key: str, lang: Lang, **fields: object) -> str:
    """The text of `key` in `lang`, with {fields} filled in (KeyError for an unknown key)."""
    return load_table(TABLE)[key][str(lang)].format_map(fields)


def marker(responsible: Responsible | None) -> str:
    """The emoji that marks a responsible side."""
    return load_table(TABLE)["marker"][str(responsible or Responsible.UNKNOWN)]


def severity_marker(severity: Severity) -> str:
    """The emoji that marks a DNS problem's severity."""
    return load_table(TABLE)["severity"][str(severity)]


@cache
def help_words() -> frozenset[str]:
    """What asks for the usage when typed alone, lower-cased."""
    return frozenset(w.lower() for w in load_table(TABLE)["help_words"]["words"])


def text_keys() -> tuple[str, ...]:
    """Every key that holds words (not markers): each must have ja and en."""
    return tuple(k for k in load_table(TABLE) if k not in _NOT_WORDS)
