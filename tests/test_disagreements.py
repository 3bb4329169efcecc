"""Every recorded disagreement with the reference labels is still needed, and says why."""

from __future__ import annotations

import pytest
import test_parsers_mta as mta
import test_parsers_providers as providers
from disagreements import disagreements

from benchmarks.corpus import available, samples
from bot.reading.analyse import read_bounce, verdicts


def test_each_disagreement_says_what_and_why() -> None:
    """A record names the field that differs, the values for a status, and a reason a desk can read."""
    for d in disagreements():
        assert d.field in ("status", "reason", "empty", "count"), d.id
        assert len(d.why) > 60, d.id
        assert (d.field in ("status", "reason")) == bool(d.ours and d.theirs), d.id


@pytest.mark.skipif(not available(), reason="shared corpus not found")
def test_each_disagreement_is_still_needed() -> None:
    """Across the corpus checks, every record covers at least one real difference (no stale exception)."""
    used: set[str] = set()
    for module in (mta, providers):
        for name, form in module._cases():
            used |= module.check(name, form)
    used |= _reason_disagreements_seen()
    assert used == {d.id for d in disagreements()}


def _reason_disagreements_seen() -> set[str]:
    """The reason records that cover at least one corpus recipient whose label we answer otherwise."""
    by_pair = {(d.ours, d.theirs): d.id for d in disagreements() if d.field == "reason"}
    seen: set[str] = set()
    for sample in samples():
        bounce = read_bounce(sample.raw)
        if bounce is None:
            continue
        for verdict, label in zip(verdicts(bounce), sample.labels, strict=False):
            pair = (str(verdict.reason), label["reason"])
            if pair in by_pair:
                seen.add(by_pair[pair])
    return seen
