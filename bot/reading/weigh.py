"""Weigh the words and codes of one diagnostic: every rule that speaks is a candidate, the strongest decides.

"First record wins" let a generic word beat a specific fact ("spam" beat "Client host blocked";
a relay's "refused to talk to me" beat the remote's "too many connections"). Each candidate gets
a score from what it is and where it stands:

- what it is: a specific phrase (names one condition) 60, a specific status code 58, a give-up
  note 45, a generic phrase 30, a generic status code 25 — so a tier still beats the tiers below;
- how much it says: one point for a phrase of several words over a single word ("client host
  blocked" says more than "spam"; among phrases the data's order decides);
- whose words: +2 inside the remote server's own reply, -2 in the wrapper around it
  (``host X said:``, ``refused to talk to me:``), when the diagnostic has both;
- agreement: +4 when the phrase names the reason a specific status code names.

The highest score decides the reason; among the candidates of that reason a rule that names a
finer cause decides it (the earliest such), else the earliest record. Ties go to the earlier
rule, as the data is ordered. The verdict's ``rule`` names the winner.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.models import Failure, Verdict
from bot.reading.knowledge import Knowledge
from bot.reading.lazyre import lazy
from bot.reading.notices import masked
from bot.reading.phraseindex import best_of
from bot.reading.tables import redirect, status_row, verdict

PHRASE_BASE = {"specific": 60, "note": 45, "generic": 30}
STATUS_BASE = {True: 58, False: 25}  # a specific status row, a class-wide one
MOST_FOR_WORDS = 1
OWN_WORDS = 2
AGREES = 4
# Where the remote server's own reply begins: its reply code, not an IP octet or a date.
# host mx.example.jp[192.0.2.1] said: 550 5.1.1 <a@example.jp>: User unknown
_REPLY_START = lazy(r"[245](?<![\w.:\-/][245])\d\d(?:[ -]|\Z)")


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A verdict in the running: its score, and its place in the data for ties."""

    score: int
    order: int
    verdict: Verdict
    finer: bool = False  # the rule names a finer cause than its reason's default


def weigh(kb: Knowledge, failure: Failure, text: str, *, tier: str | None = None) -> Verdict | None:
    """The strongest phrase or status verdict for a folded diagnostic, or None when none speaks.

    With `tier`, only the phrases of that tier are weighed (no status code).
    """
    row = status_row(kb, failure.status) if tier is None else None
    text = masked(text) if text else text
    reply = _REPLY_START.search(text) if text else None
    reply_at = reply.start() if reply else 0
    found: list[_Candidate] = []
    records = kb.rules.phrases
    # One scan of the text finds every record's phrases; most records have none in it.
    for order, hits in sorted(kb.rules.phrase_index().found(text).items()) if text else ():
        record = records[order]
        if failure.phase in record.not_phases or (tier is not None and record.tier != tier):
            continue
        if record.phases and failure.phase not in record.phases:
            continue
        if record.unless.first_found(text) is not None:
            continue
        phrase, at = best_of(hits)
        cause = redirect(record, failure) or record.cause
        reason = (kb.cause(cause).reason if cause else None) or record.reason
        score = PHRASE_BASE[record.tier] + min(phrase.words - 1, MOST_FOR_WORDS)
        if reply_at > 0:
            score += OWN_WORDS if at >= reply_at else -OWN_WORDS
        if row is not None and row.specific and row.reason == reason:
            score += AGREES
        rule = f"phrase:{record.name}:{phrase.source}"
        found.append(_Candidate(score, order, verdict(kb, reason, cause, rule), finer=cause is not None))
    if row is not None:
        # Listed after the phrases of its own tier, as the rules were read before weighing.
        order = len(kb.rules.phrases) + (0 if row.specific else 1)
        found.append(_Candidate(STATUS_BASE[row.specific], order, verdict(kb, row.reason, row.cause, f"status:{row.key}")))
    if not found:
        return None
    best = min(found, key=lambda c: (-c.score, c.order))
    same = [c for c in found if c.verdict.reason == best.verdict.reason]
    finer = [c for c in same if c.finer]
    return min(finer or same, key=lambda c: c.order).verdict
