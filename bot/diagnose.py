"""The join: text → bounce → verdicts → causes, then DNS facts that may change the verdict.

`analyse` is the pure half (no DNS); `diagnose` adds the DNS checks of the recipient domains, of
the domains the bounce's text names as looked up, of the sender's domain when the bounce blames
the sender's side, and the blocklists a refusal names about the IP it names, then applies
knowledge/dns_rules.toml. DNS facts are evidence: `reason` stays the bounce's, and a cause changes
only when the bounce does not show a server of the domain answering (bot.dnscheck.evidence).
A text that is only an SMTP reply or status code gets the code's meaning (kind code); a text with no
bounce that names a domain becomes a domain check; a text with neither is kind none with a note. Bad input never raises: it
comes back as ``Diagnosis(kind=NONE, error=<id>)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.errors import InputError, InvalidDomain
from bot.limits import MAX_DOMAINS, MAX_RECIPIENTS
from bot.models import Bounce, Cause, Diagnosis, DomainReport, Failure, IpReport, Message, RecipientResult
from bot.reading.analyse import read
from bot.reading.classify import classify
from bot.reading.codes import find_code, lookup
from bot.reading.extract import domain_of, find_domains
from bot.reading.knowledge import knowledge
from bot.vocab import Action, Kind, ProblemId, Reason

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (bot/__init__.py)
if TYPE_CHECKING:
    from bot.dnscheck.leads import Leads
    from bot.dnscheck.memo import Checker
    from bot.dnscheck.rules import Rule

# The DNS half's tables (bot.dnscheck.rules, leads, evidence) are imported inside its functions:
# `analyse` (no DNS) loads none of them, which is a tenth of a one-line bounce's start-up.

NOT_A_BOUNCE = "not-a-bounce"


# ----------------------------------------------------------------------------- pure half
def analyse(data: bytes | str, *, source: str | None = None) -> Diagnosis:
    """The diagnosis without DNS: bounce → verdicts → causes, or the domains a plain text names."""
    return _analyse(data, source, with_sender=False)[0]


def _analyse(
    data: bytes | str, source: str | None, *, with_sender: bool
) -> tuple[Diagnosis, tuple[str | None, Leads] | None]:
    """The pure diagnosis and, when asked, the sender's domain and what the text points at (for DNS)."""
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
    pure = _bounce_diagnosis(results, bounce=bounce, source=source)
    if not with_sender:
        return pure, None
    from bot.dnscheck.leads import leads
    from bot.dnscheck.rules import rules

    blamed = any(rules().blames_sender(r.reason, r.responsible) for r in results)
    found = leads(msg, results, blames_sender=blamed)
    # The refusing line names the address it refused; the headers only who the bounce went to.
    sender = (found.sender_in_line or _sender(bounce, msg)) if blamed else None
    return pure, (sender, found)


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
        from email.utils import getaddresses  # 14 ms of imports (socket, datetime), rarely needed

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
@dataclass(frozen=True, slots=True)
class Reading:
    """A text read once (no DNS yet): its pure diagnosis and what DNS should ask (the sender's domain, leads)."""

    pure: Diagnosis
    context: tuple[str | None, Leads] | None = None


def read_text(data: bytes | str, *, source: str | None = None) -> Reading:
    """The pure half of `diagnose`, for callers that read in one place and ask DNS in another."""
    return Reading(*_analyse(data, source, with_sender=True))


async def diagnose(data: bytes | str, *, checker: Checker | None, source: str | None = None) -> Diagnosis:
    """The full diagnosis: `analyse`, then DNS checks that may refine causes (checker None: no DNS)."""
    return await diagnose_reading(Reading(*_analyse(data, source, with_sender=checker is not None)), checker=checker)


