"""Held-out bounces (tests/samples/heldout, not from the corpus): reason, responsible side and cause.

Each file is a bounce as real servers write it today (Microsoft 365, Gmail, Yahoo, Postfix, Exim,
Sendmail, qmail, Japanese carriers and ISPs, gateways, SES, iCloud, Zoho), whole or pasted in the
forms people paste (Slack-escaped, quoted, re-wrapped). expected.toml says what each must give
through the pure pipeline (bot.diagnose.analyse, no DNS), with notes where an admin's answer is
preferred to Sisimai's.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/ is not an installed package

from benchmarks.heldout import (
    HELDOUT,
    NOT_FAILURES,
    Expected,
    agrees_ordinary,
    diagnosis,
    expected,
    failed_addresses,
    got,
)
from bot.reading.knowledge import knowledge
from bot.vocab import Kind, Reason, Responsible

SAMPLES = list(expected())
# Files the pipeline still gets wrong; each fix removes its entries (strict: a pass must be noticed).
KNOWN_MISSES: set[str] = set()


def _param(sample: Expected) -> object:
    marks = [pytest.mark.xfail(reason="known miss", strict=True)] if sample.file in KNOWN_MISSES else []
    return pytest.param(sample, id=sample.file, marks=marks)


def test_manifest_names_every_file_once() -> None:
    """Every sample file has exactly one manifest entry, and every entry names a file."""
    files = sorted(str(p.relative_to(HELDOUT)) for p in HELDOUT.rglob("*") if p.is_file() and p.name != "expected.toml")
    listed = [s.file for s in SAMPLES]
    assert sorted(listed) == files
    assert len(set(listed)) == len(listed)
    assert len(listed) >= 50


def test_manifest_uses_the_vocabularies() -> None:
    """Expected reasons and sides are contract words; expected causes exist and agree with the reason."""
    kb = knowledge()
    for s in SAMPLES:
        if not s.bounce:
            assert s.reason == "-" or s.reason in NOT_FAILURES, s.file
            assert s.responsible == "-" and not s.addresses, s.file
            continue
        Reason(s.reason)
        Responsible(s.responsible)
        if s.cause:
            cause = kb.cause(s.cause)
            assert cause.reason == Reason(s.reason), s.file


@pytest.mark.parametrize("sample", [_param(s) for s in SAMPLES])
def test_heldout_sample(sample: Expected) -> None:
    """A bounce is read as one, with its failed addresses and its main recipient's reason, side and
    cause; an ordinary mail is not read as a failure."""
    d = diagnosis(sample)
    if not sample.bounce:
        assert agrees_ordinary(sample, d), [(r.failure.address, r.reason, r.rule) for r in d.recipients]
        return
    assert d.kind == Kind.BOUNCE, d.error
    if sample.addresses is not None:
        assert failed_addresses(d) == set(sample.addresses)
    reason, side, cause = got(d)
    assert (reason, side) == (sample.reason, sample.responsible), d.main.rule if d.main else None
    if sample.cause:
        assert cause == sample.cause
