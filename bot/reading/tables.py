"""Lookups in the rulebook's tables: status and reply rows, phrase redirects, verdicts by reason."""

from __future__ import annotations

from bot.models import Failure, Verdict
from bot.reading.knowledge import Knowledge
from bot.reading.rulebook import PhraseRecord, Row
from bot.vocab import Reason


def verdict(kb: Knowledge, reason: Reason, cause: str | None, rule: str) -> Verdict:
    """A verdict for a reason and cause (the reason's default cause when none is named)."""
    return Verdict(reason=reason, cause_id=cause or kb.defaults[reason], rule=rule)

def status_in(status: str | None, wanted: frozenset[str]) -> bool:
    """True when a status is listed: exactly, class-free (X.7.1), by subject (X.7), or "none" for no status."""
    if not status:
        return "none" in wanted
    free = "X" + status[1:]
    return status in wanted or free in wanted or free.rsplit(".", 1)[0] in wanted

def redirect(record: PhraseRecord, failure: Failure) -> str | None:
    """The cause a phrase record redirects to at this failure's phase and status, if any."""
    for r in record.redirects:
        if r.phases and failure.phase not in r.phases:
            continue
        if r.statuses and not status_in(failure.status, r.statuses):
            continue
        if r.unless_statuses and status_in(failure.status, r.unless_statuses):
            continue
        if r.at_recipient and not remote_in_recipient_domain(failure):
            continue
        return r.cause
    return None


def status_row(kb: Knowledge, status: str | None) -> Row | None:
    """The status table's row: the exact code, its class-free form (X.1.1), then its subject (X.7)."""
    if not status:
        return None
    table = kb.rules.statuses
    subject = "X." + status.split(".")[1] if status.count(".") == 2 else ""
    return table.get(status) or table.get("X" + status[1:]) or table.get(subject)


def reply_row(kb: Knowledge, failure: Failure) -> Row | None:
    """The reply-code table's row: by code and phase, then by code alone."""
    if not failure.reply_code:
        return None
    table = kb.rules.replies
    if failure.phase is not None:
        row = table.get(f"{failure.reply_code}/{failure.phase}")
        if row is not None:
            return row
    return table.get(failure.reply_code)


def remote_in_recipient_domain(failure: Failure) -> bool:
    """The refusing host is named and lies in the recipient's domain (mx.example.org for a@example.org)."""
    host = (failure.remote_mta or "").strip().lower().rstrip(".")
    domain = failure.address.rpartition("@")[2].lower()
    return bool(host and domain) and (host == domain or host.endswith("." + domain))
