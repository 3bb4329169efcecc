"""One failed recipient → a reason (Sisimai's vocabulary) and a cause record: pure, data-driven.

Evidence is weighed in this order; where phrases and status codes compete (4-8), every one that
speaks is a candidate and bot.reading.weigh scores them (specific over generic, several words over
one, the remote's own words over a wrapper, agreement with a specific code):

1. ``Failure.reason_hint`` — a format that names its reason outright (ARF feedback, an
   auto-reply, a delivered report) is taken at its word; specific words of that same reason may
   still name the finer cause (a Google Groups refusal: the group's posting restriction).
2. A delivered recipient (Action: delivered, status 2.x.x) is ``delivered``.
3. Provider rules (knowledge/providers.toml) — a provider's own meaning of its codes and words,
   recognised by the refusing host, the reporting host/format, or words only it writes. The same
   text means different things at different providers, so their rules beat everything generic.
4. Specific phrases (knowledge/phrases.toml, tier ``specific``) — words that name one cause:
   "mailbox full", "relay access denied", "client was not authenticated".
5. Specific status — an enhanced status code (RFC 3463) that names one condition (5.1.1, 5.2.2,
   5.7.26) in knowledge/status.toml.
6. Give-up notes (tier ``note``) — what a reporting MTA appends when it stops retrying ("this
   message has been in the queue too long", "could not be delivered for 5 days"): the message
   expired, unless the remote's own words or code above named a cause.
7. Generic phrases — words that narrow it down without naming it ("rejected", "blocked").
8. Generic status — the class-wide rows (5.0.0, 5.7.1, X.7): they say little.
9. SMTP reply code (by phase where the table says so), then the phase alone (MAIL → rejected,
   connect/HELO → blocked).
10. Nothing spoke: a delayed/expired recipient is ``expired``, a recipient with a diagnostic is
    ``onhold``, else ``undefined``.

Phrase records may redirect to another cause by phase or status: "user unknown" at RCPT is an
unknown address, after DATA it is a content/reception filter. A temporary failure (4.x.x, 4xx,
Action: delayed; a "failed" report has stopped retrying) tells the cause's ``temporary`` variant
where the data has one; so does not one whose code or words say the sender's MTA gave up
(``final`` rows and records: 4.4.7, "this message has been in the queue too long").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from bot.models import Bounce, Failure, Verdict
from bot.reading.knowledge import Knowledge, knowledge
from bot.reading.phrases import first_found, fold
from bot.reading.rulebook import Provider, ProviderRule, Rulebook
from bot.reading.tables import reply_row, status_in, status_row, verdict
from bot.reading.weigh import weigh
from bot.vocab import Action, Phase, Reason, Responsible


def classify(failure: Failure, bounce: Bounce) -> Verdict:
    """The reason and cause id for one failure of a bounce."""
    kb = knowledge()
    text = fold(failure.diagnostic)
    verdict = _decide(kb, failure, bounce, text)
    if _temporary(failure) and not _gave_up(kb, failure, text):
        variant = kb.temporary_variant(verdict.cause_id)
        if variant == verdict.cause_id and failure.action == Action.DELAYED and kb.delayed:
            # A delay warning: nothing failed yet, whatever the cause would be if it did.
            if kb.cause(variant).responsible != Responsible.TRANSIENT:
                variant = kb.delayed
        if variant != verdict.cause_id:
            return Verdict(reason=verdict.reason, cause_id=variant, rule=verdict.rule + "+temporary")
    return verdict


def _decide(kb: Knowledge, failure: Failure, bounce: Bounce, text: str) -> Verdict:
    if failure.phase is None and text:
        failure = replace(failure, phase=_phase_from_text(kb, text))
    if failure.reason_hint is not None:
        # The format names the reason; words of that same reason may still name its finer cause.
        finer = weigh(kb, failure, text, tier="specific")
        if finer is not None and finer.reason == failure.reason_hint:
            return replace(finer, rule="hint+" + finer.rule)
        return verdict(kb, failure.reason_hint, None, "hint")
    if failure.action == Action.DELIVERED or (failure.status or "").startswith("2."):
        return verdict(kb, Reason.DELIVERED, None, "delivered")
    domains = _Domains.of(failure, bounce)
    marked = kb.rules.marker_index().found(text) if text else {}  # every provider's words, one scan
    providers = kb.rules.providers
    for n in _showing(kb.rules, domains, bounce.format, marked):
        provider = providers[n]
        said_by = _said_by(provider, domains, bounce, marked=n in marked)
        if not said_by:
            continue
        for index, rule in enumerate(provider.rules):
            if _rule_applies(rule, said_by, failure, text):
                return verdict(kb, rule.reason, rule.cause, f"provider:{provider.id}#{index}")
    weighed = weigh(kb, failure, text)
    if weighed is not None:
        return weighed
    phase_row = kb.rules.phases.get(failure.phase) if failure.phase else None
    for kind, row in (("reply", reply_row(kb, failure)), ("phase", phase_row)):
        if row is not None:
            return verdict(kb, row.reason, row.cause, f"{kind}:{row.key}")
    if failure.action == Action.DELAYED:
        return verdict(kb, Reason.EXPIRED, None, "fallback:delayed")
    if text:
        return verdict(kb, Reason.ONHOLD, None, "fallback:onhold")
    return verdict(kb, Reason.UNDEFINED, None, "fallback:undefined")


def _temporary(failure: Failure) -> bool:
    """A failure that retries may still clear: Action: delayed, or a 4.x.x/4xx code with no Action.

    A report that says "failed" over a 4xx code has already given up retrying: it is final.
    """
    if failure.action is not None:
        return failure.action == Action.DELAYED
    return (failure.status or failure.reply_code or "").startswith("4")


def _gave_up(kb: Knowledge, failure: Failure, text: str) -> bool:
    """The report says the sending MTA stopped retrying (4.4.7, "queue too long"): final, whatever the code."""
    row = status_row(kb, failure.status)
    if row is not None and row.final:
        return True
    return any(r.final and r.phrases.first_found(text) is not None for r in kb.rules.phrases)


# ----------------------------------------------------------------------------- providers
def _host(name: str | None) -> str:
    """A host name as compared with the data: lower case, no brackets, port or trailing dot."""
    if not name:
        return ""
    host = name.strip().lower().split()[0].strip("[]<>()")
    return host.rstrip(".")


def _suffixes(host: str) -> frozenset[str]:
    """The host and every name it ends with at a dot: what a provider's domain suffix may equal."""
    if not host:
        return frozenset()
    return frozenset([host, *(host[i + 1 :] for i, ch in enumerate(host) if ch == ".")])


