"""Input bounds: however much text arrives, the pipeline reads a bounded amount of it."""

from __future__ import annotations

from bot.limits import MAX_INPUT_BYTES, MAX_PART_CHARS, MAX_TEXT_CHARS
from bot.reading.normalize import normalize

_HEAD = 'From: MAILER-DAEMON@example.jp\nSubject: Undelivered Mail\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n'


def _many_parts(count: int) -> str:
    part = "--B\nContent-Type: text/plain\n\n" + ("550 5.1.1 <a@example.jp>: User unknown\n" * 5000)
    return _HEAD + part * count + "--B--\n"


def test_a_whole_message_of_many_parts_is_read_up_to_the_total_bound() -> None:
    """A message of many large text parts gives at most MAX_TEXT_CHARS of text, the first parts first."""
    data = _many_parts(12).encode()
    assert len(data) < MAX_INPUT_BYTES
    msg = normalize(data)
    assert sum(len(p.text) for p in msg.parts) <= MAX_TEXT_CHARS
    assert all(len(p.text) <= MAX_PART_CHARS for p in msg.parts)
    assert msg.parts[0].text.startswith("550 5.1.1 <a@example.jp>")


def test_pasted_mime_of_many_parts_is_read_up_to_the_total_bound() -> None:
    """Raw MIME pasted without its headers is bounded the same way."""
    msg = normalize(_many_parts(12).split("\n\n", 1)[1])
    assert 0 < sum(len(p.text) for p in msg.parts) <= MAX_TEXT_CHARS
