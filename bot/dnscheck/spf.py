"""SPF records (RFC 7208) as pure functions: which TXT records are SPF, their syntax, their DNS lookups."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

MAX_LOOKUPS = 10  # RFC 7208 section 4.6.4: more terms that query DNS is a permanent error

# RFC 7208 section 7.1 macros: %{letter digits? r? delimiters?} and the escapes %%, %_, %-.
_MACRO = re.compile(r"%\{[slodiphcrtv][0-9]{0,3}r?[-.+,/_=]{0,8}\}|%[%_-]", re.IGNORECASE)
_MODIFIER = re.compile(r"([a-z][a-z0-9_.-]{0,62})=(.*)", re.IGNORECASE | re.DOTALL)
_MECHANISM = re.compile(r"([+?~-]?)([a-z][a-z0-9]{0,15})(.*)", re.IGNORECASE | re.DOTALL)
_VISIBLE = re.compile(r"[\x21-\x7e]{1,1000}")
_TOPLABEL = re.compile(r"[a-z0-9-]{0,62}[a-z][a-z0-9-]{0,62}", re.IGNORECASE)
# An a/mx mechanism's optional "/ip4-len" and "//ip6-len" at the end of the term (bounded: linear).
_DUAL_CIDR = re.compile(r"(?:/([0-9]{1,2}))?(?://([0-9]{1,3}))?\Z")
_LOOKUP_MECHANISMS = frozenset({"a", "mx", "ptr", "include", "exists"})


class SpfError(ValueError):
    """A record no receiver can evaluate (permerror); `term` is the offending part."""

    def __init__(self, term: str) -> None:
        super().__init__(term)
        self.term = term


@dataclass(frozen=True, slots=True)
class SpfRecord:
    """One parsed SPF record: its own DNS lookups and the records it pulls in."""

    text: str
    lookups: int  # terms of this record that query DNS: include a mx ptr exists redirect
    includes: tuple[str, ...]  # include: targets without macros, in order
    redirect: str | None  # redirect= target (None when absent, or when an 'all' makes it moot)
    all: str | None = None  # the 'all' mechanism's qualifier ('+', '?', '~', '-'), None without one
    # (type, name) asked by a, mx and exists terms without macros; "" is the record's own domain.
    # Each may be a void lookup (RFC 7208 section 4.6.4: NXDOMAIN or no answer).
    probes: tuple[tuple[str, str], ...] = ()


def is_spf(text: str) -> bool:
    """True for a TXT string that declares itself SPF: 'v=spf1' then a space or the end."""
    return text[:6].lower() == "v=spf1" and (len(text) == 6 or text[6] == " ")


def spf_records(texts: Iterable[str]) -> list[str]:
    """The SPF records among a name's TXT records."""
    return [t for t in texts if is_spf(t)]


def parse_spf(text: str) -> SpfRecord:
    """Parse an SPF record; raises SpfError naming the first term that breaks RFC 7208 syntax."""
    if not is_spf(text):
        raise SpfError(text[:40])
    lookups = 0
    includes: list[str] = []
    modifiers: dict[str, str] = {}
    has_all = False
    qualifier: str | None = None
    probes: list[tuple[str, str]] = []
    for term in text[6:].split(" "):
        if not term:
            continue
        modifier = _MODIFIER.fullmatch(term)
        if modifier:
            key, value = modifier.group(1).lower(), modifier.group(2)
            if key in modifiers and key in ("redirect", "exp"):
                raise SpfError(term)  # section 6: each at most once
            if key in ("redirect", "exp") and not _domain_spec(value):
                raise SpfError(term)
            if not _macro_string(value):
                raise SpfError(term)
            modifiers[key] = value
            continue
        name, argument = _mechanism(term)
        if name == "all" and not has_all:
            qualifier = term[0] if term[0] in "+?~-" else "+"
        has_all = has_all or name == "all"
        probe = _probe(name, argument)
        if probe is not None:
            probes.append(probe)
        if name in _LOOKUP_MECHANISMS:
            lookups += 1
        if name == "include":
            target = argument[1:]
            if "%" not in target:  # a macro only expands at evaluation time
                includes.append(target.lower().rstrip("."))
    redirect = modifiers.get("redirect")
    if redirect is not None and not has_all:
        lookups += 1
    else:
        redirect = None  # section 6.1: redirect is ignored when the record has 'all'
    if redirect is not None and "%" in redirect:
        redirect = None
    return SpfRecord(
        text,
        lookups,
        tuple(includes),
        redirect.lower().rstrip(".") if redirect else None,
        qualifier,
        tuple(probes),
    )


def _probe(name: str, argument: str) -> tuple[str, str] | None:
    """The lookup an a, mx or exists term makes, when its target is written out (no macro)."""
    if name not in ("a", "mx", "exists"):
        return None
    target = argument.partition("/")[0][1:] if argument.startswith(":") else ""
    if "%" in target:
        return None
    return ("MX" if name == "mx" else "A", target.lower().rstrip("."))


def _mechanism(term: str) -> tuple[str, str]:
    """(name, rest) of a valid mechanism; SpfError when the term is none of RFC 7208's."""
    match = _MECHANISM.fullmatch(term)
    if not match:
        raise SpfError(term)
    name, rest = match.group(2).lower(), match.group(3)
    if name == "all":
        ok = rest == ""
    elif name in ("include", "exists"):
        ok = rest.startswith(":") and _domain_spec(rest[1:])
    elif name in ("a", "mx"):
        cidr = _DUAL_CIDR.search(rest)  # matches at the end at the latest, possibly empty
        assert cidr is not None
        spec = rest[: cidr.start()]
        v4, v6 = cidr.groups()
        ok = (
            (spec == "" or (spec.startswith(":") and _domain_spec(spec[1:])))
            and (v4 is None or int(v4) <= 32)
            and (v6 is None or int(v6) <= 128)
        )
    elif name == "ptr":
        ok = rest == "" or (rest.startswith(":") and _domain_spec(rest[1:]))
    elif name in ("ip4", "ip6"):
        ok = rest.startswith(":") and _network(name, rest[1:])
    else:
        ok = False
    if not ok:
        raise SpfError(term)
    return name, rest


def _macro_string(value: str) -> bool:
    """Visible characters whose every '%' starts a valid macro."""
    return value == "" or (bool(_VISIBLE.fullmatch(value)) and "%" not in _MACRO.sub("", value))


def _domain_spec(value: str) -> bool:
    """A domain-spec: a macro-string ending in a macro or in '.' and a top label."""
    if not value or not _macro_string(value):
        return False
    if _MACRO.search(value) and value.endswith("}"):
        return True
    labels = _MACRO.sub("x", value).rstrip(".").split(".")
    return len(labels) >= 2 and all(labels) and bool(_TOPLABEL.fullmatch(labels[-1]))


def _network(kind: str, text: str) -> bool:
    address, slash, length = text.partition("/")
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if ip.version != (4 if kind == "ip4" else 6):
        return False
    if not slash:
        return True
    return length.isdigit() and len(length) <= 3 and int(length) <= ip.max_prefixlen
