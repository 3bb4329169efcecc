"""Provider parsers (Exchange/M365, Gmail, Yahoo, SES, Japanese carriers, gateways, ARF, auto-replies):
corpus agreement in both forms, realistic Japanese NDRs from tests/samples/, and the seed lines."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/ is not an installed package

from disagreements import recorded, statuses_covered

from benchmarks.corpus import available, pasted_form, samples
from bot.errors import InputError
from bot.models import Bounce, Failure
from bot.reading import parsers
from bot.reading.normalize import normalize
from bot.reading.parsers._common import unwrap
from bot.vocab import Action, Phase, Reason

SAMPLES_DIR = Path(__file__).resolve().parent / "samples"

# Corpus families these parsers answer for, with the format each must be read as.
FAMILIES = {
    "lhost-exchange2003": {"exchange2003"},
    "lhost-exchange2007": {"exchange"},
    "lhost-office365": {"exchange", "m365"},
    "lhost-outlook": {"exchange", "rfc3464"},  # a delay notice without Outlook's words is plain RFC 3464
    "lhost-gmail": {"gmail"},
    "lhost-googlegroups": {"gmail"},
    "lhost-yahoo": {"yahoo"},
    "lhost-amazonses": {"amazonses"},
    "lhost-amazonworkmail": {"amazonses"},
    "lhost-receivingses": {"amazonses"},
    "lhost-ezweb": {"jpcarriers"},
    "lhost-kddi": {"jpcarriers"},
    "lhost-biglobe": {"jpcarriers"},
    "lhost-trendmicro": {"gateways"},
    "lhost-mcafee": {"gateways"},
    "lhost-surfcontrol": {"gateways"},
    "lhost-mfilter": {"gateways"},
    "lhost-mimecast": {"gateways"},
    "lhost-amavis": {"gateways"},
    "lhost-verizon": {"gateways"},
    "lhost-activehunter": {"gateways", "sendmail"},  # a paste of it is sendmail's text, word for word
    "arf": {"arf"},
    "rfc3834": {"autoreply"},
}
_FAMILY = re.compile(r"\A(" + "|".join(FAMILIES) + r")-\d+\.eml\Z")

def _cases() -> list[tuple[str, str]]:
    if not available():
        return []
    return [(s.name, form) for s in samples() if _FAMILY.match(s.name) for form in ("whole", "pasted")]


_SAMPLES = {s.name: s for s in samples()} if available() else {}



def _parse(text: str | bytes) -> Bounce | None:
    return parsers.parse(normalize(text))


def check(name: str, form: str) -> set[str]:
    """Assert one corpus file's recipients, statuses and format; the disagreements it needed."""
    sample = _SAMPLES[name]
    data = sample.raw if form == "whole" else pasted_form(sample.raw)
    try:
        msg = normalize(data)
    except InputError:
        # Only a report with no text of its own (nothing but attached messages) pastes as nothing.
        whole = normalize(sample.raw)
        assert form == "pasted" and all(p.content_type.startswith("message/") for p in whole.parts)
        return {recorded("empty").id}  # type: ignore[union-attr]
    bounce = parsers.parse(msg)
    failures = bounce.failures if bounce else ()
    if len(failures) != len(sample.labels):
        # An auto-reply known by its headers alone is no auto-reply once pasted without them.
        whole = _parse(sample.raw)
        assert form == "pasted" and not failures and whole is not None and whole.format == "autoreply"
        return {recorded("count").id}  # type: ignore[union-attr]
    family = _FAMILY.match(name).group(1)  # type: ignore[union-attr]
    assert bounce is not None and bounce.format in FAMILIES[family]
    return statuses_covered(failures, sample.labels)


@pytest.mark.skipif(not available(), reason="shared corpus not found")
@pytest.mark.parametrize(("name", "form"), _cases())
def test_corpus_recipients_statuses_and_format(name: str, form: str) -> None:
    """Each labelled bounce of our families yields the labelled recipients and real statuses, in order,
    but where a recorded disagreement (knowledge/disagreements.toml) covers the difference."""
    check(name, form)