async def diagnose_reading(reading: Reading, *, checker: Checker | None) -> Diagnosis:
    """`diagnose` of a text already read by `read_text`: the DNS checks only (the text is not parsed again)."""
    pure, context = reading.pure, reading.context
    if checker is None or pure.kind in (Kind.NONE, Kind.CODE):
        return pure
    if pure.kind is Kind.DOMAIN:
        return await check_domains([d.domain for d in pure.domains], checker=checker, source=pure.source)
    assert context is not None
    return await _bounce_with_dns(pure, *context, checker)


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
    reports = _said_once(reports)
    from bot.dnscheck.rules import rules

    table = rules()
    ids = [table.domain_cause_id(r) for r in reports]
    # The answer is about the first domain that has a problem; all fine, the first domain.
    main = next((i for i in ids if i != table.domain_ok), ids[0])
    cause = cause_for(main)
    return Diagnosis(
        kind=Kind.DOMAIN, domains=tuple(reports), cause=cause, responsible=cause.responsible, source=source
    )


async def _bounce_with_dns(pure: Diagnosis, sender: str | None, found: Leads, checker: Checker) -> Diagnosis:
    names = list(dict.fromkeys(d for r in pure.recipients if (d := domain_of(r.failure.address))))
    # Domains the text says were looked up are checked like recipients' (after them).
    names = list(dict.fromkeys([*names, *found.mentioned]))[:MAX_DOMAINS]
    if sender is not None and sender not in names:
        names.append(sender)
    import asyncio  # here, not at the top: a run without DNS never needs the event loop

    reports_job = asyncio.gather(*(_report(checker, n) for n in names))
    ips_job = checker.check_ips(found.ips, found.lists) if found.ips else _no_ips()
    found_reports, ips = await asyncio.gather(reports_job, ips_job)
    by_name = dict(zip(names, found_reports, strict=True))
    sender_report = by_name.get(sender) if sender else None
    results = _main_first(
        tuple(_with_dns(r, by_name.get(domain_of(r.failure.address)), sender_report) for r in pure.recipients)
    )
    main = results[0] if results else None
    domains = _said_once([r for r in found_reports if r is not None])
    if any(p.id is ProblemId.RESOLVER_UNUSABLE for r in domains for p in r.problems):
        ips = tuple(replace(x, problems=()) for x in ips)  # said once, with the domains
    return replace(
        pure,
        recipients=results,
        domains=tuple(domains),
        ips=ips,
        cause=main.cause if main else None,
        responsible=main.responsible if main else None,
    )


async def _no_ips() -> tuple[IpReport, ...]:
    return ()


def _said_once(reports: Sequence[DomainReport]) -> list[DomainReport]:
    """'DNS could not be checked from here' once, on the first report, not on every domain."""
    out, said = [], False
    for report in reports:
        unusable = [p for p in report.problems if p.id is ProblemId.RESOLVER_UNUSABLE]
        if unusable and said:
            report = replace(report, problems=tuple(p for p in report.problems if p not in unusable))
        said = said or bool(unusable)
        out.append(report)
    return out


async def _report(checker: Checker, name: str) -> DomainReport | None:
    # A recipient "domain" that cannot be one (an address literal, a parse remnant) is skipped,
    # not an error: the bounce itself was read.
    try:
        return await checker.check_one(name)
    except InvalidDomain:
        return None


def _with_dns(
    result: RecipientResult, recipient: DomainReport | None, sender: DomainReport | None
) -> RecipientResult:
    from bot.dnscheck.evidence import server_answered
    from bot.dnscheck.rules import rules

    table = rules()
    rule = table.recipient_override(result.reason, recipient)
    if rule is not None and server_answered(result):
        # A server of the domain answered when the mail was sent: today's DNS is not why it
        # failed. The verdict stays; the answer shows the DNS beside it (problems.notes).
        rule = None
    if rule is None and table.blames_sender(result.reason, result.responsible):
        rule = table.sender_override(result.reason, sender)
    return result if rule is None else _refined(result, rule)


def _refined(result: RecipientResult, rule: Rule) -> RecipientResult:
    """The DNS names the cause (and so the responsible side); the reason stays the bounce's."""
    cause = cause_for(rule.cause, result.reason)
    return replace(result, responsible=cause.responsible, cause=cause, rule=f"dns:{rule.name}")
