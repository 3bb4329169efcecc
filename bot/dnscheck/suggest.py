"""'Did you mean': names close to a domain that does not exist, kept when the DNS says they take mail.

The guesses are well-known mail domains within a small edit distance (knowledge/common_domains.toml)
and the spelling variants of bot.dnscheck.spelling; `verified` asks them all at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache

import dns.name

from bot.dnscheck.result import Answer, NoData, Result
from bot.dnscheck.spelling import spelling, variants
from bot.reading.datafiles import load_table

Ask = Callable[[str, str], Awaitable[Result | None]]  # a lookup that yields None when it failed


@dataclass(frozen=True, slots=True)
class _Table:
    """The known mail domains and how near a typed domain must be to one of them to be its typo."""

    domains: tuple[str, ...]
    short_length: int
    short_distance: int
    long_distance: int
    limit: int


@cache
def _table() -> _Table:
    data = load_table("common_domains")
    return _Table(
        domains=tuple(d.lower() for d in data["domains"]),
        short_length=int(data["short_length"]),
        short_distance=int(data["short_distance"]),
        long_distance=int(data["long_distance"]),
        limit=int(data["limit"]),
    )


def suggestions(domain: str) -> tuple[str, ...]:
    """Well-known domains the writer probably meant by a nonexistent one, closest first."""
    table = _table()
    domain = domain.lower()
    if domain in table.domains:
        return ()  # a well-known domain is not a typo of another
    bound = table.short_distance if len(domain) <= table.short_length else table.long_distance
    first_label = domain.split(".", 1)[0]
    scored: list[tuple[int, int, str]] = []
    for rank, known in enumerate(table.domains):
        if abs(len(known) - len(domain)) > max(bound, 3):
            continue
        distance = edit_distance(domain, known, bound)
        # Same name, wrong suffix ("gmail.co.jp", "docomo.co.jp"): a classic mix-up at any distance.
        same_name = len(first_label) >= 3 and known.split(".", 1)[0] == first_label
        if distance <= bound or same_name:
            scored.append((min(distance, bound + 1), rank, known))
    if not scored:
        return ()
    # Only the closest: "gmial.com" is gmail.com, not also mail.com two edits away.
    best = min(score for score, _r, _k in scored)
    return tuple(known for score, _r, known in sorted(scored) if score == best)[: table.limit]


def edit_distance(a: str, b: str, bound: int) -> int:
    """Optimal string alignment distance (swaps of neighbours count 1); bound+1 once it exceeds bound."""
    if abs(len(a) - len(b)) > bound:
        return bound + 1
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > bound:
            return bound + 1
        before, row = row, current
    return min(row[-1], bound + 1)


# ----------------------------------------------------------------------------- verified by DNS
def candidates(name: str) -> tuple[str, ...]:
    """Well-known near-misses, then spelling variants: what the DNS is asked about, at most a few dozen."""
    merged = dict.fromkeys((*suggestions(name), *variants(name)))
    merged.pop(name.lower(), None)
    return tuple(merged)[: spelling().max_candidates]


async def verified(ask: Ask, name: str) -> tuple[str, ...]:
    """The candidates for a missing domain that exist and accept mail, best first.

    One concurrent round of MX questions; a candidate without MX (NODATA) needs a second, small
    one for its A/AAAA (implicit MX). A null MX accepts no mail; a failed lookup proves nothing.
    """
    names = candidates(name)
    mx = await asyncio.gather(*(ask(n, "MX") for n in names))
    implicit = [n for n, r in zip(names, mx, strict=True) if isinstance(r, NoData)]
    addresses = await asyncio.gather(*(ask(n, t) for n in implicit for t in ("A", "AAAA")))
    with_address = {
        n for i, n in enumerate(implicit) if any(isinstance(r, Answer) for r in addresses[2 * i : 2 * i + 2])
    }
    good = [
        n
        for n, r in zip(names, mx, strict=True)
        if (isinstance(r, Answer) and any(x.exchange != dns.name.root for x in r.records))
        or n in with_address
    ]
    return tuple(good[: spelling().keep])
