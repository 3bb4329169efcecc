"""normalize() over the hand-written MIME reader gives the Message the stdlib-based reader gave."""

from __future__ import annotations

import base64
import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/ is not an installed package

from benchmarks.corpus import CORPUS, available
from bot.reading import normalize as normalize_module
from bot.reading.mimetree import message_from_bytes
from bot.reading.normalize import normalize
from bot.reading.utf16 import to_utf8
from tests.mime_reference import damage, reference_tree, reference_whole

SAMPLES = Path(__file__).parent / "samples"


def _assert_same(data: bytes, label: str) -> None:
    """The whole message (when normalize reads data as one) and data read as a tree normalize alike."""
    raw = to_utf8(data, max_chars=normalize_module._UTF16_CHARS)
    if normalize_module._looks_whole(raw):
        assert normalize(data) == reference_whole(raw), label
    lf = raw.replace(b"\r\n", b"\n")  # what a paste's raw MIME is read as
    assert normalize_module._from_email(message_from_bytes(lf)) == reference_tree(lf), label


def test_every_sample_normalizes_as_before() -> None:
    """Each file of tests/samples gives the Message the stdlib-based reader gave."""
    files = sorted(p for p in SAMPLES.rglob("*") if p.is_file())
    assert len(files) > 200
    for path in files:
        _assert_same(path.read_bytes(), str(path.relative_to(SAMPLES)))


@pytest.mark.skipif(not available(), reason="shared corpus not found")
def test_every_corpus_message_normalizes_as_before() -> None:
    """Each corpus message gives the Message the stdlib-based reader gave."""
    files = sorted((CORPUS / "emails").iterdir())
    assert len(files) > 400
    for path in files:
        _assert_same(path.read_bytes(), path.name)


_HEAD = b"From: MAILER-DAEMON@mx.example.net\nTo: taro@example.org\nSubject: Undelivered Mail\nMIME-Version: 1.0\n"
_STATUS = (
    b"Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n"
    b"Final-Recipient: rfc822; kenji@example.jp\nAction: failed\nStatus: 5.1.1\n"
    b"Diagnostic-Code: smtp; 550 5.1.1 <kenji@example.jp>: user unknown\n"
)
_B64 = base64.b64encode("宛先が見つかりません: 550 5.1.1 user unknown\n".encode()).decode()


def _report(*parts: bytes, boundary: bytes = b"B", close: bool = True, head: bytes = _HEAD) -> bytes:
    body = b"".join(b"--" + boundary + b"\n" + p + b"\n" for p in parts)
    return (
        head
        + b'Content-Type: multipart/report; report-type=delivery-status; boundary="'
        + boundary
        + b'"\n\npreamble\n'
        + body
        + (b"--" + boundary + b"--\nepilogue\n" if close else b"")
    )


