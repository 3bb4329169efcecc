"""Renderers of a Diagnosis: json (the contract's object), text (terminal), blocks (Slack).

Also holds what the renderers say with: UI words (``messages``), Slack's markup rules
(``mrkdwn``: escaping what we echo, undoing what users wrote), the Slack words and markers
(``slackwords``) and the diagnosis packed into a button (``buttons``). Pure functions. May import
the shared value types, ``bot.reading.knowledge`` and ``bot.dnscheck.problems`` (texts only),
``bot.reading.lazyre`` (expressions compiled when first used);
never Slack I/O or the command line.
"""

from __future__ import annotations

from bot.vocab import Kind

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (bot/__init__.py)
if TYPE_CHECKING:  # the value types are not loaded for words alone (`mxcheck --help`)
    from bot.models import Diagnosis, DomainReport


def dns_skipped(d: Diagnosis) -> bool:
    """True for a domain check made without DNS: the domains are named but nothing was asked."""
    return d.kind is Kind.DOMAIN and d.cause is None and all(_unasked(r) for r in d.domains)


def _unasked(report: DomainReport) -> bool:
    return report.exists is None and not report.complete and not report.problems and not report.mx
