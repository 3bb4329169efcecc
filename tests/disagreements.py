"""Deliberate disagreements with the corpus labels, from knowledge/disagreements.toml, matched by condition."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.reading.datafiles import load_table


@dataclass(frozen=True, slots=True)
class Disagreement:
    """One recorded disagreement: the field that differs and, for a status, the two values."""

    id: str
    field: str
    why: str
    ours: str = ""
    theirs: str = ""


def disagreements() -> list[Disagreement]:
    """Every recorded disagreement."""
    return [Disagreement(**row) for row in load_table("disagreements")["disagreement"]]


def status_disagreement(ours: str | None, theirs: str) -> Disagreement | None:
    """The record that covers our status differing from the label's, if any."""
    return next((d for d in disagreements() if d.field == "status" and (d.ours, d.theirs) == (ours, theirs)), None)


def recorded(field: str) -> Disagreement | None:
    """The record for a kind of difference that has no values (an empty paste, a recipient count)."""
    return next((d for d in disagreements() if d.field == field), None)


def statuses_covered(failures: Sequence[Any], labels: Sequence[dict[str, str]]) -> set[str]:
    """Assert each real labelled status is ours or covered by a record; the records that covered one."""
    used: set[str] = set()
    for failure, label in zip(failures, labels, strict=True):
        status = label["status"]
        if status and ".0.9" not in status and failure.status != status:  # X.0.9NN: Sisimai's own pseudo codes
            covered = status_disagreement(failure.status, status)
            assert covered is not None, (failure.status, status)
            used.add(covered.id)
    return used
