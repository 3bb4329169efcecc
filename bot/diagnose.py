"""The join: text → bounce → verdicts → causes, then DNS facts that may change the verdict.

`analyse` is the pure half (no DNS); `diagnose` adds the DNS checks of the recipient domains
(and of the sender's domain when the bounce blames the sender's side) and applies
knowledge/dns_rules.toml. A text that is only an SMTP reply or status code gets the code's meaning
(kind code); a text with no bounce that names a domain becomes a domain check; a text with neither
is kind none with a note. Bad input never raises: it comes back as ``Diagnosis(kind=NONE, error=<id>)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from email.utils import getaddresses
from typing import TYPE_CHECKING, Protocol

from bot.dnscheck.rules import Rule, rules
from bot.errors import InputError, InvalidDomain
from bot.limits import MAX_DOMAINS, MAX_RECIPIENTS
from bot.models import Bounce, Cause, Diagnosis, DomainReport, Failure, Message, RecipientResult
from bot.reading.analyse import read
from bot.reading.classify import classify
from bot.reading.codes import find_code, lookup
from bot.reading.extract import domain_of, find_domains
from bot.reading.knowledge import knowledge
from bot.vocab import Action, Kind, Reason

if TYPE_CHECKING:
    import asyncio

NOT_A_BOUNCE = "not-a-bounce"


class Checker(Protocol):
    """What diagnose needs of bot.dnscheck.checks.DomainChecker (or of a memo in front of it)."""

    async def check_one(self, name: str, *, auth: bool = False) -> DomainReport:
        """The DNS facts of one domain."""
        ...


# ----------------------------------------------------------------------------- pure half
def analyse(data: bytes | str, *, source: str | None = None) -> Diagnosis:
    """The diagnosis without DNS: bounce → verdicts → causes, or the domains a plain text names."""
    return _analyse(data, source, with_sender=False)[0]


def _analyse(data: bytes | str, source: str | None, *, with_sender: bool) -> tuple[Diagnosis, str | None]:
    """The pure diagnosis and, when asked, the original sender's domain (for the DNS checks)."""
    try:
        # The Message too: its headers name the sender and its text is where a domain check
        # looks when there is no bounce.
        msg, bounce = read(data)
    except InputError as exc:
        return Diagnosis(kind=Kind.NONE, error=exc.error_id, source=source), None
    if bounce is None or not any("@" in f.address for f in bounce.failures):
        # A reply line pasted alone ("550 5.7.606"): the code's meaning, not a bounce without anyone.
        query = find_code(msg.text)
        if query is not None:
            cause = lookup(query)
            return Diagnosis(kind=Kind.CODE, cause=cause, responsible=cause.responsible, code=query, source=source), None
    if bounce is None:
        return _domain_placeholder(find_domains(msg.text), source=source), None
    results = _main_first(tuple(_result(f, bounce) for f in bounce.failures[:MAX_RECIPIENTS]))
    return _bounce_diagnosis(results, bounce=bounce, source=source), _sender(
        bounce, msg
    ) if with_sender else None


def _result(failure: Failure, bounce: Bounce) -> RecipientResult:
    verdict = classify(failure, bounce)
    cause = cause_for(verdict.cause_id, verdict.reason)
    return RecipientResult(failure, verdict.reason, cause.responsible, cause, verdict.rule)


def cause_for(cause_id: str, reason: Reason | None = None) -> Cause:
    """The cause record of an id; the reason's default cause when the id is unknown."""
    kn = knowledge()
    try:
        return kn.cause(cause_id)
    except KeyError:
        if reason is None:
            raise
        return kn.default_cause(reason)


def _rank(result: RecipientResult) -> int:
    """0 for a failed recipient, 1 for a delayed one, 2 for the rest (delivered, relayed...)."""
    action, status = result.failure.action, result.failure.status or ""
    if action is Action.FAILED or (action is None and not status.startswith("4")):
        return 0
    if action is Action.DELAYED or action is None:
        return 1
    return 2


def _main_first(results: tuple[RecipientResult, ...]) -> tuple[RecipientResult, ...]:
    # Diagnosis.main is the first recipient: the first failed one, else the first delayed one.
    # Python's sort is stable, so recipients of the same rank keep the bounce's order.
    return tuple(sorted(results, key=_rank))


def _bounce_diagnosis(
    results: tuple[RecipientResult, ...], *, bounce: Bounce, source: str | None
) -> Diagnosis:
    main = results[0] if results else None
    return Diagnosis(
        kind=Kind.BOUNCE,
        recipients=results,
        cause=main.cause if main else None,
        responsible=main.responsible if main else None,
        format=bounce.format,
        source=source,
    )


def _sender(bounce: Bounce, msg: Message) -> str | None:
    """The original sender's domain: as the bounce shows it, else the bounce's own To: header."""
    address = bounce.sender or ""
    if not address and msg.whole:
        found = [a for _, a in getaddresses([msg.header("to")]) if "@" in a]
        address = found[0] if found else ""
    if "@" not in address:
        return None
    return domain_of(address) or None


