"""MTA-family parsers, the RFC 3464 decoder and the scanner: corpus agreement and pasted one-liners."""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/ is not an installed package

from disagreements import statuses_covered

from benchmarks.corpus import available, pasted_form, samples
from bot.models import Failure
from bot.reading import parsers
from bot.reading.normalize import normalize
from bot.reading.parsers._common import clean_address, find_phase, find_reply_code, find_status
from bot.vocab import Phase

# The corpus families these parsers answer for (lhost-<family>-NN.eml, rfc3464-NN.eml).
FAMILIES = (
    "postfix exim sendmail v5sendmail qmail dragonfly opensmtpd messagingserver courier notes domino "
    "x1 x2 x3 x4 mailru yandex gmx zoho powermta sendgrid imailserver mailfoundry fml apachejames "
    "bigfoot einsundeins"
).split()
_FAMILY = re.compile(r"\A(?:lhost-(" + "|".join(FAMILIES) + r")|rfc3464)-\d+\.eml\Z")

# "rough": the pasted form as it often arrives in chat: re-wrapped at 72 columns by a mail
# client, quoted with "> ", then escaped by Slack (&lt; &gt; &amp;, <mailto:a|a> links).
FORMS = ("whole", "pasted", "rough")


def _rough(text: str) -> str:
    """The pasted text re-wrapped, quoted and Slack-escaped."""
    lines: list[str] = []
    for line in text.split("\n"):
        wrapped = textwrap.wrap(line, 72, break_long_words=False, break_on_hyphens=False)
        lines.extend(wrapped if len(line) > 72 and wrapped else [line])
    quoted = "\n".join("> " + line for line in lines)
    escaped = quoted.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8})", r"<mailto:\1|\1>", escaped)


def _form(raw: bytes, form: str) -> bytes | str:
    if form == "whole":
        return raw
    return pasted_form(raw) if form == "pasted" else _rough(pasted_form(raw))


def _cases() -> list[tuple[str, str]]:
    if not available():
        return []
    return [(s.name, form) for s in samples() if _FAMILY.match(s.name) for form in FORMS]


_SAMPLES = {s.name: s for s in samples()} if available() else {}



def check(name: str, form: str) -> set[str]:
    """Assert one corpus file's recipients and statuses in one form; the disagreements it needed."""
    sample = _SAMPLES[name]
    bounce = parsers.parse(normalize(_form(sample.raw, form)))
    failures = bounce.failures if bounce else ()
    assert len(failures) == len(sample.labels)
    return statuses_covered(failures, sample.labels)


@pytest.mark.skipif(not available(), reason="shared corpus not found")
@pytest.mark.parametrize(("name", "form"), _cases())
def test_corpus_recipients_and_statuses(name: str, form: str) -> None:
    """Each labelled bounce of our families, in each form, yields the labelled recipients and real
    statuses, but where a recorded disagreement (knowledge/disagreements.toml) covers the difference."""
    check(name, form)


# ----------------------------------------------------------------------------- pasted one-liners
def _one(text: str) -> Failure:
    bounce = parsers.parse(normalize(text))
    assert bounce is not None
    assert len(bounce.failures) == 1
    return bounce.failures[0]


def test_gateway_one_liner() -> None:
    """A gateway's Postfix one-liner pasted alone: address, 5.1.1, 550, the whole line, RCPT."""
    line = "550 5.1.1 <a@example.jp>: Recipient address rejected: User unknown in local recipient table"
    failure = _one(line)
    assert failure.address == "a@example.jp"
    assert (failure.status, failure.reply_code) == ("5.1.1", "550")
    assert failure.diagnostic == line
    assert failure.phase is Phase.RCPT


def test_postfix_paragraph_pasted_with_rewrapped_lines() -> None:
    """A Postfix paragraph whose lines a mail client re-wrapped is read as one diagnostic."""
    pasted = (
        "<kijitora@example.jp>: host mx.example.jp[192.0.2.1] said: 550 5.1.1\n"
        "<kijitora@example.jp>: Recipient address rejected: User unknown in local\n"
        "recipient table (in reply to RCPT TO command)\n"
    )
    failure = _one(pasted)
    assert failure.diagnostic.endswith("User unknown in local recipient table (in reply to RCPT TO command)")
    assert (failure.status, failure.remote_mta, failure.phase) == ("5.1.1", "mx.example.jp", Phase.RCPT)


