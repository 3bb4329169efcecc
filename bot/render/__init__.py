"""Renderers of a Diagnosis: json (the contract's object), text (terminal), blocks (Slack)."""

from __future__ import annotations

from bot.models import Diagnosis, DomainReport
from bot.vocab import Kind


def dns_skipped(d: Diagnosis) -> bool:
    """True for a domain check made without DNS: the domains are named but nothing was asked."""
    return d.kind is Kind.DOMAIN and d.cause is None and all(_unasked(r) for r in d.domains)


def _unasked(report: DomainReport) -> bool:
    return report.exists is None and not report.complete and not report.problems and not report.mx
