"""Pasted Japanese notices and cut pastes, in forms written for these tests (not corpus files)."""

from __future__ import annotations

from bot.diagnose import analyse
from bot.vocab import Reason, Responsible

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