def test_slack_escaped_one_liner() -> None:
    """The same line as Slack delivers it (entities and a mailto link) gives the same failure."""
    failure = _one(
        "550 5.1.1 &lt;<mailto:a@example.jp|a@example.jp>&gt;: Recipient address rejected: User unknown"
    )
    assert (failure.address, failure.status) == ("a@example.jp", "5.1.1")


def test_two_recipients_each_with_its_own_line() -> None:
    """Two pasted `<a>: reply` lines give two failures, each with its own status, in order."""
    pasted = "<a@example.jp>: 550 5.1.1 User unknown\n<b@example.jp>: 552 5.2.2 Mailbox full\n"
    bounce = parsers.parse(normalize(pasted))
    assert bounce is not None
    assert [(f.address, f.status) for f in bounce.failures] == [
        ("a@example.jp", "5.1.1"),
        ("b@example.jp", "5.2.2"),
    ]


def test_ip_address_is_not_a_status() -> None:
    """An IP address in the reply is neither a status nor a reply code."""
    failure = _one(
        "<a@example.jp>: 554 Service unavailable; Client host [192.0.2.10] blocked using zen.example"
    )
    assert (failure.status, failure.reply_code) == (None, "554")


def test_japanese_fragment() -> None:
    """A Japanese sentence with the address and a reply line is a failure for that address."""
    failure = _one("次の宛先へのメールは配信できませんでした: kijitora@example.jp\n550 5.1.1 User unknown")
    assert (failure.address, failure.status, failure.reply_code) == ("kijitora@example.jp", "5.1.1", "550")


def test_exim_fragment_pasted() -> None:
    """An Exim failure pasted from its indented list gives the address and the SMTP error."""
    pasted = (
        "  kijitora@example.jp\n"
        "    SMTP error from remote mail server after RCPT TO:<kijitora@example.jp>:\n"
        "    host mx.example.jp [192.0.2.1]: 550 5.1.1 <kijitora@example.jp>: User unknown\n"
    )
    failure = _one(pasted)
    assert (failure.status, failure.phase, failure.remote_mta) == ("5.1.1", Phase.RCPT, "mx.example.jp")


def test_qmail_japanese_template() -> None:
    """qmail's Japanese report is read as qmail, and the returned copy below it is not a recipient."""
    pasted = (
        "こんにちは。こちらは mx.example.org の qmail-send プログラムです。\n"
        "申し訳ありませんが、以下のアドレスへメッセージを配送できませんでした。\n\n"
        "<kijitora@example.jp>:\n192.0.2.1 does not like recipient.\n"
        "Remote host said: 550 5.1.1 <kijitora@example.jp>: User unknown\nGiving up on 192.0.2.1.\n\n"
        "--- 以下はメッセージのコピーです。\n\nTo: other@example.com\n\n550 5.7.1 <other@example.com>\n"
    )
    bounce = parsers.parse(normalize(pasted))
    assert bounce is not None and bounce.format == "qmail"
    assert [(f.address, f.status, f.phase, f.remote_mta) for f in bounce.failures] == [
        ("kijitora@example.jp", "5.1.1", Phase.RCPT, "192.0.2.1")
    ]


def test_session_lines_give_the_phase() -> None:
    """A pasted session (">>> RCPT TO" then "<<< 550 ...") gives the phase of the refusal."""
    pasted = "<kijitora@example.jp>:\n    mx.example.jp [192.0.2.45]:\n>>> RCPT TO:<kijitora@example.jp>\n<<< 550 5.1.1 User unknown"
    assert _one(pasted).phase is Phase.RCPT


def test_client_header_block_is_not_a_recipient() -> None:
    """The From/To block a mail client shows above a forwarded bounce names no failed recipient."""
    pasted = (
        "差出人: Mail Delivery System <MAILER-DAEMON@mx.example.org>\n送信日時: 2021年1月1日 10:00\n"
        "宛先: 山田 太郎 <taro@example.org>\n件名: Undelivered Mail Returned to Sender\n\n"
        "<kijitora@example.jp>: host mx.example.jp[192.0.2.1] said: 550 5.1.1 User unknown\n"
    )
    assert _one(pasted).address == "kijitora@example.jp"