@pytest.mark.skipif(not available(), reason="shared corpus not found")
def test_feedback_and_vacation_hints_from_corpus() -> None:
    """ARF reports carry reason_hint feedback, RFC 3834 replies vacation, Google Groups rejected; bounces none."""
    for sample in samples():
        if not _FAMILY.match(sample.name):
            continue
        bounce = _parse(sample.raw)
        assert bounce is not None
        hints = {f.reason_hint for f in bounce.failures}
        if sample.name.startswith("arf-"):
            assert hints == {Reason.FEEDBACK}
        elif sample.name.startswith("rfc3834-"):
            assert hints == {Reason.VACATION}
        elif sample.name.startswith("lhost-googlegroups"):
            assert hints == {Reason.REJECTED}
        elif not sample.name.startswith(("lhost-amazonses", "lhost-ezweb")):
            assert hints == {None}


# ----------------------------------------------------------------------------- Japanese NDR samples
def _sample(name: str) -> Bounce:
    bounce = _parse((SAMPLES_DIR / name).read_text(encoding="utf-8"))
    assert bounce is not None
    return bounce


# file, format, address, status, reply code, remote MTA, action, words in the diagnostic
JA_SAMPLES = [
    (
        "outlook_ja_classic_user_unknown.txt",
        "exchange",
        "tanaka.ichiro@example.co.jp",
        "5.1.1",
        "550",
        "mx01.example.co.jp",
        Action.FAILED,
        "User unknown in local recipient table",
    ),
    (
        "outlook_ja_organization_rejected.txt",
        "exchange",
        "sato@example.ne.jp",
        "5.7.1",
        "554",
        "mail.example.ne.jp",
        Action.FAILED,
        "Relay access denied",
    ),
    (
        "m365_ja_new_recipient_not_found.txt",
        "m365",
        "suzuki@example.jp",
        "5.1.10",
        "550",
        None,
        Action.FAILED,
        "RESOLVER.ADR.RecipientNotFound",
    ),
    (
        "m365_ja_new_remote_blocked.txt",
        "m365",
        "takahashi@example.com",
        "5.7.1",
        "550",
        "mx2.example.com",
        Action.FAILED,
        "blocked using Spamhaus",
    ),
    (
        "gmail_ja_address_not_found.txt",
        "gmail",
        "yamamoto@example.co.jp",
        "5.1.1",
        "550",
        None,
        Action.FAILED,
        "User unknown in virtual mailbox table",
    ),
    (
        "gmail_ja_message_not_delivered.txt",
        "gmail",
        "kobayashi@example.jp",
        "5.7.1",
        "554",
        None,
        Action.FAILED,
        "Sender address rejected",
    ),
    (
        "gmail_ja_domain_not_found.txt",
        "gmail",
        "watanabe@exmaple.co.jp",
        None,
        None,
        None,
        Action.FAILED,
        "NXDOMAIN",
    ),
    (
        "gmail_ja_delivery_incomplete.txt",
        "gmail",
        "nakamura@example.org",
        "4.7.0",
        "421",
        None,
        Action.DELAYED,
        "unusual rate of unsolicited mail",
    ),
    (
        "gmail_en_address_not_found.txt",
        "gmail",
        "hayashi@example.net",
        "5.1.1",
        "550",
        None,
        Action.FAILED,
        "does not exist",
    ),
]


@pytest.mark.parametrize(
    ("name", "fmt", "address", "status", "reply", "remote", "action", "words"), JA_SAMPLES
)
def test_japanese_and_english_ndr_samples(
    name: str,
    fmt: str,
    address: str,
    status: str | None,
    reply: str | None,
    remote: str | None,
    action: Action,
    words: str,
) -> None:
    """Realistic Outlook/M365 and Gmail NDRs as pasted: one failure with the server's own words."""
    bounce = _sample(name)
    assert bounce.format == fmt
    assert len(bounce.failures) == 1
    f = bounce.failures[0]
    assert (f.address, f.status, f.reply_code, f.remote_mta, f.action) == (
        address,
        status,
        reply,
        remote,
        action,
    )
    assert words in f.diagnostic


