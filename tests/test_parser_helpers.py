"""Parser helpers that stand in for slower code (gated and windowed searches, folding, caches) answer the same."""

from __future__ import annotations

import random
import re

from bot.models import Message, Part
from bot.reading.lazyre import lazy
from bot.reading.parsers import _codes, _common, exchange, exim, postfix, qmail
from bot.reading.parsers._dsn import dsn_fields
from bot.reading.parsers._literals import comparable, gated
from bot.reading.parsers._text import fold, search_before

_LEAD = re.compile(
    r"(\S{3,320}?)\s{0,3}(?:にメールを配信できませんでした|へのメール(?:の)?配信|へのメッセージ)"
)
_TAILS = ("にメールを配信できませんでした", "へのメール", "へのメッセージ")
_PIECES = (
    "a@example.jp",
    " ",
    "  ",
    "\n",
    "x" * 150,
    "へのメール",
    "へのメールの配信",
    "へのメッセージ",
    "宛先",
    "へ",
    "の",
)


def test_search_before_finds_what_search_finds() -> None:
    """search_before returns the same first match as pattern.search, from any start, on mixed texts."""
    rng = random.Random(7)
    for _ in range(400):
        text = "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 30)))
        pos = rng.randint(0, len(text))
        want = _LEAD.search(text, pos)
        got = search_before(_LEAD, text, _TAILS, reach=323, pos=pos)
        assert (got and (got.span(), got.groups())) == (want and (want.span(), want.groups()))


def test_search_before_reaches_back_over_a_long_run() -> None:
    """A lead longer than the reach starts exactly `reach` characters before the literal, as search does."""
    text = "y" * 1000 + "へのメッセージ"
    got = search_before(_LEAD, text, _TAILS, reach=323)
    assert got is not None and got.span() == _LEAD.search(text).span()


def test_fold_collapses_what_backslash_s_matches() -> None:
    """fold joins words across every Unicode whitespace character, as the `\\s` expression does."""
    spaces = [chr(c) for c in range(0x3100) if re.match(r"\s", chr(c))]
    rng = random.Random(3)
    for _ in range(200):
        text = "".join(rng.choice(["a", "語", *spaces]) for _ in range(rng.randint(0, 40)))
        assert fold(text) == re.sub(r"\s+", " ", text).strip()


def test_gates_never_skip_a_match() -> None:
    """A gated expression finds exactly what its expression finds, on texts built from its own words."""
    patterns = [p for p, _ in _codes._PHASE_PHRASES] + list(_codes._REMOTE_PATTERNS)
    patterns += [
        re.compile(r"(?:ab|cd)x{1,3}(?i:Q)"),
        re.compile(r"a(?=b)|c", re.I),
        re.compile(r"x(?:longer)?y"),
        lazy(r"(?i)user unknown"),  # case folded by an inline flag, not by the flags argument
        re.compile(r"(?:宛先不明|unknown) user", re.I),  # a needle of caseless letters under IGNORECASE
    ]
    patterns += [g.pattern for g in (exchange._ORGANIZATION, exchange._REJECTED_BY_IN, postfix._DELAYED,
                                     exim._DELAYED, qmail._DELAYED)]
    rng = random.Random(11)
    words = ["in reply to ", "RCPT", "data", "after ", "host ", "mx.example.jp", "[192.0.2.1]", "rejected"]
    words += [
        "Remote-MTA: dns; mx.example.jp",
        "\n",
        " ",
        "abx",
        "cdxq",
        "İ",
        "ab",
        "\u212a",
        "xy",
        "xlongery",
        "User Unknown",
        "宛先不明 USER",
        "The Following Organization rejected your message",
        "メッセージは次の組織に拒否されました",
        ": mail.contoso.com",
        "mx.example.jp rejected your message",
        "Delayed Mail",
        "Will be Retried",
        "NOT yet been delivered",
    ]
    for _ in range(300):
        text = "".join(rng.choice(words) for _ in range(rng.randint(0, 12)))
        lowered = comparable(text)
        for pattern in patterns:
            got, want = gated(pattern).search(text, lowered), pattern.search(text)
            assert (got and got.span()) == (want and want.span()), (pattern.pattern, text)


def test_gate_steps_aside_for_letters_that_match_ascii_without_lowering_to_it() -> None:
    """The long s matches s under IGNORECASE but lowers to itself: a text holding it is searched, not gated."""
    pattern = gated(re.compile(r"ask then", re.I))
    assert pattern.needles == ("ask then",)
    assert pattern.search("A\u017fK THEN", comparable("A\u017fK THEN")) is not None
    assert pattern.search("nothing here", comparable("nothing here")) is None