def test_reply_without_any_address() -> None:
    """A server's reply pasted with a placeholder instead of an address is a failure with no address."""
    failure = _one("550 5.1.2 <受信者のメールアドレス>: Recipient address rejected: Domain not found")
    assert (failure.address, failure.status, failure.reply_code, failure.phase) == (
        "",
        "5.1.2",
        "550",
        Phase.RCPT,
    )


def test_a_number_alone_is_no_bounce() -> None:
    """A bare number after a colon is not a server reply."""
    assert parsers.parse(normalize("Time: 450 ms")) is None


def test_an_address_alone_is_no_bounce() -> None:
    """Text that only names an address (no code, no failure words) is not a bounce."""
    assert parsers.parse(normalize("please check kijitora@example.jp for me")) is None


# ----------------------------------------------------------------------------- shared helpers
@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("550 5.1.1 <a@example.jp>... User unknown", "5.1.1"),
        ("Sorry, no mailbox here by that name. (#5.1.1)", "5.1.1"),
        ("host [192.0.2.1] refused; Postfix 2.10.1", None),
        ("delivery temporarily suspended: 4.4.1 after 5.0.0", "4.4.1"),
        ("Delivered: 2.0.0 Ok", "2.0.0"),
    ],
)
def test_find_status(text: str, status: str | None) -> None:
    """Enhanced status codes are found; IP addresses and version numbers are not statuses."""
    assert find_status(text) == status


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("host mx[192.0.2.250] said: 550 5.1.1 User unknown", "550"),
        ("ERROR_CODE :421, Host not reachable", "421"),
        ("connect to 192.0.2.254:25: refused", None),
    ],
)
def test_find_reply_code(text: str, code: str | None) -> None:
    """Reply codes are found, never an IP address octet or a port."""
    assert find_reply_code(text) == code


@pytest.mark.parametrize(
    ("value", "address"),
    [
        ("rfc822; <Kijitora@Example.JP.>", "Kijitora@example.jp"),
        ("mailto:a@example.jp", "a@example.jp"),
        ('RFC822; "neko..nyaan."@example.jp', '"neko..nyaan."@example.jp'),
        ("taro..hanako.@docomo.ne.jp", "taro..hanako.@docomo.ne.jp"),
        ("no address here", None),
        ("MAILTO:a@example.jp", "a@example.jp"),
        ("MA\u0130LTO:a@example.jp", "a@example.jp"),  # the re module's case twin of "i"
        ("  X-Unix ;  <a@Example.JP>", "a@example.jp"),
        ("utf-8; 猫@例え.jp", "猫@例え.jp"),
        ("a;b <c@example.jp>", "c@example.jp"),
    ],
)
def test_clean_address(value: str, address: str | None) -> None:
    """Field values become bare addresses: prefixes, brackets and trailing dots go, odd local parts stay."""
    assert clean_address(value) == address
    assert clean_address(value) == clean_address.__wrapped__(value) == address  # the kept answer and a fresh one


@pytest.mark.parametrize(
    ("text", "phase"),
    [
        ("(in reply to end of DATA command)", Phase.DATA),
        ("SMTP error from remote mail server after RCPT TO:<a@example.jp>:", Phase.RCPT),
        ("SMTP error from remote mail server after MAIL FROM:<s@example.org> SIZE=10:", Phase.MAIL),
        ("Connected to 192.0.2.1 but my name was rejected.", Phase.HELO),
        (">>> MAIL From:<s@example.org>\n<<< 250 ok\n>>> RCPT To:<a@example.jp>\n<<< 550 no", Phase.RCPT),
        ("lost connection with mx.example.jp[192.0.2.1] while sending end of data", Phase.DATA),
        ("connect to mx.example.jp[192.0.2.1]:25: Connection refused", Phase.CONNECT),
        ("User unknown", None),
    ],
)
def test_find_phase(text: str, phase: Phase | None) -> None:
    """The SMTP command a refusal answered is read from the bounce's own phrases."""
    assert find_phase(text) == phase
