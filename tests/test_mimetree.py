"""The message reader builds the tree the stdlib's compat32 parser builds and reads its fields as Message does."""

from __future__ import annotations

import email
import random
import sys
from email.message import Message as EmailMessage
from email.policy import compat32
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/ is not an installed package

from benchmarks.corpus import CORPUS, available
from bot.reading import mimefields, mimetree
from tests.mime_reference import damage


def _tree(node: mimetree.MimeNode) -> tuple[object, ...]:
    """Everything the reader decides and normalize reads: fields, type, payload, parameters, decoding."""
    body = tuple(_tree(sub) for sub in node.payload) if isinstance(node.payload, tuple) else node.payload
    fields = node.fields
    return (
        fields,
        node.content_type,
        body,
        mimefields.boundary(fields),
        mimefields.charset(fields),
        node.decoded(),
        node.get("from") or "",
    )


def _stdlib_tree(msg: EmailMessage) -> tuple[object, ...]:
    """The same of the stdlib's compat32 tree, asked through its Message API."""
    payload = msg._payload
    if isinstance(payload, list):
        body: object = tuple(_stdlib_tree(sub) for sub in payload)
    else:
        body = (payload or "").encode("ascii", "surrogateescape")
    return (
        tuple(msg._headers),
        msg.get_content_type(),
        body,
        msg.get_boundary(),
        msg.get_content_charset(),
        msg.get_payload(decode=True),
        str(msg.get("from", "")),
    )


def _stdlib(raw: bytes) -> tuple[object, ...]:
    return _stdlib_tree(email.message_from_bytes(raw, policy=compat32))


def _generated(rng: random.Random, depth: int = 0) -> list[str]:
    """A random MIME message as lines: nested multiparts, digests, attached messages, status blocks."""
    out = ["From MAILER-DAEMON Mon Jan  1 00:00:00 2024\n"] if rng.random() < 0.2 else []
    out += [rng.choice(["Subject: x\n", "Received: from a\n", "\tby b\n", "To: c@d\n", "X-Y:\n"])]
    out += [rng.choice(["Date: now\n", " folded\n"]) for _ in range(rng.randint(0, 2))]
    kind = rng.choice(["leaf", "multi", "digest", "rfc822", "status"]) if depth < 3 else "leaf"
    boundary = rng.choice(["XX", "YY", f"b{depth}"])
    if kind == "leaf":
        out += [rng.choice(["Content-Type: text/plain\n", "Content-Transfer-Encoding: base64\n", ""])]
        out += [rng.choice(["\n", "", "\n\n"])]
        out += [
            rng.choice(["hello\n", "\n", f"--{boundary}x\n", "no header: here\n"])
            for _ in range(rng.randint(0, 3))
        ]
    elif kind in ("multi", "digest"):
        out += [
            f'Content-Type: multipart/{"digest" if kind == "digest" else "mixed"}; boundary="{boundary}"\n\n'
        ]
        out += [rng.choice(["preamble\n", "\n"]) for _ in range(rng.randint(0, 2))]
        for _ in range(rng.randint(1, 3)):
            out += [f"--{boundary}" + rng.choice(["\n", " \n"]), *_generated(rng, depth + 1)]
        out += [f"--{boundary}--" + rng.choice(["\n", "", "  \n"])]
        out += [rng.choice(["epilogue\n", "\n"]) for _ in range(rng.randint(0, 2))]
    elif kind == "rfc822":
        out += [rng.choice(["Content-Type: message/rfc822\n\n", "Content-Type: text/rfc822-headers\n\n"])]
        out += _generated(rng, depth + 1)
    else:
        out += ["Content-Type: message/delivery-status\n\n"]
        for i in range(rng.randint(0, 3)):
            out += [rng.choice(["\n", "\n\n"])] if i else []
            out += [
                rng.choice(["Status: 5.1.1\n", "Action: failed\n", " cont\n", "junk\n"]) for _ in range(3)
            ]
    return out


def test_generated_messages_read_as_the_stdlib_reads_them() -> None:
    """Random well-formed and damaged (lines dropped, doubled, inserted) messages give the stdlib's tree."""
    rng = random.Random(20)
    for _ in range(1500):
        lines = _generated(rng)
        damage(rng, lines, ["\n", "--XX\n", "--XX--\n", "From x\n", " c\n", ": x\n", "\r"], rng.choice([0, 1, 2]))
        raw = "".join(lines).encode()
        assert _tree(mimetree.message_from_bytes(raw)) == _stdlib(raw), raw


def test_raw_eight_bit_and_odd_lines_read_as_the_stdlib_reads_them() -> None:
    """8-bit bytes, CR line ends, a missing separator, long blanks, lines, names and blocks give the stdlib's tree."""
    samples = [
        b"Subject: \xe3\x81\x82\nContent-Type: text/plain\n\n\xe3\x81\x82\n",
        b"Subject: a\r\nContent-Type: text/plain\r\n\r\nbody\r\n",
        b"Subject: a\nno colon line\nbody\n",
        b'Content-Type: multipart/mixed; boundary="B"\n\n--B' + b" " * 1200 + b"\n\nx\n--B--\n",
        b'Content-Type: multipart/mixed; boundary="B"\n\n--B\n\nx\n--B--\n--B\n\ny\n',
        b"Content-Type: multipart/mixed\n\nno boundary parameter\n",
        b"X-Long: " + b"a" * 100_500 + b"\nSubject: after a long line\n\nbody\n",
        b"".join(b"X-%d: v\n" % i for i in range(2500)) + b"\nbody\n",
        b"X" * 1200 + b": a long field name\n\nbody\n",
    ]
    for raw in samples:
        assert _tree(mimetree.message_from_bytes(raw)) == _stdlib(raw), raw


@pytest.mark.skipif(not available(), reason="shared corpus not found")
def test_corpus_reads_as_the_stdlib_reads_it() -> None:
    """Every corpus message (line ends as normalize passes them) gives the stdlib's tree."""
    for path in sorted((CORPUS / "emails").glob("*.eml")):
        raw = path.read_bytes().replace(b"\r\n", b"\n")
        assert _tree(mimetree.message_from_bytes(raw)) == _stdlib(raw), path.name
