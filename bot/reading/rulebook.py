"""The classifier's rules as typed values: status and reply tables, phrase records, provider rules.

Built from the parsed TOML of knowledge/status.toml, knowledge/phrases.toml and
knowledge/providers.toml. Every builder appends what is wrong to a list of problems instead of
raising, so one load reports every broken row at once (bot.reading.knowledge raises them together).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.models import pickled_by_fields
from bot.reading.lazyre import lazy
from bot.reading.phraseindex import PhraseIndex
from bot.reading.phrases import PhraseError, PhraseSet, compile_phrases
from bot.vocab import Phase, Reason

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (bot/__init__.py)
if TYPE_CHECKING:
    from typing import Any

_STATUS_CODE = lazy(r"\A(?:[245X])\.\d{1,3}(?:\.\d{1,3})?\Z")
_REPLY_CODE = lazy(r"\A[245]\d\d\Z")
_STATUS_RANGE = lazy(r"\A([245X]\.\d{1,3}\.)(\d{1,3})-(\d{1,3})\Z")  # "X.7.700-749"
SAIDBY = ("remote", "reporter", "text", "recipient")  # who a provider is recognised by: see Provider
# Phrase tiers in the order the classifier weighs them (bot.reading.classify): words that name a cause;
# a reporting MTA's note that it gave up (it decides only when the remote's words and code did
# not); words that only narrow the cause down.
TIERS = ("specific", "note", "generic")


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Row:
    """A table row (status, reply code or phase) that names a reason and, maybe, a finer cause."""

    key: str  # "X.1.1", "4.4.7", "X.7"; "550" or "550/rcpt"; "mail"
    reason: Reason
    cause: str | None
    specific: bool
    meaning: str
    final: bool = False  # the code says the sending MTA stopped retrying (X.4.7): never temporary


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Redirect:
    """The same words meaning another cause at another phase or with another status."""

    cause: str
    phases: frozenset[Phase | None]  # None: the phase is not known
    statuses: frozenset[str]  # "none": no status at all
    unless_statuses: frozenset[str]
    at_recipient: bool = False  # only when the refusing host is in the recipient's own domain


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class PhraseRecord:
    """Phrases of one reason (or finer cause) in one tier, with exclusions and redirects."""

    name: str  # for Verdict.rule
    reason: Reason
    cause: str | None
    tier: str  # one of TIERS
    phrases: PhraseSet
    unless: PhraseSet
    phases: frozenset[Phase]  # empty: any phase
    not_phases: frozenset[Phase]  # never at these phases
    redirects: tuple[Redirect, ...]
    final: bool = False  # the words say the sending MTA stopped retrying: never temporary


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class ProviderRule:
    """A provider's own meaning for a status, reply code, phase and phrase combination."""

    reason: Reason
    cause: str | None
    statuses: frozenset[str]
    replies: frozenset[str]
    phases: frozenset[Phase]
    phrases: PhraseSet
    said_by: frozenset[str]  # empty: recognised by any of SAIDBY


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Provider:
    """A mailbox provider: how it is recognised and its rules, tried in order."""

    id: str
    hosts: tuple[str, ...]  # domain suffixes of the remote or reporting host
    formats: frozenset[str]  # bounce formats it writes (reporter)
    markers: PhraseSet  # words in a diagnostic that only it writes
    rules: tuple[ProviderRule, ...]


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Rulebook:
    """Everything the classifier consults besides the cause records."""

    statuses: Mapping[str, Row]
    replies: Mapping[str, Row]
    phases: Mapping[Phase, Row]
    phrases: tuple[PhraseRecord, ...]
    providers: tuple[Provider, ...]
    phase_markers: tuple[tuple[Phase, PhraseSet], ...]  # words that show the SMTP phase
    # Built on first use: [phrase records' index, providers' markers' index].
    _indexes: list[PhraseIndex] = field(default_factory=list, init=False, repr=False, compare=False)

    def phrase_index(self) -> PhraseIndex:
        """Every phrase record's phrases in one index (set number = the record's place), built once."""
        return self._built()[0]

    def marker_index(self) -> PhraseIndex:
        """Every provider's marker words in one index (set number = the provider's place), built once."""
        return self._built()[1]

    def _built(self) -> list[PhraseIndex]:
        if not self._indexes:
            self._indexes.extend(
                (PhraseIndex(r.phrases for r in self.phrases), PhraseIndex(p.markers for p in self.providers))
            )
        return self._indexes

    def cause_ids(self) -> set[str]:
        """Every cause id the rules name, for the existence check."""
        ids = {r.cause for t in (self.statuses, self.replies, self.phases) for r in t.values() if r.cause}
        for rec in self.phrases:
            ids.update({rec.cause} if rec.cause else set())
            ids.update(x.cause for x in rec.redirects)
        ids.update(r.cause for p in self.providers for r in p.rules if r.cause)
        return ids

    def reason_cause_pairs(self) -> set[tuple[Reason, str]]:
        """(reason, cause id) of every rule that names both, for the agreement check."""
        rows = [r for t in (self.statuses, self.replies, self.phases) for r in t.values()]
        pairs = {(r.reason, r.cause) for r in rows if r.cause}
        pairs |= {(r.reason, r.cause) for r in self.phrases if r.cause}
        pairs |= {(r.reason, r.cause) for p in self.providers for r in p.rules if r.cause}
        return pairs  # type: ignore[return-value]