@dataclass(frozen=True, slots=True)
class _Domains:
    """A failure's refusing host, reporting host and recipient domain, as suffix sets (built once per failure)."""

    remote: frozenset[str]
    reporter: frozenset[str]
    recipient: frozenset[str]

    @classmethod
    def of(cls, failure: Failure, bounce: Bounce) -> _Domains:
        """The suffix sets of a failure's names."""
        return cls(
            remote=_suffixes(_host(failure.remote_mta)),
            reporter=_suffixes(_host(bounce.reporting_mta)),
            recipient=_suffixes(failure.address.rpartition("@")[2].lower()),
        )


def _showing(rules: Rulebook, domains: _Domains, fmt: str, marked: Iterable[int]) -> list[int]:
    """The places of the providers that show in a failure (a host, the format or their words), in order.

    Most failures name no provider: asking each of the ~20 in turn was a tenth of the classifier.
    """
    by_host, by_format = _recognised(rules)
    shown = set(marked)
    shown.update(by_format.get(fmt, ()))
    for names in (domains.remote, domains.reporter, domains.recipient):
        for name in by_host.keys() & names:
            shown.update(by_host[name])
    return sorted(shown)


_RECOGNISED: list[tuple[Rulebook, dict[str, tuple[int, ...]], dict[str, tuple[int, ...]]]] = []


def _recognised(rules: Rulebook) -> tuple[dict[str, tuple[int, ...]], dict[str, tuple[int, ...]]]:
    """Host suffix → places of the providers it names, format → those that write it (built once per rulebook)."""
    entry = _RECOGNISED[0] if _RECOGNISED else None  # read once: another thread may replace it
    if entry is None or entry[0] is not rules:
        by_host: dict[str, list[int]] = {}
        by_format: dict[str, list[int]] = {}
        for n, provider in enumerate(rules.providers):
            for host in provider.hosts:
                by_host.setdefault(host, []).append(n)
            for fmt in provider.formats:
                by_format.setdefault(fmt, []).append(n)
        entry = (rules, {k: tuple(v) for k, v in by_host.items()}, {k: tuple(v) for k, v in by_format.items()})
        _RECOGNISED[:] = [entry]
    return entry[1], entry[2]


def _said_by(provider: Provider, domains: _Domains, bounce: Bounce, *, marked: bool) -> frozenset[str]:
    """How this provider shows in the failure: refusing host, reporter, its own words (`marked`), the address."""
    seen = set()
    if not domains.remote.isdisjoint(provider.hosts):
        seen.add("remote")
    if bounce.format in provider.formats or not domains.reporter.isdisjoint(provider.hosts):
        seen.add("reporter")
    if marked:
        seen.add("text")
    if not domains.recipient.isdisjoint(provider.hosts):
        seen.add("recipient")
    return frozenset(seen)


def _rule_applies(rule: ProviderRule, said_by: frozenset[str], failure: Failure, text: str) -> bool:
    if rule.said_by and not (rule.said_by & said_by):
        return False
    if rule.statuses and not status_in(failure.status, rule.statuses):
        return False
    if rule.replies and failure.reply_code not in rule.replies:
        return False
    if rule.phases and failure.phase not in rule.phases:
        return False
    return not rule.phrases or first_found(rule.phrases, text) is not None


def _phase_from_text(kb: Knowledge, text: str) -> Phase | None:
    """The SMTP phase a diagnostic shows in its own words ("in reply to RCPT TO command"), if any."""
    for phase, markers in kb.rules.phase_markers:
        if first_found(markers, text) is not None:
            return phase
    return None
