"""RFC 2047 encoded words (bot.reading.encodedwords): the stdlib's answers where it is right, and
a readable one where it failed."""

from __future__ import annotations

import base64
import email.header

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.reading.charsets import decode_bytes, decode_header_value

CHARSETS = ("utf-8", "iso-2022-jp", "shift_jis", "euc-jp")
_CODECS = {"utf-8": "utf-8", "iso-2022-jp": "iso2022_jp_ext", "shift_jis": "cp932", "euc-jp": "euc_jis_2004"}


def _stdlib(value: str) -> str:
    """What the reader gave before: email.header.decode_header, each chunk in its charset."""
    chunks = email.header.decode_header(value)
    text = "".join(
        part.decode(_CODECS.get((cs or "utf-8").lower(), cs or "utf-8"), "replace") if isinstance(part, bytes) else part
        for part, cs in chunks
    )
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("value", "text"),
    [
        # A Japanese Subject as Outlook writes it: ISO-2022-JP in B, folded onto two lines.
        ("=?iso-2022-jp?B?GyRCR1s/LklURz0bKEI=?=\n =?iso-2022-jp?B?GyRCJE4kKkNOJGkkOxsoQg==?=", "配信不能のお知らせ"),
        ("Undeliverable: =?utf-8?q?=E9=85=8D=E4=BF=A1_=E4=B8=8D=E8=83=BD?=", "Undeliverable: 配信 不能"),
        ("=?UTF-8?B?5a6b5YWI?= =?UTF-8?B?5LiN5piO?=", "宛先不明"),  # the blank between two words is dropped
        ("=?utf-8?b?5a6b?= and =?utf-8?b?5YWI?=", "宛 and 先"),  # text between words stays
        ("=?utf-8?b?5a4=?= =?utf-8?b?mw==?=", "宛"),  # one character's bytes split across two words
        ("=?shift_jis?B?k/qWe4zq?=", "日本語"),
        ("=?utf-8*ja?B?5a6b5YWI?=", "宛先"),  # RFC 2231 language after the charset
        ("=??q?plain?=", "plain"),  # no charset named: UTF-8
    ],
)
def test_words_are_decoded(value: str, text: str) -> None:
    """Encoded words become their text, as RFC 2047 reads them."""
    assert decode_header_value(value) == text


def test_charsets_that_raise_are_guessed_not_fatal() -> None:
    """Codecs that raise UnicodeError ("undefined", "idna", "punycode") are skipped like unknown ones."""
    assert decode_header_value("=?undefined?B?QQ==?=") == "A"
    assert decode_header_value("=?idna?Q?xn--abc-?=") == "xn--abc-"
    assert decode_bytes("宛先".encode(), "undefined") == "宛先"


def test_q_words_keep_an_equals_sign_that_escapes_nothing() -> None:
    """"=" not followed by two hex digits stays, at the end too (as the stdlib's header_decode)."""
    assert decode_header_value("=?utf-8?q?a=?=") == "a="
    assert decode_header_value("=?utf-8?q?x_y=3D=4?=") == "x y==4"


def test_what_the_stdlib_failed_on_is_read() -> None:
    """A B word of impossible length stays as written (the stdlib raised); raw Japanese beside a word stays."""
    assert decode_header_value("Subject =?utf-8?b?A?= x") == "Subject =?utf-8?b?A?= x"
    assert decode_header_value("配信 =?utf-8?b?5LiN6IO9?=") == "配信 不能"
    assert decode_header_value("=?x-unknown-8bit?B?k/qWe4zq?=") == "日本語"  # an unknown charset: guessed


_WORDS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12)
_PLAIN = st.text(alphabet="abcdefghij XYZ:.,()<>@-", max_size=10).filter(lambda s: "=?" not in s)


@st.composite
def _values(draw: st.DrawFn) -> str:
    pieces = []
    folded = False
    for _ in range(draw(st.integers(1, 4))):
        # After a fold, a word follows at once: the stdlib drops the blank that begins a folded
        # line (RFC 5322 keeps it), so text there is where the two answers rightly differ.
        pieces.append("" if folded else draw(_PLAIN))
        charset = draw(st.sampled_from(CHARSETS))
        word = draw(_WORDS)
        try:
            raw = word.encode(_CODECS[charset])
        except UnicodeEncodeError:
            raw = word.encode("utf-8")
            charset = "utf-8"
        if draw(st.booleans()):
            encoded = f"=?{charset}?B?{base64.b64encode(raw).decode()}?="
        else:
            encoded = f"=?{charset}?Q?{''.join(chr(b) if 32 < b < 127 and chr(b) not in '=?_' else f'={b:02X}' for b in raw)}?="
        after = draw(st.sampled_from(["", " ", "\n "]))
        folded = after == "\n "
        pieces.append(encoded + after)
    return "".join(pieces)


@settings(max_examples=300, deadline=None)
@given(_values())
def test_the_stdlib_answer_wherever_it_is_right(value: str) -> None:
    """Well-formed words between ASCII text decode as email.header decodes them."""
    assert decode_header_value(value) == _stdlib(value)


def test_a_word_in_the_wrong_charset_is_guessed() -> None:
    """Shift_JIS bytes labelled ISO-2022-JP (a common mislabel) are read as a body's bytes are."""
    raw = "日本語".encode("cp932")
    value = f"=?iso-2022-jp?B?{base64.b64encode(raw).decode()}?="
    assert decode_header_value(value) == decode_bytes(raw, "iso-2022-jp") == "日本語"


def test_a_bounce_in_a_charset_that_raises_is_still_read() -> None:
    """A Subject word and a body in "undefined" (a codec that always raises) no longer stop the analysis."""
    from bot.diagnose import analyse

    raw = (
        b"From: MAILER-DAEMON@mx.example.jp\nTo: taro@example.org\nSubject: =?undefined?B?QQ==?=\n"
        b"MIME-Version: 1.0\nContent-Type: text/plain; charset=undefined\n\n"
        b"<kenji@example.jp>: host mx.example.jp[192.0.2.1] said: 550 5.1.1 <kenji@example.jp>:\n"
        b"    Recipient address rejected: User unknown (in reply to RCPT TO command)\n"
    )
    diagnosis = analyse(raw, source="undefined.eml")
    assert diagnosis.error is None
    assert [r.failure.address for r in diagnosis.recipients] == ["kenji@example.jp"]