def build(
    status: Mapping[str, Any], phrases: Mapping[str, Any], providers: Mapping[str, Any], problems: list[str]
) -> Rulebook:
    """Build the rulebook from the three parsed tables, appending problems found."""
    return Rulebook(
        statuses=_rows(status.get("status", []), "status", _STATUS_CODE, problems),
        replies=_rows(status.get("reply", []), "reply", _REPLY_CODE, problems),
        phases={Phase(k): v for k, v in _rows(status.get("phase", []), "phase", None, problems).items()},
        phrases=tuple(_phrase_record(i, r, problems) for i, r in enumerate(phrases.get("phrase", []))),
        providers=tuple(_provider(p, problems) for p in providers.get("provider", [])),
        phase_markers=tuple(
            (
                next(iter(_phaseset(m.get("phase"), "phase_marker", problems)), Phase.DATA),
                _compiled(m.get("phrases"), f"phase_marker {m.get('phase')!r}", problems),
            )
            for m in phrases.get("phase_marker", [])
        ),
    )


def _reason(value: object, where: str, problems: list[str]) -> Reason:
    try:
        return Reason(str(value))
    except ValueError:
        problems.append(f"{where}: unknown reason {value!r}")
        return Reason.UNDEFINED


def _phaseset(values: object, where: str, problems: list[str], *, unknown: bool = False) -> frozenset[Any]:
    out: set[Phase | None] = set()
    for v in values if isinstance(values, list) else [values]:
        if unknown and v == "unknown":
            out.add(None)
            continue
        try:
            out.add(Phase(str(v)))
        except ValueError:
            problems.append(f"{where}: unknown phase {v!r}")
    return frozenset(out)


def _compiled(values: object, where: str, problems: list[str]) -> PhraseSet:
    if not isinstance(values, list):
        problems.append(f"{where}: phrases must be a list")
        return PhraseSet()
    try:
        return compile_phrases(values)
    except PhraseError as exc:
        problems.append(f"{where}: {exc}")
        return PhraseSet()


