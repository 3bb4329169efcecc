"""Test helpers: the main recipient of a text's pure diagnosis (bot.diagnose.analyse, no DNS)."""

from __future__ import annotations

from bot.diagnose import analyse
from bot.models import RecipientResult
from bot.vocab import Reason, Responsible


def main_result(text: str) -> RecipientResult:
    """The main recipient of a text read as a bounce (the test fails when there is none)."""
    d = analyse(text)
    assert d.main is not None, d.error
    return d.main


def main_verdict(text: str) -> tuple[Reason, Responsible]:
    """(reason, responsible) of a text's main recipient."""
    main = main_result(text)
    return main.reason, main.responsible
