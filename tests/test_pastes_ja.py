"""Pasted Japanese notices and cut pastes, in forms written for these tests (not corpus files)."""

from __future__ import annotations

from bot.diagnose import analyse
from bot.vocab import Kind, Reason, Responsible

GMAIL_FORWARDED = """\
相手に届かないようです。

---------- Forwarded message ---------
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
Date: 2024年12月2日(月) 9:14
Subject: Delivery Status Notification (Failure)
To: <sato.keiko@gmail.com>

s.ogawa@example-shoji.jp 宛のメールは配信されませんでした。

次のエラーが返されました:

550 5.7.1 <s.ogawa@example-shoji.jp>: Recipient address rejected: Mailbox is full
"""
POSTFIX_CUT = """\
<a.inoue@example-kikai.co.jp>: host mx.example-kikai.co.jp[192.0.2.30] said: 550
    5.1.1 <a.inoue@example-kikai.co.jp>: Recipient address rejected: User unknown
    (in reply to RCPT TO command)

<m.kudo@example-kikai.co.jp>: host mx.example-kikai.co.jp[192.0.2.30] said: 550
    5.1.1 <m.kudo@example-kikai.co.jp>: Recipient address rejected: User unknown
    (in reply to RCPT TO command)

Final-Recipient: rfc822; a.inoue@example-kikai.co.jp
Action: failed
Status: 5.1.1
"""
M365_JA_CLASSIC = """\
次の受信者またはグループへの配信に失敗しました:

h.nishi@example-unyu.co.jp
配送の期限が切れました。

診断情報 (管理者用):

生成元サーバー: OS0PR01MB5678.jpnprd01.prod.outlook.com

h.nishi@example-unyu.co.jp
リモート サーバーから返されたエラー: '550 4.4.7 QUEUE.Expired; message expired'
"""


def test_a_forwarded_gmail_notice_without_its_heading() -> None:
    """The notice's From: line inside a forward and 「次のエラーが返されました」 give the server's line."""
    d = analyse(GMAIL_FORWARDED, source="paste")
    assert [r.failure.address for r in d.recipients] == ["s.ogawa@example-shoji.jp"]
    assert d.main.reason == Reason.MAILBOXFULL and d.main.responsible == Responsible.RECIPIENT


def test_a_postfix_paste_cut_after_the_first_fields_keeps_every_recipient() -> None:
    """A paste that kept the first delivery-status block still reports the other paragraphs' recipients."""
    d = analyse(POSTFIX_CUT, source="paste")
    assert {r.failure.address for r in d.recipients} == {"a.inoue@example-kikai.co.jp", "m.kudo@example-kikai.co.jp"}
    assert all(r.reason == Reason.USERUNKNOWN for r in d.recipients)


def test_the_japanese_classic_ndr_admin_section() -> None:
    """「診断情報 (管理者用)」 and 「リモート サーバーから返されたエラー」 are read like their English forms."""
    d = analyse(M365_JA_CLASSIC, source="paste")
    assert [r.failure.address for r in d.recipients] == ["h.nishi@example-unyu.co.jp"]
    assert d.main.reason == Reason.EXPIRED
    assert d.main.failure.status == "4.4.7"


def test_a_dns_error_line_alone_is_a_bounce() -> None:
    """Gmail's 'DNS type mx lookup ... NXDOMAIN' line pasted alone is a failure: the domain does not exist."""
    d = analyse("DNS Error: DNS type 'mx' lookup of tanaka-syoji.co.jp responded with code NXDOMAIN", source="p")
    assert d.kind == Kind.BOUNCE and d.main.reason == Reason.HOSTUNKNOWN
    assert d.main.responsible == Responsible.SENDER


def test_a_null_mx_line_alone_is_the_senders_to_fix() -> None:
    """Postfix's 'does not accept mail (nullMX)' is a null MX: no address there works, the sender needs another."""
    d = analyse("Domain mail-none.example does not accept mail (nullMX)", source="p")
    assert (d.main.reason, d.main.cause.id, d.main.responsible) == (Reason.NOTACCEPT, "domain-null-mx", Responsible.SENDER)


def test_a_refused_attachment_type_is_the_senders_to_change() -> None:
    """An attachment type refused by policy is the sender's to send another way."""
    d = analyse(
        "<keiri@example-tsusho.co.jp>: host mx.example-tsusho.co.jp[192.0.2.8] said: 552 5.7.0 "
        "Blocked attachment: a file type is not allowed (.exe) (in reply to end of DATA command)",
        source="p",
    )
    assert (d.main.reason, d.main.cause.id, d.main.responsible) == (
        Reason.POLICYVIOLATION, "attachment-blocked", Responsible.SENDER)


def test_an_address_with_words_that_name_a_cause_is_a_bounce_without_a_code() -> None:
    """A paste with an address and a cause's words, no code at all, is read as a failure."""
    d = analyse("送信先: m.abe@example-denki.co.jp\nエラー: Mailbox quota exceeded for this recipient", source="p")
    assert [r.failure.address for r in d.recipients] == ["m.abe@example-denki.co.jp"]
    assert d.main.reason == Reason.MAILBOXFULL


def test_one_common_word_with_an_address_is_not_a_bounce() -> None:
    """A one-word cause phrase in ordinary text ('malicious') does not make a mail a bounce."""
    text = "Hello,\nIf you think you are being maliciously subscribed, contact owner@lists.example.org.\n"
    assert not analyse(text, source="p").recipients


def test_a_retyped_notice_in_full_width_characters() -> None:
    """Full-width letters, digits and punctuation (NFKC) are read as their ASCII forms by every layout."""
    d = analyse("宛先：ｓａｔｏ＠ｅｘａｍｐｌｅ－ｋｏｕｇｙｏ．ｊｐ\nエラー：５５０ ５．１．１ Ｕｓｅｒ ｕｎｋｎｏｗｎ", source="p")
    assert [r.failure.address for r in d.recipients] == ["sato@example-kougyo.jp"]
    assert (d.main.failure.status, d.main.reason) == ("5.1.1", Reason.USERUNKNOWN)


def test_a_question_that_mentions_failure_words_is_not_a_bounce() -> None:
    """A person asking about an address, quoting an error they once saw, reports no failure of it."""
    text = ("すみません、質問です。\n来月から e.kondo@example-shoji.jp さんに送ります。\n"
            "以前「Mailbox full」と返ってきたことがあるのですが、大丈夫でしょうか？\n")
    assert not analyse(text, source="p").recipients


def test_a_question_with_the_failure_on_the_address_line_is_a_bounce() -> None:
    """The same question with the failure stated about the address is read as that failure."""
    text = "e.kondo@example-shoji.jp: Mailbox full と返ってきました。どうすればいいですか？\n"
    d = analyse(text, source="p")
    assert [r.failure.address for r in d.recipients] == ["e.kondo@example-shoji.jp"]
    assert d.main.reason == Reason.MAILBOXFULL
