"""What a bounce's text points the DNS checks at: domains it names as looked up, the sender's address
in a refusing line, the IP addresses a refusal names and the blocklists it names. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from bot.dnscheck.dnsbl import Blocklist, default_lists, named_lists, refused_ips
from bot.models import Message, RecipientResult
from bot.reading.datafiles import load_table
from bot.vocab import Reason

MAX_MENTIONS = 5
# A mail address in a server's line: bounded parts, so the search stays linear.
_ADDRESS = re.compile(r"[A-Za-z0-9._%+=-]{1,64}@([A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8})")


@dataclass(frozen=True, slots=True)
class Leads:
    """Names and addresses worth asking the DNS about, found in the bounce's text."""

    mentioned: tuple[str, ...] = ()  # domains the text says were looked up
    sender_in_line: str | None = None  # the sender's domain as the refusing line names it
    ips: tuple[str, ...] = ()
    lists: tuple[Blocklist, ...] = ()


@cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(row["re"]) for row in load_table("dns_checks")["mentions"])


@cache
def _blocklist_reasons() -> frozenset[Reason]:
    return frozenset(Reason(r) for r in load_table("dns_checks")["blocklists"]["reasons"])


def mentioned_domains(text: str) -> tuple[str, ...]:
    """Domains a bounce's text says were looked up ('looking up X(MX)', Gmail's 'lookup of X')."""
    found: dict[str, None] = {}
    for pattern in _patterns():
        for match in pattern.finditer(text):
            found.setdefault(match.group(1).strip(".").lower(), None)
    return tuple(found)[:MAX_MENTIONS]


def sender_in_line(results: Sequence[RecipientResult]) -> str | None:
    """The domain of an address in a refusing line that is not the recipient's: the sender's own."""
    for result in results:
        recipient = result.failure.address.lower()
        for match in _ADDRESS.finditer(result.failure.diagnostic):
            if match.group(0).lower() != recipient:
                return match.group(1).lower()
    return None


def leads(msg: Message, results: Sequence[RecipientResult], *, blames_sender: bool) -> Leads:
    """Everything the bounce's text points at, for the DNS checks."""
    lines = " \n".join(r.failure.diagnostic for r in results)
    lists = named_lists(lines)
    if not lists and any(r.reason in _blocklist_reasons() for r in results):
        lists = default_lists()
    ips = refused_ips(lines) if lists else ()
    return Leads(
        mentioned=mentioned_domains(msg.text),
        sender_in_line=sender_in_line(results) if blames_sender else None,
        ips=ips,
        lists=lists if ips else (),
    )
