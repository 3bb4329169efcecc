"""Domain names as typed by users, IP literals, unreachable addresses and typo suggestions (pure)."""

from __future__ import annotations

import pytest

from bot.dnscheck.names import ip_literal, parse_domain, unreachable
from bot.dnscheck.suggest import edit_distance, suggestions
from bot.errors import InvalidDomain


@pytest.mark.parametrize(
    ("text", "display", "ascii_name"),
    [
        ("Example.CO.JP", "example.co.jp", "example.co.jp"),
        ("taro@example.jp", "example.jp", "example.jp"),
        ("<taro@example.jp>", "example.jp", "example.jp"),
        ("example.jp.", "example.jp", "example.jp"),
        ("日本語.jp", "日本語.jp", "xn--wgv71a119e.jp"),
        ("xn--wgv71a119e.jp", "xn--wgv71a119e.jp", "xn--wgv71a119e.jp"),
        ("ｅｘａｍｐｌｅ．ｊｐ", "example.jp", "example.jp"),
        ("例え。テスト", "例え.テスト", "xn--r8jz45g.xn--zckzah"),
        ("_sip.example.jp", "_sip.example.jp", "_sip.example.jp"),
    ],
)
def test_parse_domain(text: str, display: str, ascii_name: str) -> None:
    """Case, addresses, final dot, full-width forms and IDN all normalise to one A-label name."""
    name = parse_domain(text)
    assert (name.display, name.ascii) == (display, ascii_name)


@pytest.mark.parametrize(
    "text", ["", "com", "localhost", "a..jp", "-x.jp", "x-.jp", "x.123", "x" * 2000, "a b.jp", "☃☃.-jp"]
)
def test_parse_domain_rejects(text: str) -> None:
    """Names that cannot be mail domains raise InvalidDomain with the invalid-domain id."""
    with pytest.raises(InvalidDomain) as caught:
        parse_domain(text)
    assert caught.value.error_id == "invalid-domain"


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("192.0.2.1", "192.0.2.1"),
        ("192.0.2.1.", "192.0.2.1"),
        ("[192.0.2.1]", "192.0.2.1"),
        ("[IPv6:2001:db8::1]", "2001:db8::1"),
        ("2001:DB8::1", "2001:db8::1"),
        ("mx.example.jp", None),
        ("192.0.2", None),
    ],
)
def test_ip_literal(host: str, address: str | None) -> None:
    """Hosts written as addresses are recognised in their usual spellings."""
    assert ip_literal(host) == address


@pytest.mark.parametrize(
    ("address", "flagged"),
    [
        ("10.1.2.3", True),
        ("172.16.0.1", True),
        ("192.168.1.1", True),
        ("127.0.0.1", True),
        ("::1", True),
        ("169.254.1.1", True),
        ("fe80::1", True),
        ("0.0.0.0", True),
        ("100.64.0.1", True),  # shared CGNAT space
        ("192.0.2.10", True),  # documentation ranges are not routed either
        ("2001:db8::10", True),
        ("224.0.0.25", True),
        ("fd00::25", True),
        ("::ffff:10.0.0.1", True),
        ("192.0.32.10", False),
        ("2620:0:2d0:200::10", False),
        ("8.8.8.8", False),
    ],
)
def test_unreachable(address: str, flagged: bool) -> None:
    """Anything outside the globally routable unicast space counts as unreachable for mail."""
    assert unreachable(address) is flagged


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("gmial.com", ("gmail.com",)),
        ("gmail.con", ("gmail.com",)),
        ("gmail.co.jp", ("gmail.com",)),
        ("docomo.ne.jo", ("docomo.ne.jp",)),
        ("docomo.co.jp", ("docomo.ne.jp",)),
        ("ezweb.ne", ("ezweb.ne.jp",)),
        ("yahoo.cojp", ("yahoo.co.jp",)),
        ("i.sofbank.jp", ("i.softbank.jp",)),
        ("hotmial.com", ("hotmail.com",)),
        ("icould.com", ("icloud.com",)),
        ("outlook.co.jp", ("outlook.jp", "outlook.com")),
        ("example.jp", ()),
        ("gmail.com", ()),
    ],
)
def test_suggestions(typed: str, meant: tuple[str, ...]) -> None:
    """The closest well-known domains only, none for an unrelated name or the same name."""
    assert suggestions(typed) == meant


def test_edit_distance() -> None:
    """Neighbour swaps count one; the result stops at bound + 1."""
    assert edit_distance("gmial", "gmail", 2) == 1
    assert edit_distance("kitten", "sitting", 5) == 3
    assert edit_distance("a" * 10, "b" * 10, 2) == 3
