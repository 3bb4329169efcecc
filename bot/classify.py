"""Placeholder until the classifier lands: every failure is 'undefined'."""

from __future__ import annotations

from bot.models import Bounce, Failure, Verdict
from bot.vocab import Reason


def classify(failure: Failure, bounce: Bounce) -> Verdict:
    """The reason and cause id for one failure."""
    return Verdict(reason=failure.reason_hint or Reason.UNDEFINED, cause_id="undefined", rule="stub")