_TEXT = b"Content-Type: text/plain; charset=utf-8\n\nThe message could not be delivered.\n"
MALFORMED = {
    "well formed": _report(_TEXT, _STATUS),
    "no close line": _report(_TEXT, _STATUS, close=False),
    "truncated part": _report(_TEXT, _STATUS)[:-60],
    "truncated in the headers": _report(_TEXT, _STATUS)[: len(_HEAD) + 150],
    "bad base64 padding": _report(b"Content-Transfer-Encoding: base64\n\n" + _B64[:-3].encode(), _STATUS),
    "base64 with junk": _report(b"Content-Transfer-Encoding: base64\n\n" + _B64[:20].encode() + b"!*\n" + _B64[20:].encode(), _STATUS),
    "base64 one too long": _report(b"Content-Transfer-Encoding: BASE64\n\nQUJDR\n", _STATUS),
    "quoted-printable": _report(b"Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nUser unkn=\nown: caf=E9 =3D\n", _STATUS),
    "cte with a blank after it": _report(b"Content-Transfer-Encoding: base64 \n\n" + _B64.encode(), _STATUS),
    "unknown charset": _report(b"Content-Type: text/plain; charset=x-no-such-charset\n\n\xe5\xae\x9b\xe5\x85\x88 550\n", _STATUS),
    "charset beyond ascii": _report(b"Content-Type: text/plain; charset=\xe5\xae\x9b\n\nbody 550\n", _STATUS),
    "shift_jis": _report("Content-Type: text/plain; charset=shift_jis\n\n宛先不明 550 5.1.1\n".encode("cp932"), _STATUS),
    "duplicated headers": _report(b"Content-Type: text/html\nContent-Type: text/plain\n\n<p>550 user unknown</p>\n", _STATUS)
    + b"",
    "duplicated content-type at the top": _HEAD.replace(b"MIME", b"Content-Type: text/plain\nMIME") + b"Content-Type: multipart/mixed; boundary=B\n\n--B\n\nx\n--B--\n",
    "missing boundary parameter": _HEAD + b"Content-Type: multipart/report\n\n--B\nContent-Type: text/plain\n\n550 5.1.1 user unknown\n--B--\n",
    "boundary with trailing blanks": _report(_TEXT, _STATUS, boundary=b"B  ").replace(b'"B  "', b'"B  "'),
    "boundary lines with trailing blanks": _report(_TEXT, _STATUS).replace(b"--B\n", b"--B \t\n"),
    "part without headers": _report(b"\n550 5.1.1 user unknown\n", _STATUS),
    "part without blank line": _report(b"550 5.1.1 user unknown\n", _STATUS),
    "crlf": _report(_TEXT, _STATUS).replace(b"\n", b"\r\n"),
    "mixed line ends": _report(_TEXT, _STATUS).replace(b"\n", b"\r\n", 5),
    "lone cr": _report(_TEXT, _STATUS).replace(b"preamble\n", b"pre\ramble\n"),
    "8-bit headers": _HEAD.replace(b"Undelivered Mail", "配信不能".encode()) + "X-Note: 宛先 \xa0".encode() + b"\n\nbody\n",
    "8-bit headers in cp932": _HEAD.replace(b"Undelivered Mail", "配信不能".encode("cp932")) + b"\nbody 550\n",
    "rfc 2047 subject": _HEAD.replace(b"Undelivered Mail", b"=?ISO-2022-JP?B?GyRCR1s/LklURz0bKEI=?=") + b"\nbody\n",
    "8-bit content-type": _HEAD + "Content-Type: text/plain; charset=\"utf-8\" 宛\n\nbody\n".encode(),
    "nested forward": _HEAD
    + b"Content-Type: multipart/mixed; boundary=OUT\n\n--OUT\nContent-Type: text/plain\n\nFYI\n--OUT\n"
    + b"Content-Type: message/rfc822\n\n"
    + _report(_TEXT, _STATUS, boundary=b"IN", head=_HEAD.replace(b"Subject", b"X-Inner"))
    + b"\n--OUT--\n",
    "forward of a forward": _HEAD
    + b"Content-Type: message/rfc822\n\n"
    + _HEAD.replace(b"MAILER-DAEMON", b"desk")
    + b"Content-Type: message/rfc822\n\n"
    + _report(_TEXT, _STATUS, boundary=b"IN2"),
    "text/rfc822-headers": _report(_TEXT, _STATUS, b"Content-Type: text/rfc822-headers\n\nFrom: a@example.org\nTo: kenji@example.jp\n\nnot read\n"),
    "message/rfc822 original": _report(_TEXT, _STATUS, b"Content-Type: message/rfc822\n\nFrom: a@example.org\nSubject: hi\n\nbody\n"),
    "rfc 2231 boundary": _HEAD + b"Content-Type: multipart/mixed; boundary*0=\"AB\"; boundary*1=\"CD\"\n\n--ABCD\n\n550 x\n--ABCD--\n",
    "rfc 2231 encoded boundary": _HEAD + b"Content-Type: multipart/mixed; boundary*=us-ascii'en'A%42C\n\n--ABC\n\n550 x\n--ABC--\n",
    "rfc 2231 charset": _report(b"Content-Type: text/plain; charset*=''iso-2022-jp\n\n\x1b$B08@h\x1b(B 550\n", _STATUS),
    "rfc 2231 charset with unknown codec": _report(b"Content-Type: text/plain; charset*=x-bad'en'utf-8\n\n550\n", _STATUS),
    "quoted parameters with semicolons": _HEAD + b'Content-Type: multipart/mixed; name="a;b"; boundary="X;Y"\n\n--X;Y\n\n550 x\n--X;Y--\n',
    "folded content-type": _HEAD + b"Content-Type: multipart/mixed;\n\tboundary=\"F\"\n\n--F\n\n550 x\n--F--\n",
    "bare content-type": _HEAD + b"Content-Type: text\n\n550 x\n",
    "digest": _HEAD + b"Content-Type: multipart/digest; boundary=D\n\n--D\n\nFrom: a\nSubject: x\n\n550 x\n--D--\n",
    "empty status part": _report(_TEXT, b"Content-Type: message/delivery-status\n\n"),
    "status part with blank lines": _report(_TEXT, _STATUS.replace(b"\n\n", b"\n\n\n\n")),
    "uuencoded": _report(b"Content-Transfer-Encoding: x-uuencode\n\nbegin 644 a.txt\n#86)C\n`\nend\n", _STATUS),
    "envelope line": b"From MAILER-DAEMON Mon Jan  1 00:00:00 2024\n" + _report(_TEXT, _STATUS),
}


def test_malformed_messages_normalize_as_before() -> None:
    """Hand-made damaged and odd MIME gives the Message the stdlib-based reader gave."""
    for label, raw in MALFORMED.items():
        _assert_same(raw, label)


def test_random_damage_normalizes_as_before() -> None:
    """The malformed messages with lines dropped, doubled or cut give the same Message."""
    rng = random.Random(11)
    pieces = [b"\n", b"--B\n", b"--B--\n", b"--IN\n", b" cont\n", b"Content-Type: message/rfc822\n", b"\r\n", b"=\n"]
    for _ in range(600):
        lines = rng.choice(list(MALFORMED.values())).splitlines(keepends=True)
        damage(rng, lines, pieces, rng.randint(1, 3), cut=True)
        _assert_same(b"".join(lines) or b"x", repr(lines))


def test_line_ends_converted_twice_read_as_one(tmp_path: Path) -> None:
    """CR CR LF (a message whose line ends were converted twice) reads as its LF twin does, in our reader."""
    lf = _report(_TEXT, _STATUS)
    head, _, body = lf.replace(b"\n", b"\r\n").partition(b"\r\n\r\n")  # as in a relayed SMTP reply: the body's
    doubled = head + b"\r\n\r\n" + body.replace(b"\r\n", b"\r\r\n")  # lines converted twice
    assert normalize(doubled) == normalize(lf) == normalize(lf.replace(b"\n", b"\r\n"))
    # Read without the stdlib's parser: a process that reads it never imports email.parser.
    sample = tmp_path / "doubled.eml"
    sample.write_bytes(doubled)
    probe = (
        "import sys\nfrom bot.reading.normalize import normalize\n"
        f"normalize(open({str(sample)!r}, 'rb').read())\nprint('email.parser' in sys.modules)\n"
    )
    import subprocess

    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                         cwd=Path(__file__).resolve().parents[1])
    assert run.stdout.strip() == "False", run.stderr
