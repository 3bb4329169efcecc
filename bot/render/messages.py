"""UI words and one-line error explanations per language, read from knowledge/messages.toml."""

from __future__ import annotations

from collections.abc import Mapping

from bot.reading.datafiles import load_table
from bot.vocab import Lang, Responsible


def _table() -> Mapping[str, Mapping[str, str]]:
    return load_table("messages")


def message(key: str, lang: Lang, **fields: object) -> str:
    """The text of `key` in `lang` (English when that language lacks it), with {fields} filled in."""
    entry = _table()[key]  # KeyError for an unknown key: a programming error, not bad input
    text = entry.get(str(lang)) or entry["en"]
    return text.format_map(fields)


def has_message(key: str) -> bool:
    """True when knowledge/messages.toml words this key."""
    return key in _table()


def responsible_label(responsible: Responsible, lang: Lang) -> str:
    """The responsible side's name as a person reads it."""
    return message(f"responsible-{responsible}", lang)


def error_text(error_id: str, lang: Lang, **fields: object) -> str:
    """An error id's one-line explanation; fields a text needs but the caller lacks show as '?'."""
    entry = _table().get(error_id) or _table()["internal-error"]
    text = entry.get(str(lang)) or entry["en"]
    return text.format_map(_Defaulting(fields))


class _Defaulting(dict):
    """Fills placeholders the caller did not pass, so an error line never raises."""

    def __missing__(self, key: str) -> str:
        return "?"
