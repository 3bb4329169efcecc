"""UI words and error one-liners (bot.render.messages, knowledge/messages.toml)."""

from __future__ import annotations

import string

import pytest

from bot import errors
from bot.diagnose import NOT_A_BOUNCE
from bot.reading.knowledge import load_table
from bot.render.messages import error_text, has_message, message, responsible_label
from bot.vocab import Lang, Responsible

TABLE = load_table("messages")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _error_ids() -> set[str]:
    """The ids of every InputError subclass in bot.errors."""
    ids = set()
    for obj in vars(errors).values():
        if isinstance(obj, type) and issubclass(obj, errors.InputError) and obj is not errors.InputError:
            try:
                ids.add(obj().error_id)
            except TypeError:
                ids.add(obj("x").error_id)
    return ids


@pytest.mark.parametrize("key", sorted(k for k in TABLE if not isinstance(TABLE[k].get("ja"), list)))
def test_every_key_in_both_languages_with_the_same_fields(key: str) -> None:
    """Each entry has ja and en texts naming the same {fields}."""
    entry = TABLE[key]
    assert entry.get("ja") and entry.get("en")
    assert _fields(entry["ja"]) == _fields(entry["en"])


def test_every_input_error_and_not_a_bounce_is_worded() -> None:
    """Every InputError id, and not-a-bounce, has a one-line explanation."""
    for error_id in (*_error_ids(), NOT_A_BOUNCE, "unreadable-input", "no-such-path", "internal-error"):
        assert has_message(error_id), error_id
        for lang in Lang:
            assert "\n" not in error_text(error_id, lang)


def test_every_responsible_side_has_a_name() -> None:
    """Each responsible side is named in both languages."""
    for side in Responsible:
        assert responsible_label(side, Lang.JA) != responsible_label(side, Lang.EN)


def test_fields_are_filled_and_missing_ones_never_raise() -> None:
    """message() fills fields; error_text() shows '?' for a field the caller lacks."""
    assert "example..jp" in message("invalid-domain", Lang.EN, name="example..jp")
    assert "?" in error_text("invalid-domain", Lang.JA)
    assert error_text("no-such-id", Lang.EN) == error_text("internal-error", Lang.EN)
