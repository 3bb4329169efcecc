"""Every recorded disagreement with the reference labels is still needed, and says why."""

from __future__ import annotations

import pytest
import test_parsers_mta as mta
import test_parsers_providers as providers
from disagreements import disagreements

from benchmarks.corpus import available


def test_each_disagreement_says_what_and_why() -> None:
    """A record names the field that differs, the values for a status, and a reason a desk can read."""
    for d in disagreements():
        assert d.field in ("status", "empty", "count"), d.id
        assert len(d.why) > 60, d.id
        assert (d.field == "status") == bool(d.ours and d.theirs), d.id


@pytest.mark.skipif(not available(), reason="shared corpus not found")
def test_each_disagreement_is_still_needed() -> None:
    """Across the corpus checks, every record covers at least one real difference (no stale exception)."""
    used: set[str] = set()
    for module in (mta, providers):
        for name, form in module._cases():
            used |= module.check(name, form)
    assert used == {d.id for d in disagreements()}
