"""Delay warnings are not failures: their recipients are temporary and nobody has to act yet, in ja and en."""

from __future__ import annotations

import pytest

from bot.diagnose import analyse
from bot.vocab import Action, Reason, Responsible

# Written for this test: a paste of a Postfix delay notice without its DSN part, re-wrapped.
POSTFIX_PASTE = """\
This is the mail system at host smtp.example-kogyo.co.jp.

####################################################################
# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #
####################################################################

Your message could not be delivered for more than 4 hour(s).
It will be retried until it is 5 day(s) old.

<orders@example-supply.com>: host mx.example-supply.com[198.51.100.9] said: 451
    4.3.0 Temporary lookup failure (in reply to RCPT TO command)
"""
# A Microsoft 365 delay notice in Japanese as a desk pastes it (no DSN, no Action field).
M365_JA = """\
配信が遅れています

メッセージの配信が遅れています。引き続き配信が試行されます。

診断情報 (管理者用):
k.mori@example-nagano.jp
リモート サーバーから返されたエラー: '451 4.7.500 Server busy. Please try again later from [203.0.113.7].'
"""
# An Exim warning subject over a body that gives the reason only.
EXIM_WHOLE = b"""\
From: Mail Delivery System <Mailer-Daemon@mx1.example.org>
To: owner@example.org
Subject: Warning: message 1tAb2c-0007Xy-Qz delayed 24 hours
Date: Wed, 04 Dec 2024 09:00:00 +0000

This message was created automatically by mail delivery software.

  r.lopez@example.es
    host mail.example.es [192.0.2.77]
    SMTP error from remote mail server after RCPT TO:<r.lopez@example.es>:
    452 4.2.2 Mailbox full, try again later
"""


@pytest.mark.parametrize("text", [POSTFIX_PASTE, M365_JA, EXIM_WHOLE], ids=["postfix-en", "m365-ja", "exim-subject"])
def test_a_delay_warning_is_transient(text: str | bytes) -> None:
    """Every recipient of a warning is delayed, and its side is transient whatever the server's reason."""
    d = analyse(text, source="warning")
    assert d.recipients
    for r in d.recipients:
        assert r.failure.action == Action.DELAYED
        assert r.responsible == Responsible.TRANSIENT


def test_a_warning_keeps_the_servers_reason() -> None:
    """The reason stays what the server's words say (a full mailbox), only the side and wording change."""
    d = analyse(EXIM_WHOLE, source="warning")
    assert d.main.reason == Reason.MAILBOXFULL


def test_a_final_failure_is_not_a_warning() -> None:
    """The same server line in a final bounce stays a failure with its own side."""
    final = EXIM_WHOLE.replace(b"Warning: message 1tAb2c-0007Xy-Qz delayed 24 hours", b"Mail delivery failed")
    final = final.replace(b"452 4.2.2 Mailbox full, try again later", b"552 5.2.2 Mailbox full")
    d = analyse(final, source="final")
    assert d.main.failure.action != Action.DELAYED
    assert d.main.responsible == Responsible.RECIPIENT
