"""normalize(): whole messages in any charset and encoding, pasted fragments, bad input."""

from __future__ import annotations

import base64
import quopri

import pytest

from bot.errors import BinaryInput, EmptyInput, InputTooLarge
from bot.limits import MAX_INPUT_BYTES
from bot.reading.normalize import normalize

JA_TEXT = "宛先のメールアドレスが見つかりませんでした。"


def _whole(body: bytes, *, charset: str, encoding: str = "7bit", subject: str = "Returned mail") -> bytes:
    head = (
        "From: MAILER-DAEMON@example.jp\r\n"
        "To: sender@example.org\r\n"
        f"Subject: {subject}\r\n"
        "MIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset={charset}\r\n"
        f"Content-Transfer-Encoding: {encoding}\r\n\r\n"
    )
    return head.encode("ascii") + body


def test_iso_2022_jp_body_and_encoded_subject() -> None:
    """An ISO-2022-JP body and an RFC 2047 subject come out as Unicode."""
    subject = "=?ISO-2022-JP?B?" + base64.b64encode("配信不能".encode("iso2022_jp")).decode() + "?="
    msg = normalize(_whole(JA_TEXT.encode("iso2022_jp"), charset="iso-2022-jp", subject=subject))
    assert msg.whole
    assert JA_TEXT in msg.text
    assert msg.subject == "配信不能"


def test_shift_jis_body() -> None:
    """A Shift_JIS body is decoded (as CP932, its superset)."""
    msg = normalize(_whole(JA_TEXT.encode("cp932"), charset="shift_jis", encoding="8bit"))
    assert JA_TEXT in msg.text


def test_utf8_base64_body() -> None:
    """A base64 UTF-8 body is decoded."""
    body = base64.encodebytes(JA_TEXT.encode("utf-8"))
    msg = normalize(_whole(body, charset="utf-8", encoding="base64"))
    assert JA_TEXT in msg.text


def test_quoted_printable_body() -> None:
    """A quoted-printable body is decoded, soft line breaks joined."""
    line = (
        "550 5.1.1 <kijitora@example.jp>: Recipient address rejected: User unknown in local recipient table"
    )
    body = quopri.encodestring(line.encode("utf-8"))
    msg = normalize(_whole(body, charset="utf-8", encoding="quoted-printable"))
    assert line in msg.text


def test_pasted_quoted_printable() -> None:
    """Pasted QP (soft breaks and =XX escapes) is decoded."""
    pasted = "=E5=AE=9B=E5=85=88=E4=B8=8D=E6=98=8E: <a@example.jp>=\n 550 5.1.1 User unknown =3D"
    text = normalize(pasted).text
    assert "宛先不明" in text
    assert "550 5.1.1 User unknown =" in text


def test_slack_escaping_is_undone() -> None:
    """Slack's &lt;/&gt; entities and <mailto:a|a> links become plain text."""
    pasted = "&lt;<mailto:kijitora@example.jp|kijitora@example.jp>&gt;: 550 5.1.1 User unknown &amp; gone"
    text = normalize(pasted).text
    assert text == "<kijitora@example.jp>: 550 5.1.1 User unknown & gone"


def test_undecoded_iso_2022_jp_inside_a_field() -> None:
    """Raw ISO-2022-JP escape runs left in a field value (a Japanese Diagnostic-Code) are decoded."""
    jis = "ユーザーが見つかりません".encode("iso2022_jp").decode("ascii")
    text = normalize(
        f"Final-Recipient: rfc822; a@example.jp\nStatus: 5.0.0\nDiagnostic-Code: smtp; {jis}"
    ).text
    assert "Diagnostic-Code: smtp; ユーザーが見つかりません" in text


def test_slack_code_block_and_invisible_characters() -> None:
    """Slack's ``` fences, inline backticks and zero-width characters are removed from a paste."""
    pasted = "```\n`550 5.1.1 <a@example.jp>:\u200b User unknown`\n```"
    assert normalize(pasted).text.strip() == "550 5.1.1 <a@example.jp>: User unknown"


def test_pasted_html_part_becomes_text() -> None:
    """A web mail's HTML part pasted raw reads as text; addresses written as entities survive."""
    pasted = "Bounce\n<html><body><p>Delivery to &lt;a@example.jp&gt; failed:</p><br>550 5.1.1 User unknown</body></html>"
    lines = [line for line in normalize(pasted).text.split("\n") if line]
    assert lines == ["Bounce", "Delivery to <a@example.jp> failed:", "550 5.1.1 User unknown"]


def test_slack_escaped_html_part_becomes_text() -> None:
    """The same HTML pasted through Slack (escaped once more) reads the same."""
    html = (
        "<html><body><p>Delivery to &lt;a@example.jp&gt; failed:</p><br>550 5.1.1 User unknown</body></html>"
    )
    pasted = html.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    lines = [line for line in normalize(pasted).text.split("\n") if line]
    assert lines == ["Delivery to <a@example.jp> failed:", "550 5.1.1 User unknown"]


