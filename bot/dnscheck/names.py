"""Mail domain names as users type them: validation, IDN to A-label, IP literals, unreachable addresses."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass

import idna

from bot.errors import InvalidDomain

MAX_NAME = 253  # RFC 1035: 255 octets on the wire = 253 characters of text
_MAX_INPUT = 1024  # longer text is not a name; refused before any IDNA work
# Letters, digits, '-' and '_' (seen in real mail domains), no hyphen at either end: linear.
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
# A top-level domain has a letter first: never all digits (RFC 3696 section 2).
_TLD = re.compile(r"[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?")
_DOTS = str.maketrans({"。": ".", "｡": ".", "．": "."})  # ideographic full stops typed in Japanese


@dataclass(frozen=True, slots=True)
class DomainName:
    """A validated domain: as the user wrote it (Unicode for IDN) and the A-label form to query."""

    display: str
    ascii: str


def parse_domain(text: str) -> DomainName:
    """Validate a domain name or mail address and give its domain; InvalidDomain when it cannot be one."""
    if len(text) > _MAX_INPUT:
        raise InvalidDomain(text[:64] + "…")
    name = unicodedata.normalize("NFKC", text).translate(_DOTS).strip()
    name = name.rpartition("@")[2].strip().strip("<>").lower()  # an address: its domain
    if name.endswith("."):
        name = name[:-1]  # the root's dot, once; "a.." stays invalid
    if not name or ip_literal(name) is not None:
        raise InvalidDomain(text)
    if name.isascii():
        ascii_name = name
    else:
        try:
            ascii_name = idna.encode(name, uts46=True, transitional=False).decode("ascii")
        except (idna.IDNAError, UnicodeError):
            raise InvalidDomain(text) from None
    labels = ascii_name.split(".")
    if (
        len(ascii_name) > MAX_NAME
        or len(labels) < 2  # "localhost", "com": no mail domain is a single label
        or not all(_LABEL.fullmatch(label) for label in labels)
        or not _TLD.fullmatch(labels[-1])
    ):
        raise InvalidDomain(text)
    return DomainName(display=name, ascii=ascii_name)


def ip_literal(host: str) -> str | None:
    """The address when a host is written as an IP ('192.0.2.1', '[192.0.2.1]', '[IPv6:2001:db8::1]')."""
    host = host.strip().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if host[:5].lower() == "ipv6:":
        host = host[5:]
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def unreachable(address: str) -> bool:
    """True for an address no Internet host can send mail to.

    Everything outside the globally routable space counts: private (RFC 1918, ULA), loopback,
    link-local, unspecified, reserved, shared CGNAT space, multicast, IPv4-mapped, and also the
    documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32): a real MX
    pointing there is as broken as one pointing to 10.0.0.1, whatever example it was copied from.
    """
    ip = ipaddress.ip_address(address)
    return not ip.is_global or ip.is_multicast
