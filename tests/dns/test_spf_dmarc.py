"""SPF and DMARC record parsing as pure functions: selection, syntax, lookup counts."""

from __future__ import annotations

import pytest

from bot.dnscheck.dmarc import NO_POLICY, DmarcError, dmarc_records, parse_dmarc
from bot.dnscheck.spf import SpfError, is_spf, parse_spf, spf_records


# ---------------------------------------------------------------------------- SPF
def test_spf_selection() -> None:
    """Only 'v=spf1' followed by a space or the end is SPF; other TXT records are not."""
    texts = ["v=spf1 -all", "V=SPF1 mx", "v=spf10 mx", "google-site-verification=x", "v=spf1"]
    assert spf_records(texts) == ["v=spf1 -all", "V=SPF1 mx", "v=spf1"]
    assert not is_spf("spf1 mx")


@pytest.mark.parametrize(
    ("record", "lookups", "includes", "redirect"),
    [
        ("v=spf1 -all", 0, (), None),
        ("v=spf1 mx a ptr exists:%{i}.x.example -all", 4, (), None),
        (
            "v=spf1 include:_spf.google.com include:SPF.Example.JP. ~all",
            2,
            ("_spf.google.com", "spf.example.jp"),
            None,
        ),
        ("v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a/24//64 mx:mail.example.jp/28 ?all", 2, (), None),
        ("v=spf1 a redirect=_spf.example.jp", 2, (), "_spf.example.jp"),
        ("v=spf1 redirect=_spf.example.jp -all", 0, (), None),  # 'all' makes redirect moot
        ("v=spf1 include:%{d}.spf.example.jp -all", 1, (), None),  # counted, not followed
        ("v=spf1 +mx  -all exp=explain.%{d}", 1, (), None),
        ("v=spf1 unknown-mod=anything -all", 0, (), None),
    ],
)
def test_spf_parse(record: str, lookups: int, includes: tuple[str, ...], redirect: str | None) -> None:
    """Lookup-counting terms, include targets and the effective redirect of valid records."""
    parsed = parse_spf(record)
    assert (parsed.lookups, parsed.includes, parsed.redirect) == (lookups, includes, redirect)


@pytest.mark.parametrize(
    ("record", "term"),
    [
        ("v=spf1 ipv4:192.0.2.1 -all", "ipv4:192.0.2.1"),
        ("v=spf1 ip4:192.0.2.300 -all", "ip4:192.0.2.300"),
        ("v=spf1 ip4:192.0.2.0/33", "ip4:192.0.2.0/33"),
        ("v=spf1 ip6:192.0.2.1", "ip6:192.0.2.1"),
        ("v=spf1 include: -all", "include:"),
        ("v=spf1 include -all", "include"),
        ("v=spf1 include:localhost -all", "include:localhost"),
        ("v=spf1 mx:example.jp/40", "mx:example.jp/40"),
        ("v=spf1 a//129", "a//129"),
        ("v=spf1 -all:x", "-all:x"),
        ("v=spf1 redirect=a.example redirect=b.example", "redirect=b.example"),
        ("v=spf1 exists:%{z}.example.jp", "exists:%{z}.example.jp"),
        ("v=spf1 mx ~al", "~al"),
    ],
)
def test_spf_syntax_errors(record: str, term: str) -> None:
    """The first broken term is named."""
    with pytest.raises(SpfError) as caught:
        parse_spf(record)
    assert caught.value.term == term


def test_spf_parse_is_linear_on_long_input() -> None:
    """A 4000-character hostile term is refused quickly, not backtracked over."""
    with pytest.raises(SpfError):
        parse_spf("v=spf1 include:" + "%" * 2000 + "a." * 1000)


# ---------------------------------------------------------------------------- DMARC
def test_dmarc_selection() -> None:
    """Records starting with v=DMARC1 (any case, spaces allowed) are DMARC; others are ignored."""
    texts = ["v=DMARC1; p=none", " v = dmarc1 ;p=none", "p=none; v=DMARC1", "v=DMARC10; p=none", "hello"]
    assert dmarc_records(texts) == ["v=DMARC1; p=none", " v = dmarc1 ;p=none"]


@pytest.mark.parametrize(
    "record",
    [
        "v=DMARC1; p=none",
        "v=DMARC1;p=reject;sp=quarantine;pct=50;adkim=s;aspf=r;fo=1:d;ri=86400",
        "v=DMARC1; p=quarantine; rua=mailto:a@example.jp!10m, mailto:b@example.jp; ruf=mailto:f@example.jp;",
        "v=DMARC1; p=none; future=tag",
    ],
)
def test_dmarc_valid(record: str) -> None:
    """Valid records give their tags."""
    assert parse_dmarc(record)["v"] == "DMARC1"


@pytest.mark.parametrize(
    ("record", "value"),
    [
        ("v=DMARC1", NO_POLICY),
        ("v=DMARC1; rua=mailto:a@example.jp", NO_POLICY),
        ("v=DMARC1; p=maybe", "p=maybe"),
        ("v=dmarc1; p=none", "v=dmarc1"),  # RFC 7489: the version must match exactly
        ("v=DMARC1; p=none; sp=block", "sp=block"),
        ("v=DMARC1; p=none; pct=150", "pct=150"),
        ("v=DMARC1; p=none; adkim=x", "adkim=x"),
        ("v=DMARC1; p=none; rua=dmarc@example.jp", "rua=dmarc@example.jp"),
        ("v=DMARC1; p=none; p=reject", "p=reject"),
        ("v=DMARC1; p none", "p none"),
    ],
)
def test_dmarc_invalid(record: str, value: str) -> None:
    """The offending tag (or a code for what is missing) is named."""
    with pytest.raises(DmarcError) as caught:
        parse_dmarc(record)
    assert caught.value.value == value
