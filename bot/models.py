"""Frozen value types passed along the one-way pipeline: text → message → bounce → diagnosis."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields

from bot.vocab import Action, Kind, Lang, Phase, ProblemId, Reason, Responsible, Severity

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (bot/__init__.py)
if TYPE_CHECKING:
    from typing import Any, TypeVar

    _T = TypeVar("_T")
    _C = TypeVar("_C", bound=type)


def pickled_by_fields(cls: _C) -> _C:
    """A frozen, slotted dataclass pickled as its constructor's arguments.

    For such classes dataclasses pickles through a __setstate__ written in Python that looks the
    fields up again for each object; the knowledge cache holds ~2,500 of them, and loading it
    that way took a one-message run 5 ms more than calling the classes does.
    """
    names = tuple(f.name for f in fields(cls) if f.init)

    def __reduce__(self: Any) -> tuple[type, tuple[Any, ...]]:
        return type(self), tuple(getattr(self, n) for n in names)

    cls.__reduce__ = __reduce__  # type: ignore[assignment]
    return cls


# ----------------------------------------------------------------------------- normalize
@dataclass(frozen=True, slots=True)
class Part:
    """One decoded MIME leaf (or the whole pasted text): its type and its text."""

    content_type: str
    text: str


@dataclass(frozen=True, slots=True)
class Message:
    """A bounce as text, whatever it came as: headers (lower-cased names) and decoded parts."""

    headers: tuple[tuple[str, str], ...]
    parts: tuple[Part, ...]
    whole: bool  # True when it arrived as an RFC 5322 message with headers
    # Delivery reports attached whole inside this message (a bounce forwarded as message/rfc822):
    # read when this message itself holds no bounce.
    forwarded: tuple[Message, ...] = ()
    # Values derived from the fields above, built on first use: every format's detect and parse
    # asks for the same joined texts and headers. Not part of the value (no eq, hash or repr).
    _derived: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def derived(self, key: str, build: Callable[[Message], _T]) -> _T:
        """A value computed from this message once, by key (e.g. a joined text), then kept."""
        try:
            return self._derived[key]  # type: ignore[no-any-return]
        except KeyError:
            value = self._derived[key] = build(self)
            return value

    def header(self, name: str, default: str = "") -> str:
        """First value of a header, by case-insensitive name."""
        try:  # inlined derived(): every format's detect asks, ~30 times per message
            first = self._derived["headers"]
        except KeyError:
            first = self.derived("headers", _first_values)
        return first.get(name.lower(), default)  # type: ignore[no-any-return]

    @property
    def subject(self) -> str:
        """The Subject header, decoded."""
        return self.header("subject")

    @property
    def text(self) -> str:
        """All parts' text joined: what a reader of the bounce would see."""
        return self.derived("text", _joined_text)


def _first_values(msg: Message) -> dict[str, str]:
    """Each header name's first value."""
    found: dict[str, str] = {}
    for key, value in msg.headers:
        found.setdefault(key, value)
    return found


def _joined_text(msg: Message) -> str:
    return "\n".join(p.text for p in msg.parts)


# ----------------------------------------------------------------------------- parse
@dataclass(frozen=True, slots=True)
class Failure:
    """One failed (or delayed, or delivered) recipient as the bounce reports it."""

    address: str
    status: str | None = None  # enhanced status code, RFC 3463: "5.1.1"
    reply_code: str | None = None  # SMTP reply code: "550"
    action: Action | None = None
    remote_mta: str | None = None  # the server that refused, when named
    diagnostic: str = ""  # the refusing server's own line, one line, whitespace folded
    phase: Phase | None = None  # RCPT vs DATA, where the bounce shows it
    reason_hint: Reason | None = None  # a format that names its reason outright (ARF, auto-reply)


@dataclass(frozen=True, slots=True)
class Bounce:
    """What a format module found in a message."""

    format: str  # the module that parsed it: "postfix", "exchange", ...
    failures: tuple[Failure, ...]
    reporting_mta: str | None = None
    sender: str | None = None  # the original message's sender, when the bounce shows it


