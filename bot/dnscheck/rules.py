"""Which DNS facts change which verdicts: knowledge/dns_rules.toml loaded, validated and matched."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from bot.models import DomainReport
from bot.reading.datafiles import load_table
from bot.vocab import ProblemId, Reason, Responsible


@dataclass(frozen=True, slots=True)
class Rule:
    """One row: when a domain shows these problems, this cause replaces the classifier's."""

    name: str
    problems: frozenset[ProblemId]
    cause: str
    reasons: frozenset[Reason] = frozenset()  # empty: any reason (domain-check rows)
    keep_reasons: frozenset[Reason] = frozenset()
    every_mx: bool = False
    values: frozenset[str] = frozenset()  # empty: any value; else only problems with one of these values

    def matches(self, report: DomainReport) -> bool:
        """True when the report shows one of the rule's problems (leaving no usable MX, if asked)."""
        hit = [
            p
            for p in report.problems
            if p.id in self.problems and (not self.values or p.value in self.values)
        ]
        if not hit:
            return False
        if not self.every_mx:
            return True
        hosts = {_host(mx.host) for mx in report.mx}
        # A problem about the domain itself (not one host) covers every MX host.
        broken = {_host(p.subject) for p in hit}
        return not hosts or _host(report.ascii) in broken or hosts <= broken


@dataclass(frozen=True, slots=True)
class Rules:
    """The whole table."""

    sender_reasons: frozenset[Reason]
    sender_responsible: frozenset[Responsible]
    recipient: tuple[Rule, ...]
    sender: tuple[Rule, ...]
    domain: tuple[Rule, ...]
    domain_ok: str
    domain_unknown: str
    unanswered_reasons: frozenset[Reason]  # reasons that say no server of the recipient's domain answered

    def blames_sender(self, reason: Reason, responsible: Responsible) -> bool:
        """True when a verdict points at the sender's own system, so its domain is worth checking."""
        return reason in self.sender_reasons or responsible in self.sender_responsible

    def recipient_override(self, reason: Reason, report: DomainReport | None) -> Rule | None:
        """The first recipient-domain row that overrides this reason, if any."""
        return _first(self.recipient, reason, report)

    def sender_override(self, reason: Reason, report: DomainReport | None) -> Rule | None:
        """The first sender-domain row that overrides this reason, if any."""
        return _first(self.sender, reason, report)

    def domain_cause_id(self, report: DomainReport) -> str:
        """The cause id of a domain check for one domain's report."""
        for rule in self.domain:
            if rule.matches(report):
                return rule.cause
        return self.domain_unknown if report.exists is None else self.domain_ok


def _first(rows: Iterable[Rule], reason: Reason, report: DomainReport | None) -> Rule | None:
    if report is None:
        return None
    for rule in rows:
        if (not rule.reasons or reason in rule.reasons) and rule.matches(report):
            return rule
    return None


def _host(name: str) -> str:
    return name.strip().rstrip(".").lower()


def _rule(row: Mapping[str, Any]) -> Rule:
    # ProblemId(...) and Reason(...) raise ValueError on a typo: a broken table fails at load.
    return Rule(
        name=str(row["name"]),
        problems=frozenset(ProblemId(p) for p in row["problems"]),
        cause=str(row["cause"]),
        reasons=frozenset(Reason(r) for r in row.get("reasons", ())),
        keep_reasons=frozenset(Reason(r) for r in row.get("keep_reasons", ())),
        every_mx=bool(row.get("every_mx", False)),
        values=frozenset(str(v) for v in row.get("values", ())),
    )


@cache
def rules() -> Rules:
    """knowledge/dns_rules.toml, parsed and validated once."""
    table = load_table("dns_rules")
    side = table["sender_side"]
    return Rules(
        sender_reasons=frozenset(Reason(r) for r in side["reasons"]),
        sender_responsible=frozenset(Responsible(r) for r in side.get("responsible", ())),
        recipient=tuple(_rule(r) for r in table.get("recipient", ())),
        sender=tuple(_rule(r) for r in table.get("sender", ())),
        domain=tuple(_rule(r) for r in table.get("domain", ())),
        domain_ok=str(table["domain_default"]["ok"]),
        domain_unknown=str(table["domain_default"]["unknown"]),
        unanswered_reasons=frozenset(Reason(r) for r in table["server_answered"]["unless"]),
    )
