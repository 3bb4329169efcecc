"""Hostile texts for the growth tests: worst cases for backtracking and for per-line or per-block work.

TEXTS[name](n) gives a text of about n characters whose content grows in proportion with n (so 8n
characters are 8 times the work of n for linear code).
"""

from __future__ import annotations

from collections.abc import Callable


def fill(unit: str, n: int) -> str:
    """A unit repeated to n characters."""
    return (unit * (n // len(unit) + 1))[:n]


def lines(unit: str, n: int, width: int = 3999) -> str:
    """Lines of `width` characters of a repeated unit, about n characters in all."""
    line = fill(unit, width)
    return "\n".join([line] * max(1, round(n / (width + 1))))


# The top of a whole message, for the texts sent as bytes.
HEAD = (
    "From: MAILER-DAEMON@example.jp\nTo: sender@example.org\nSubject: Undelivered Mail Returned to Sender\n"
    'MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="XYZ"\n\n'
)
# One marker of each family the parsers look for, in one block.
_MARKERS = (
    "--XYZ\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.jp\n\n"
    "Final-Recipient: rfc822; a@example.jp\nAction: failed\nStatus: 5.1.1\nRemote-MTA: dns; mx.example.jp\n"
    "Diagnostic-Code: smtp; 550 5.1.1 <a@example.jp>: Recipient address rejected: User unknown\n"
    "----- The following addresses had permanent fatal errors -----\n<a@example.jp>\n"
    "   ----- Transcript of session follows -----\n... while talking to mx.example.jp.:\n"
    ">>> RCPT To:<a@example.jp>\n<<< 550 5.1.1 <a@example.jp>... User unknown\n"
    "a@example.jp\n    host mx.example.jp [192.0.2.1]\n    SMTP error from remote mail server after RCPT TO:<a@example.jp>:\n"
    "<a@example.jp>: host mx.example.jp[192.0.2.1] said: 550 5.1.1 User unknown (in reply to RCPT TO command)\n"
    "Delivery has failed to these recipients or groups:\na@example.jp\nRemote Server returned '550 5.1.1 User unknown'\n"
    "Your message to a@example.jp couldn't be delivered.\nError Details\nReported error: 550 5.1.1 RESOLVER.ADR.RecipNotFound\n"
    "The following message to <a@example.jp> was undeliverable.\nReason: Remote SMTP Server Returned: 550 5.1.1\n"
    "配信不能: a@example.jp\nアドレスが見つかりませんでした\n次の受信者またはグループへの配信に失敗しました:\n"
)
TEXTS: dict[str, Callable[[int], str]] = {
    "spaces": lambda n: lines(" ", n) + "x",
    "one-run-of-spaces": lambda n: fill(" ", n) + "x",
    "tabs-and-spaces": lambda n: lines("\t \t  ", n) + "x",
    "a@": lambda n: lines("a@", n),
    "angle-brackets": lambda n: lines("<", n),
    "bracketed-addresses": lambda n: lines("<<<<a@b.c>>>>", n),
    "digits-and-dots": lambda n: lines("5.", n),
    "status-codes": lambda n: lines("550 5.5.5.5.5 ", n),
    "encoded-words": lambda n: lines("=?utf-8?b?", n),
    "encoded-word-heads": lambda n: lines("=?a?q?", n),
    "valid-encoded-words": lambda n: fill("=?utf-8?q?caf=C3=A9?= ", n),
    "content-type-lines": lambda n: fill("Content-Type: text/plain\n", n),
    "content-type-run": lambda n: lines("Content-Type:", n),
    "quote-run": lambda n: lines(">", n),
    "nested-quoting": lambda n: "\n".join(
        ">" * (i % 100) + " 550 5.1.1 <a@example.jp> user unknown" for i in range(n // 90)
    ),
    "reply-line-4000": lambda n: lines("550 5.1.1 <a@example.jp>: User unknown; ", n),
    "boundary-lines": lambda n: fill("--XYZ\n", n),
    "boundary-parts": lambda n: fill("--XYZ\nContent-Type: text/plain\n\n550 5.1.1 <a@example.jp>\n", n),
    "japanese": lambda n: lines("配信不能宛先が見つかりませんでした送信できません", n // 3, width=1333),
    "markers": lambda n: fill(_MARKERS, n),
    "dashes-then-letter": lambda n: "\n".join(["-" * 3990 + "x"] * (n // 3991)),
    "html-openers": lambda n: fill("<html", n),
    "style-openers": lambda n: fill("<style><p>", n),
    "dsn-fields": lambda n: fill("Final-Recipient: rfc822; a@example.jp\nStatus: 5.1.1\n", n),
    "many-recipients": lambda n: "".join(
        f"<u{i}@d{i}.example.jp>: 550 5.1.1 User unknown\n" for i in range(n // 40)
    )[:n],
}