def _rows(
    rows: list[dict[str, Any]], kind: str, pattern: re.Pattern[str] | None, problems: list[str]
) -> dict[str, Row]:
    out: dict[str, Row] = {}
    for row in rows:
        code = str(row.get("code") or row.get("phase") or "")
        where = f"{kind} {code!r}"
        if pattern is not None and not pattern.match(code):
            problems.append(f"{where}: malformed code")
        if kind == "phase" and code not in set(Phase):
            problems.append(f"{where}: unknown phase")
            continue
        if kind == "reply" and row.get("phase"):
            code = f"{row['code']}/{row['phase']}"
            _phaseset(row["phase"], where, problems)
        if code in out:
            problems.append(f"{where}: listed twice")
        if not str(row.get("meaning", "")).strip():
            problems.append(f"{where}: no meaning given")
        out[code] = Row(
            key=code,
            reason=_reason(row.get("reason"), where, problems),
            cause=row.get("cause"),
            specific=row.get("strength", "generic") == "specific",
            meaning=str(row.get("meaning", "")),
            final=row.get("final", False) is True,
        )
    return out


def _phrase_record(index: int, raw: dict[str, Any], problems: list[str]) -> PhraseRecord:
    reason = _reason(raw.get("reason"), f"phrase #{index}", problems)
    name = f"{raw.get('cause') or reason}"
    where = f"phrase #{index} ({name})"
    if raw.get("tier") not in TIERS:
        problems.append(f"{where}: tier must be one of {TIERS}")
    phrases = _compiled(raw.get("phrases"), where, problems)
    if not phrases:
        problems.append(f"{where}: no phrases")
    redirects = tuple(
        Redirect(
            cause=str(r.get("cause", "")),
            phases=_phaseset(r.get("phase", []), where, problems, unknown=True),
            statuses=frozenset(r.get("status", [])),
            unless_statuses=frozenset(r.get("unless_status", [])),
            at_recipient=r.get("remote") == "recipient-domain",
        )
        for r in raw.get("redirect", [])
    )
    return PhraseRecord(
        name=f"{raw.get('tier')}:{name}",
        reason=reason,
        cause=raw.get("cause"),
        tier=str(raw.get("tier")),
        phrases=phrases,
        unless=_compiled(raw.get("unless", []), where, problems),
        phases=_phaseset(raw.get("phases", []), where, problems),
        not_phases=_phaseset(raw.get("not_phases", []), where, problems),
        redirects=redirects,
        final=raw.get("final", False) is True,
    )


def _statuses(values: object, where: str, problems: list[str]) -> frozenset[str]:
    """A rule's statuses, a documented range written once ("X.7.606-649") expanded to its codes."""
    out: set[str] = set()
    for value in values if isinstance(values, list) else [values]:
        code = str(value)
        found = _STATUS_RANGE.match(code)
        if found is None:
            out.add(code)
            continue
        low, high = int(found.group(2)), int(found.group(3))
        if low > high:
            problems.append(f"{where}: empty status range {code!r}")
        out.update(f"{found.group(1)}{n}" for n in range(low, high + 1))
    return frozenset(out)


def _provider(raw: dict[str, Any], problems: list[str]) -> Provider:
    pid = str(raw.get("id", ""))
    where = f"provider {pid!r}"
    if not pid:
        problems.append("provider without id")
    rules = []
    for i, r in enumerate(raw.get("rule", [])):
        rw = f"{where} rule #{i}"
        said_by = frozenset(r.get("said_by", []))
        if not said_by <= set(SAIDBY):
            problems.append(f"{rw}: said_by must be among {SAIDBY}")
        rule = ProviderRule(
            reason=_reason(r.get("reason"), rw, problems),
            cause=r.get("cause"),
            statuses=_statuses(r.get("status", []), rw, problems),
            replies=frozenset(r.get("reply", [])),
            phases=_phaseset(r.get("phase", []), rw, problems),
            phrases=_compiled(r.get("phrases", []), rw, problems),
            said_by=said_by,
        )
        if not (rule.statuses or rule.replies or rule.phrases):
            problems.append(f"{rw}: needs a status, a reply code or phrases")
        rules.append(rule)
    return Provider(
        id=pid,
        hosts=tuple(h.lower().strip(".") for h in raw.get("hosts", [])),
        formats=frozenset(raw.get("formats", [])),
        markers=_compiled(raw.get("markers", []), where, problems),
        rules=tuple(rules),
    )