def test_outlook_generating_server_is_the_reporting_mta() -> None:
    """生成サーバー / DSN 生成元 name the server that wrote the NDR, not the refusing one."""
    assert (
        _sample("outlook_ja_classic_user_unknown.txt").reporting_mta
        == "tycpr01mb10345.jpnprd01.prod.outlook.com"
    )
    assert (
        _sample("m365_ja_new_recipient_not_found.txt").reporting_mta
        == "os3pr01mb6789.jpnprd01.prod.outlook.com"
    )


def test_outlook_top_section_alone_still_names_recipient() -> None:
    """Only the readable top of a Japanese Outlook NDR: the recipient and Outlook's explanation."""
    text = (
        "次の受信者またはグループへの配信に失敗しました:\n\n"
        "kato@example.jp (kato@example.jp)\n"
        "受信者のメールボックスがいっぱいで、現在メッセージを受け付けることができません。"
        "しばらくしてからメッセージを再送信するか、受信者に直接連絡してください。\n"
    )
    bounce = _parse(text)
    assert bounce is not None and bounce.format == "exchange"
    (f,) = bounce.failures
    assert f.address == "kato@example.jp"
    assert "メールボックスがいっぱい" in f.diagnostic


def test_outlook_top_section_gave_this_error() -> None:
    """「… からこのエラーが返されました:」 names the refusing server and its words become the diagnostic."""
    text = (
        "次の受信者またはグループへの配信に失敗しました:\n\n"
        "kato@example.jp (kato@example.jp)\nメッセージが拒否されました。\n\n"
        "mx9.example.jp からこのエラーが返されました:\n"
        "<kato@example.jp>: Recipient address rejected: Access denied\n"
    )
    bounce = _parse(text)
    assert bounce is not None
    (f,) = bounce.failures
    assert (f.address, f.remote_mta) == ("kato@example.jp", "mx9.example.jp")
    assert f.diagnostic == "<kato@example.jp>: Recipient address rejected: Access denied"


def test_m365_japanese_headline_alone() -> None:
    """Only the top of the new M365 NDR pasted: the recipient and the sentence under the headline."""
    bounce = _parse(
        "suzuki@example.jp へのメッセージを配信できませんでした。\n\nsuzuki が example.jp で見つかりませんでした。\n"
    )
    assert bounce is not None and bounce.format == "m365"
    (f,) = bounce.failures
    assert (f.address, f.action) == ("suzuki@example.jp", Action.FAILED)
    assert f.diagnostic == "suzuki が example.jp で見つかりませんでした。"


def test_m365_english_current_layout() -> None:
    """The 2020s English layout: "Error:" and "Message rejected by:" under Error Details."""
    text = (
        "Your message to ito@example.org couldn't be delivered.\n\n"
        "Error Details\n"
        "Error:\t550 5.7.606 Access denied, banned sending IP [203.0.113.9]\n"
        "Message rejected by:\tmx1.example.org\n"
        "Notification Details\n"
        "Sent by:\tTY0PR01MB1111.jpnprd01.prod.outlook.com\n"
    )
    bounce = _parse(text)
    assert bounce is not None
    (f,) = bounce.failures
    assert (f.address, f.status, f.reply_code, f.remote_mta) == (
        "ito@example.org",
        "5.7.606",
        "550",
        "mx1.example.org",
    )