def test_crlf_becomes_lf() -> None:
    """CRLF and bare CR line ends are unified."""
    text = normalize("line one\r\nline two\rline three").text
    assert text.split("\n") == ["line one", "line two", "line three"]


def test_quoted_paste_loses_one_level_per_quote() -> None:
    """A paste quoted with '>' is unquoted; sendmail's '>>>' transcript lines inside it survive."""
    pasted = "> ----- Transcript of session follows -----\n> >>> RCPT To:<a@example.jp>\n> <<< 550 5.1.1 User unknown"
    lines = normalize(pasted).text.split("\n")
    assert lines == [
        "----- Transcript of session follows -----",
        ">>> RCPT To:<a@example.jp>",
        "<<< 550 5.1.1 User unknown",
    ]


def test_unquoted_transcript_keeps_smtp_echo() -> None:
    """An unquoted paste keeps its '>>> DATA' and '<<<' lines as they are."""
    pasted = "... while talking to mx.example.jp.:\n>>> DATA\n<<< 550 5.1.1 <a@example.jp>... User Unknown"
    assert ">>> DATA" in normalize(pasted).text


def test_rewrapped_lines_are_kept() -> None:
    """Lines a mail client re-wrapped stay in order, for the parsers to join."""
    pasted = "<a@example.jp>: host mx.example.jp[192.0.2.1] said: 550 5.1.1\nUser unknown (in reply to RCPT TO\ncommand)"
    assert normalize(pasted).text.split("\n")[1:] == ["User unknown (in reply to RCPT TO", "command)"]


def test_broken_mime_boundary_still_yields_text() -> None:
    """A multipart message whose boundary never appears still shows its text."""
    raw = (
        b"From: MAILER-DAEMON@example.jp\nTo: s@example.org\nSubject: Undelivered Mail Returned to Sender\n"
        b"MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status;\n"
        b'    boundary="LOST"\n\n'
        b"--OTHER\nContent-Type: text/plain\n\n<a@example.jp>: host mx.example.jp[192.0.2.1] said: 550 5.1.1 User unknown\n"
        b"--OTHER--\n"
    )
    assert "550 5.1.1 User unknown" in normalize(raw).text


def test_pasted_raw_mime_is_split_into_parts() -> None:
    """Raw MIME pasted without its top headers is split at the boundary lines, by part type."""
    pasted = (
        "--B0UNDARY1\nContent-Type: text/plain\n\nThe mail system\n\n"
        "--B0UNDARY1\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; a@example.jp\nStatus: 5.1.1\n"
        "--B0UNDARY1--\n"
    )
    parts = normalize(pasted).parts
    assert [p.content_type for p in parts] == ["text/plain", "message/delivery-status"]


@pytest.mark.parametrize("data", [b"", "   \n\t ", b"\r\n\r\n"])
def test_empty_input_is_a_typed_error(data: bytes | str) -> None:
    """Empty or blank input raises EmptyInput (error id empty-input)."""
    with pytest.raises(EmptyInput) as caught:
        normalize(data)
    assert caught.value.error_id == "empty-input"


def test_binary_input_is_a_typed_error() -> None:
    """Bytes full of control characters raise BinaryInput."""
    with pytest.raises(BinaryInput):
        normalize(bytes(range(256)) * 64)


def test_huge_input_is_a_typed_error() -> None:
    """More than MAX_INPUT_BYTES raises InputTooLarge before any decoding."""
    with pytest.raises(InputTooLarge):
        normalize(b"a" * (MAX_INPUT_BYTES + 1))


def test_long_lines_are_cut() -> None:
    """No line reaching the parsers is longer than the line limit."""
    from bot.limits import MAX_LINE_CHARS

    text = normalize("x" * (MAX_LINE_CHARS * 3)).text
    assert max(len(line) for line in text.split("\n")) <= MAX_LINE_CHARS


def test_a_line_at_the_limit_stays_whole_and_one_past_it_is_cut() -> None:
    """The limit itself: a part of exactly MAX_LINE_CHARS characters is kept, one more is cut (in a
    whole message too, where each MIME part is cleaned on its own)."""
    from bot.limits import MAX_LINE_CHARS

    for size, kept in ((MAX_LINE_CHARS, MAX_LINE_CHARS), (MAX_LINE_CHARS + 1, MAX_LINE_CHARS)):
        line = "550 5.1.1 " + "y" * (size - 10)
        assert [len(x) for x in normalize(line).text.split("\n")] == [kept]
        raw = f"From: MAILER-DAEMON@example.org\nSubject: Undelivered\nContent-Type: text/plain\n\n{line}\nshort\n"
        assert [len(x) for x in normalize(raw.encode()).text.split("\n")][:2] == [kept, 5]