# ----------------------------------------------------------------------------- classify
@pickled_by_fields
@dataclass(frozen=True, slots=True)
class CauseText:
    """A cause's words in one language."""

    title: str
    explanation: str
    user_message: str
    admin_steps: tuple[str, ...]
    common_causes: tuple[str, ...] = ()  # a code lookup's usual causes (kind "code")


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Cause:
    """A cause record from knowledge/: reason, responsible side and its words in ja and en."""

    id: str
    reason: Reason | None  # None for a domain check's causes
    responsible: Responsible
    texts: dict[Lang, CauseText] = field(hash=False, compare=False)

    def text(self, lang: Lang) -> CauseText:
        """The cause's words in a language."""
        return self.texts[lang]


@dataclass(frozen=True, slots=True)
class Verdict:
    """The classifier's answer for one failure."""

    reason: Reason
    cause_id: str
    rule: str  # which table row or phrase decided it: for --explain and for tests


# ----------------------------------------------------------------------------- DNS
@dataclass(frozen=True, slots=True)
class Problem:
    """A DNS fact that matters for delivery; `detail` is rendered per language from knowledge/."""

    id: ProblemId
    severity: Severity
    subject: str = ""  # the name or address it is about: the domain, an MX host, an IP
    value: str = ""  # the measured fact: a count, a failure kind, a list's zone, a record term
    answer: str = ""  # the DNS answer behind it, where it needs words (a blocklist's 127.0.0.x codes)


@dataclass(frozen=True, slots=True)
class MxHost:
    """One MX target with its addresses (A then AAAA)."""

    preference: int
    host: str
    addresses: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DomainReport:
    """The DNS facts of one domain."""

    domain: str  # as the user wrote it (Unicode for IDN)
    ascii: str  # the A-label form queried
    exists: bool | None  # None: could not tell (DNS failure)
    mx: tuple[MxHost, ...] = ()
    problems: tuple[Problem, ...] = ()
    suggestions: tuple[str, ...] = ()  # likely intended domains for a typo
    spf: str | None = None
    dmarc: str | None = None
    complete: bool = True  # False when the deadline cut some lookups short
    dmarc_domain: str | None = None  # where the DMARC record in force was found (the organisational domain)


@dataclass(frozen=True, slots=True)
class IpReport:
    """An IP address a bounce names as refused, with what the blocklists say about it."""

    ip: str
    problems: tuple[Problem, ...] = ()


# ----------------------------------------------------------------------------- diagnose
@dataclass(frozen=True, slots=True)
class CodeQuery:
    """A text that is only an SMTP reply and/or an enhanced status: what a code lookup was asked."""

    reply_code: str | None = None  # "550"
    status: str | None = None  # "5.7.606"
    marker: str | None = None  # a provider's bracketed code: "TSS04"
    text: str = ""  # the reply as given, on one line (its words may name the cause)

    @property
    def label(self) -> str:
        """The codes as a person writes them: "421 4.7.0 [TSS04]"."""
        parts = [self.reply_code, self.status, f"[{self.marker}]" if self.marker else None]
        return " ".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class RecipientResult:
    """One failed recipient with its reason, responsible side and cause."""

    failure: Failure
    reason: Reason
    responsible: Responsible
    cause: Cause
    rule: str = ""


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """The whole answer for one text: what it was, each recipient, the DNS facts."""

    kind: Kind
    recipients: tuple[RecipientResult, ...] = ()
    domains: tuple[DomainReport, ...] = ()
    ips: tuple[IpReport, ...] = ()  # refused IP addresses the bounce names, with blocklist answers
    cause: Cause | None = None  # the main cause (main recipient's, or the domain check's)
    responsible: Responsible | None = None
    format: str | None = None
    source: str | None = None
    error: str | None = None  # an error id from knowledge/messages.toml, e.g. "empty-input"
    code: CodeQuery | None = None  # kind "code": the codes looked up
    note: str | None = None  # a message id for an analysed text with nothing to tell ("not-a-bounce")

    @property
    def main(self) -> RecipientResult | None:
        """The main failed recipient: the first one."""
        return self.recipients[0] if self.recipients else None