# ----------------------------------------------------------------------------- seed NDR lines
# line, status, reply code, remote MTA, words of the diagnostic
SEED_LINES = [
    (
        "Remote Server Returned '554.5.0.0(#5.0.0 smtp;5.1.2 - Bad destination host' DNS Hard Error looking up "
        "xxxxx(MX):NXDomain'(delivary attempt:0>'",
        "5.1.2",
        "554",
        None,
        "NXDomain",
    ),
    (
        "5.1.0 Unknown address error 554-'5.7.1. Relay access denied.",
        "5.7.1",
        "554",
        None,
        "Relay access denied",
    ),
    ("5.1.2 - Bad destination host 'DNS Hard Error looking up", "5.1.2", None, None, "Bad destination host"),
    ("550 5.1.1 RESOLVER.ADR.RecipNotFound", "5.1.1", "550", None, "RESOLVER.ADR.RecipNotFound"),
    ("5.1.0 - unknown address error 552-'size limit exceeded'", "5.1.0", "552", None, "size limit exceeded"),
    ("5.1.1 550 (unknown user)", "5.1.1", "550", None, "unknown user"),
    ("5.0.0 550 SPF MAIL FROM check failed (PermError)", "5.0.0", "550", None, "SPF MAIL FROM check failed"),
    (
        "mail.contoso.com #<exchange.contoso.com #5.7.1 smtp;530 5.7.1 Client was not authenticated> #SMTP#",
        "5.7.1",
        "530",
        "mail.contoso.com",
        "Client was not authenticated",
    ),
]
_EMBED = "お世話になっております。\n先方に送ったメールが以下のエラーで戻ってきました。\n\n{}\n\n原因を教えていただけますでしょうか。\n"


@pytest.mark.parametrize("embedded", [False, True], ids=["alone", "in-japanese-text"])
@pytest.mark.parametrize(("line", "status", "reply", "remote", "words"), SEED_LINES)
def test_seed_lines(
    line: str, status: str, reply: str | None, remote: str | None, words: str, embedded: bool
) -> None:
    """Each seed NDR line, alone or inside a support request, gives one failure without an address."""
    bounce = _parse(_EMBED.format(line) if embedded else line)
    assert bounce is not None
    (f,) = bounce.failures
    assert (f.address, f.status, f.reply_code, f.remote_mta) == ("", status, reply, remote)
    assert words in f.diagnostic


def test_seed_m365_article_whole() -> None:
    """The bilingual M365 NDR of the seed article: recipient, 530 5.7.1 and mail.contoso.com."""
    seeds = Path(__file__).resolve().parents[2] / "shared" / "seeds"
    found = [p for p in sorted(seeds.glob("*.txt")) if "#SMTP#" in p.read_text(encoding="utf-8")]
    if not found:
        pytest.skip("seed pages not found")
    bounce = _parse(found[0].read_text(encoding="utf-8"))
    assert bounce is not None
    (f,) = bounce.failures
    assert (f.address, f.status, f.reply_code, f.remote_mta) == (
        "joepremise@contoso.com",
        "5.7.1",
        "530",
        "mail.contoso.com",
    )
    assert f.diagnostic == "530 5.7.1 Client was not authenticated"


# ----------------------------------------------------------------------------- nested replies
@pytest.mark.parametrize(
    ("text", "reply", "status", "nested"),
    [
        ("550 5.1.1 <a@example.jp>: User unknown", "550", "5.1.1", False),
        ("#<ex.example.jp #5.7.1 smtp;530 5.7.1 Client was not authenticated> #SMTP#", "530", "5.7.1", True),
        (
            "5.3.0 - Other mail system problem 550-'Unknown user a@example.jp' (delivery attempts: 0)",
            "550",
            "5.3.0",
            True,
        ),
        (
            "554 4.4.7 Message expired: unable to deliver in 840 minutes.<421 4.4.2 Connection timed out>",
            "421",
            "4.4.2",
            True,
        ),
    ],
)
def test_unwrap_innermost_reply(text: str, reply: str, status: str, nested: bool) -> None:
    """The reply that counts is the innermost one a relay quoted."""
    inner = unwrap(text)
    assert (inner.reply, inner.status, inner.nested) == (reply, status, nested)