def _placeholder(name: str) -> DomainReport:
    """A domain named but not (yet) checked: existence unknown, no facts."""
    try:
        ascii_name = name.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_name = name
    return DomainReport(domain=name, ascii=ascii_name, exists=None, complete=False)


def _domain_placeholder(names: Sequence[str], *, source: str | None) -> Diagnosis:
    if not names:
        return Diagnosis(kind=Kind.NONE, note=NOT_A_BOUNCE, source=source)
    return Diagnosis(kind=Kind.DOMAIN, domains=tuple(_placeholder(n) for n in names), source=source)


# ----------------------------------------------------------------------------- with DNS
async def diagnose(data: bytes | str, *, checker: Checker | None, source: str | None = None) -> Diagnosis:
    """The full diagnosis: `analyse`, then DNS checks that may change causes (checker None: no DNS)."""
    pure, sender = _analyse(data, source, with_sender=checker is not None)
    if checker is None or pure.kind in (Kind.NONE, Kind.CODE):
        return pure
    if pure.kind is Kind.DOMAIN:
        return await check_domains([d.domain for d in pure.domains], checker=checker, source=source)
    return await _bounce_with_dns(pure, sender, checker)


async def check_domains(names: Sequence[str], *, checker: Checker, source: str | None = None) -> Diagnosis:
    """A domain check (kind domain) of names or addresses; an invalid name gives error invalid-domain."""
    wanted = list(dict.fromkeys(domain_of(n) if "@" in n else n.strip().rstrip(".").lower() for n in names))
    if not wanted or not all(wanted):
        return Diagnosis(kind=Kind.NONE, error="invalid-domain", source=source)
    import asyncio  # here, not above: a run without DNS (the pure half) never needs it

    try:
        reports = await asyncio.gather(*(checker.check_one(n) for n in wanted[:MAX_DOMAINS]))
    except InvalidDomain as exc:
        return Diagnosis(kind=Kind.NONE, error=exc.error_id, source=source)
    table = rules()
    ids = [table.domain_cause_id(r) for r in reports]
    # The answer is about the first domain that has a problem; all fine, the first domain.
    main = next((i for i in ids if i != table.domain_ok), ids[0])
    cause = cause_for(main)
    return Diagnosis(
        kind=Kind.DOMAIN, domains=tuple(reports), cause=cause, responsible=cause.responsible, source=source
    )


async def _bounce_with_dns(pure: Diagnosis, sender: str | None, checker: Checker) -> Diagnosis:
    table = rules()
    names = list(dict.fromkeys(d for r in pure.recipients if (d := domain_of(r.failure.address))))
    names = names[:MAX_DOMAINS]
    if sender is None or not any(table.blames_sender(r.reason, r.responsible) for r in pure.recipients):
        sender = None
    elif sender not in names:
        names.append(sender)
    # The sender's domain is checked with SPF/DMARC; when it is also a recipient's, once.
    import asyncio

    found = await asyncio.gather(*(_report(checker, n, auth=n == sender) for n in names))
    by_name = dict(zip(names, found, strict=True))
    sender_report = by_name.get(sender) if sender else None
    results = _main_first(
        tuple(_with_dns(r, by_name.get(domain_of(r.failure.address)), sender_report) for r in pure.recipients)
    )
    main = results[0] if results else None
    return replace(
        pure,
        recipients=results,
        domains=tuple(r for r in found if r is not None),
        cause=main.cause if main else None,
        responsible=main.responsible if main else None,
    )


async def _report(checker: Checker, name: str, *, auth: bool) -> DomainReport | None:
    # A recipient "domain" that cannot be one (an address literal, a parse remnant) is skipped,
    # not an error: the bounce itself was read.
    try:
        return await checker.check_one(name, auth=auth)
    except InvalidDomain:
        return None


def _with_dns(
    result: RecipientResult, recipient: DomainReport | None, sender: DomainReport | None
) -> RecipientResult:
    table = rules()
    rule = table.recipient_override(result.reason, recipient)
    if rule is None and table.blames_sender(result.reason, result.responsible):
        rule = table.sender_override(result.reason, sender)
    return result if rule is None else _overridden(result, rule)


def _overridden(result: RecipientResult, rule: Rule) -> RecipientResult:
    cause = cause_for(rule.cause, result.reason)
    keep = result.reason in rule.keep_reasons or cause.reason is None
    reason = result.reason if keep else cause.reason
    return replace(result, reason=reason, responsible=cause.responsible, cause=cause, rule=f"dns:{rule.name}")


# ----------------------------------------------------------------------------- batches
class MemoChecker:
    """A checker that asks each (domain, auth) once per run: a batch of bounces shares the answers."""

    def __init__(self, checker: Checker) -> None:

        self._checker = checker
        self._tasks: dict[tuple[str, bool], asyncio.Task[DomainReport]] = {}

    async def check_one(self, name: str, *, auth: bool = False) -> DomainReport:
        """The report of one domain, from the first request for it."""
        import asyncio

        key = (name.lower(), auth)
        task = self._tasks.get(key)
        if task is None:
            task = asyncio.ensure_future(self._checker.check_one(name, auth=auth))
            self._tasks[key] = task
        # shield: one caller's cancellation must not cancel the answer the others wait for.
        return await asyncio.shield(task)