def test_message_keeps_derived_texts_outside_its_value() -> None:
    """A message asked for its joined texts and headers equals, hashes and prints as a fresh one."""
    parts = (Part("text/plain", "Delivery failed"), Part("message/delivery-status", "Status: 5.1.1"))
    headers = (("subject", "Undelivered"), ("subject", "second"))
    used, fresh = Message(headers, parts, True), Message(headers, parts, True)
    assert (used.text, used.header("Subject"), used.header("x-none", "-")) == (
        "Delivery failed\nStatus: 5.1.1",
        "Undelivered",
        "-",
    )
    assert (_common.readable_text(used), _common.status_text(used)) == ("Delivery failed", "Status: 5.1.1")
    assert used == fresh and hash(used) == hash(fresh) and repr(used) == repr(fresh)


def test_dsn_fields_hands_out_its_own_dicts() -> None:
    """Changing what dsn_fields returned does not change what the next call returns."""
    text = "Reporting-MTA: dns; mx.example.jp\n\nFinal-Recipient: rfc822; a@example.jp\nStatus: 5.1.1"
    per_message, blocks = dsn_fields(text)
    per_message["reporting-mta"] = "changed"
    blocks[0]["status"] = "4.0.0"
    blocks.clear()
    assert dsn_fields(text) == (
        {"reporting-mta": "dns; mx.example.jp"},
        [{"final-recipient": "rfc822; a@example.jp", "status": "5.1.1"}],
    )


def test_code_finders_skip_only_what_cannot_match() -> None:
    """Masking IPv4 addresses and code labels only when their marks are present changes no answer."""
    rng = random.Random(13)
    words = [
        "550",
        "5.1.1",
        "192.0.2.1",
        "Status code:",
        "ERROR_CODE :",
        "421",
        " ",
        "4.2.2",
        "(#5.0.0)",
        "a.b",
    ]
    for _ in range(400):
        text = "".join(rng.choice(words) for _ in range(rng.randint(1, 8)))
        masked = _codes._IPV4.sub(" ", text)
        assert _codes._masked(text) == masked
        assert _codes.find_reply_code(text) == _reply_code_unguarded(text)


def _reply_code_unguarded(text: str) -> str | None:
    """find_reply_code as written before its shortcuts, for comparison."""
    masked = _codes._CODE_LABEL.sub(" ", _codes._IPV4.sub(" ", text))
    codes = [m.group(1) for m in _codes._REPLY.finditer(masked)]
    for code in codes:
        if code[0] in "45":
            return code
    m = _codes._REPLY_LENIENT.search(masked)
    return m.group(1) if m else (codes[0] if codes else None)


def test_gateway_products_found_as_by_trying_each() -> None:
    """The one pass over every product's markers lets through exactly the messages a product claims."""
    from pathlib import Path

    from bot.reading.normalize import normalize
    from bot.reading.parsers import gateways

    def tried_in_turn(msg: Message, text: str) -> str | None:
        for name, headers, markers, _reader in gateways._PRODUCTS:
            if any(gateways._header(msg, h, v) for h, v in headers) or gateways._has(text, markers):
                return name
        return None

    # A message per header and per sentence of every product, each product's own and the others'.
    texts = [b"From: postmaster@example.jp\nSubject: Undelivered\n\n550 5.1.1 <a@example.jp> user unknown\n"]
    for _name, headers, markers, _reader in gateways._PRODUCTS:
        for h, v in headers:
            texts.append(f"From: x@example.jp\n{h}: Some {v or 'value'} here\nSubject: s\n\n550 user unknown\n".encode())
        for m in markers:
            words = m if isinstance(m, str) else "--- The following addresses had delivery problems ---"
            texts.append(f"From: x@example.jp\nSubject: s\n\n{words.upper()}\n<a@example.jp> 550\n".encode())
    texts += [p.read_bytes() for p in sorted((Path(__file__).parent / "samples").rglob("*.txt"))]
    claimed = 0
    for raw in texts:
        msg = normalize(raw)
        text = _common.readable_text(msg)
        found = gateways._product(msg, text)
        assert (found and found[0]) == tried_in_turn(msg, text), raw[:200]
        claimed += found is not None
    assert claimed >= 20  # the products' own headers and sentences