# ----------------------------------------------------------------------------- other providers, pasted
def _one(text: str) -> tuple[str, Failure]:
    bounce = _parse(text)
    assert bounce is not None and len(bounce.failures) == 1
    return bounce.format, bounce.failures[0]


def test_yahoo_phase_tag() -> None:
    """Yahoo's [RCPT_TO] tag gives the phase and is not part of the diagnostic."""
    fmt, f = _one(
        "Sorry, we were unable to deliver your message to the following address.\n\n<a@example.jp>:\n"
        "Remote host said: 550 5.1.1 <a@example.jp>... User Unknown [RCPT_TO]\n\n"
        "--- Below this line is a copy of the message.\n"
    )
    assert (fmt, f.address, f.status, f.phase) == ("yahoo", "a@example.jp", "5.1.1", Phase.RCPT)
    assert "[RCPT_TO]" not in f.diagnostic


def test_ses_complaint_json_is_feedback() -> None:
    """An SES complaint notification pasted as JSON is feedback for the complaining address."""
    fmt, f = _one(
        '{"notificationType":"Complaint","complaint":{"complainedRecipients":[{"emailAddress":"c@example.jp"}]}}'
    )
    assert (fmt, f.address, f.reason_hint) == ("amazonses", "c@example.jp", Reason.FEEDBACK)


def test_au_japanese_notice_alone() -> None:
    """au's Japanese notice pasted without the English part still gives a failure to classify."""
    fmt, f = _one(
        "次のあて先へのメッセージはエラーのため送信できませんでした。\n"
        "送信先メールアドレスが見つからないか、\n送信先メールサーバの事由により送信できませんでした。\n"
    )
    assert (fmt, f.address) == ("jpcarriers", "")
    assert "送信先メールアドレスが見つからない" in f.diagnostic


def test_mfilter_japanese() -> None:
    """m-FILTER's Japanese report: recipient, server message and the SMTP command."""
    fmt, f = _one(
        "このメールは「m-FILTER」が自動的に生成して送信しています。\n\n"
        "以下のメールアドレスへの送信に失敗しました。\nkijitora@example.com\n\n"
        "-------server message\n550 5.1.1 <kijitora@example.com>: User unknown\n\n-------SMTP command\nRCPT TO\n"
    )
    assert (fmt, f.address, f.status, f.phase) == ("gateways", "kijitora@example.com", "5.1.1", Phase.RCPT)


def test_pasted_arf_report() -> None:
    """ARF fields pasted as text: the reported recipient with reason_hint feedback."""
    fmt, f = _one(
        "This is an email abuse report for an email message received from IP 192.0.2.1\n\n"
        "Feedback-Type: abuse\nUser-Agent: SomeFBL/1.0\nVersion: 1\nOriginal-Rcpt-To: r@example.net\n"
    )
    assert (fmt, f.address, f.reason_hint) == ("arf", "r@example.net", Reason.FEEDBACK)


def test_japanese_out_of_office_paste() -> None:
    """A Japanese out-of-office reply pasted alone is a vacation auto-reply."""
    fmt, f = _one(
        "差出人: 佐々木 <sasaki@example.jp>\n件名: 自動応答: お見積り\n\n5月6日まで休暇のため不在にしております。\n"
    )
    assert (fmt, f.address, f.reason_hint) == ("autoreply", "sasaki@example.jp", Reason.VACATION)


def test_bounce_with_vacation_words_is_not_an_autoreply() -> None:
    """A bounce that quotes an out-of-office sentence stays a bounce."""
    bounce = _parse(
        "Delivery has failed to these recipients or groups:\n\nb@example.jp\nI am out of the office.\n\n"
        "Diagnostic information for administrators:\n\nb@example.jp\n"
        "Remote Server returned '550 5.2.2 mailbox full'\n"
    )
    assert bounce is not None and bounce.format == "exchange"
    assert bounce.failures[0].reason_hint is None
