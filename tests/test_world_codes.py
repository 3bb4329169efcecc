"""Codes from public tables (issue 7, point 1): the enhanced-status registry and providers' own codes.

The registry list is RFC 3463's and IANA's "SMTP Enhanced Status Codes" (every code must have a
row with its meaning in knowledge/status.toml). Provider lines are written for this test in the
shape each provider documents ("... AUP#CXBL", "OFR004_417 [417]", "IB705"), with the refusing
host that names the provider, and other words than any sample.
"""

from __future__ import annotations

import pytest

from bot.models import Bounce, Failure
from bot.reading.classify import classify
from bot.reading.knowledge import knowledge
from bot.reading.rulebook import build
from bot.vocab import Reason

R = Reason
REGISTRY = (
    "X.1.1 X.1.2 X.1.3 X.1.4 X.1.5 X.1.6 X.1.7 X.1.8 X.1.9 X.1.10 X.2.0 X.2.1 X.2.2 X.2.3 X.2.4 "
    "X.3.0 X.3.1 X.3.2 X.3.3 X.3.4 X.3.5 X.3.6 X.4.0 X.4.1 X.4.2 X.4.3 X.4.4 X.4.5 X.4.6 X.4.7 "
    "X.5.0 X.5.1 X.5.2 X.5.3 X.5.4 X.5.5 X.5.6 X.6.0 X.6.1 X.6.2 X.6.3 X.6.4 X.6.5 X.6.6 X.6.7 "
    "X.6.8 X.6.9 X.6.10 X.7.0 X.7.1 X.7.2 X.7.3 X.7.4 X.7.5 X.7.6 X.7.7 X.7.8 X.7.9 X.7.10 X.7.11 "
    "X.7.12 X.7.13 X.7.14 X.7.15 X.7.16 X.7.17 X.7.18 X.7.19 X.7.20 X.7.21 X.7.22 X.7.23 X.7.24 "
    "X.7.25 X.7.26 X.7.27 X.7.28 X.7.29 X.7.30"
).split()


def _reason(line: str, *, status: str | None = None, remote: str | None = None) -> Reason:
    failure = Failure(address="mio@example.net", diagnostic=line, status=status, remote_mta=remote)
    return classify(failure, Bounce(format="rfc3464", failures=(failure,))).reason


def test_every_registered_status_has_its_row() -> None:
    """Each code of the registry (X.0.0 and X.1.0 excepted, they say nothing) has a row with a meaning."""
    rows = knowledge().rules.statuses

    def covered(code: str) -> list[str]:
        subject = "X." + code.split(".")[1]
        both = ["4" + code[1:], "5" + code[1:]]
        return [code] if code in rows else both if all(c in rows for c in both) else [subject] if subject in rows else []

    assert [code for code in REGISTRY if not covered(code)] == []
    assert all(rows[c].meaning.strip() for code in REGISTRY for c in covered(code))


@pytest.mark.parametrize(
    ("status", "reason"),
    [("5.6.7", R.CONTENTERROR), ("5.7.16", R.MESGTOOBIG), ("4.7.28", R.SPEEDING), ("5.7.29", R.AUTHFAILURE),
     ("5.7.30", R.SECURITYERROR), ("5.7.11", R.SECURITYERROR), ("5.7.10", R.SECURITYERROR)],
)
def test_a_registered_status_alone_gives_its_reason(status: str, reason: Reason) -> None:
    """With no words at all, a registry code answers with the reason of its meaning."""
    assert _reason("", status=status) == reason


MS = "example-org.mail.protection.outlook.com"
PROVIDER_ROWS: list[tuple[Reason, str, str | None, str | None]] = [
    # Exchange Online's documented ranges and codes
    (R.BLOCKED, "550 5.7.612 Access denied, banned sending IP [198.51.100.9]", "5.7.612", MS),
    (R.BLOCKED, "451 4.7.555 Access denied, please try again later", "4.7.555", MS),
    (R.BLOCKED, "451 4.7.871 Access denied, please try again later", "4.7.871", MS),
    (R.BLOCKED, "550 5.7.506 Access denied, bad HELO; see the NDR help", "5.7.506", MS),
    (R.BLOCKED, "550 5.5.4 Invalid domain name given in HELO", "5.5.4", MS),
    (R.TOOMANYCONN, "550 5.7.712 Access denied, the organisation is over its limit", "5.7.712", MS),
    (R.REJECTED, "550 5.7.750 Service unavailable. Client blocked from sending from unregistered domains", "5.7.750", MS),
    (R.REJECTED, "550 5.7.13 Sender was not authenticated for the public folder", "5.7.13", MS),
    (R.SUSPEND, "550 5.7.505 Access denied, banned recipient", "5.7.505", MS),
    (R.NOTACCEPT, "550 5.7.510 Access denied, example.net does not accept email over IPv6", "5.7.510", MS),
    (R.NOTCOMPLIANTRFC, "550 5.7.512 Access denied, message must be RFC 5322 section 3.6.2 compliant", "5.7.512", MS),
    (R.SYSTEMERROR, "550 5.3.190 Journaling on-premises messages is not supported", "5.3.190", MS),
    (R.EXPIRED, "550 5.4.316 Message expired, connection refused", "5.4.316", MS),
    (R.REJECTED, "550 5.1.8 Access denied, bad outbound sender", "5.1.8", MS),
    (R.NORELAYING, "550 5.7.64 TenantAttribution; Relay Access Denied", "5.7.64", MS),
    (R.AUTHFAILURE, "550 5.7.515 Access denied, sending domain example.org does not meet the required authentication level", "5.7.515", MS),
    (R.BADREPUTATION, "451 4.7.650 The mail server [198.51.100.9] has been temporarily rate limited due to IP reputation", "4.7.650", MS),
    # Orange / La Poste
    (R.MAILBOXFULL, "552 5.2.2 Boite pleine. OFR004_417 [417]", None, "smtp-in.orange.fr"),
    (R.SUSPEND, "550 5.2.1 Compte bloque. LPN007_420", None, "smtp-in.laposte.net"),
    (R.TOOMANYCONN, "421 mwinf Trop de connexions. OFR005_104 [104]", None, "smtp-in.orange.fr"),
    (R.AUTHFAILURE, "550 5.5.0 SPF: 198.51.100.9 is not allowed. LPN004_401", None, "smtp-in.laposte.net"),
    (R.MESGTOOBIG, "552 Message trop gros. OFR_514 [514]", None, "smtp-in.wanadoo.fr"),
    (R.SPAMDETECTED, "550 5.7.1 Refused. OFR004_506 [506]", None, "smtp-in.orange.fr"),
    (R.BLOCKED, "550 5.7.1 IP on a block list. LPNAAA_101", None, "smtp-in.laposte.net"),
    (R.BLOCKED, "421 mwinf Service refuse, essayez plus tard. OFR006_103 [103]", None, "smtp-in.orange.fr"),
    (R.SECURITYERROR, "550 5.7.0 Code invalide. OFR_305", None, "smtp-in.orange.fr"),
    (R.REJECTED, "501 5.1.0 Emetteur refuse. OFR004_405 [405]", None, "smtp-in.orange.fr"),
    (R.USERUNKNOWN, "550 5.1.1 Destinataire inconnu. LPN007_418", None, "smtp-in.laposte.net"),
    (R.SYSTEMERROR, "451 Erreur interne. OFR005_505 [505]", None, "smtp-in.orange.fr"),
    (R.POLICYVIOLATION, "550 5.7.1 Refus de politique. LPN000_517", None, "smtp-in.laposte.net"),
    (R.TOOMANYCONN, "421 Too many connections, slow down. LPN105_104", None, None),
    # Cox, Spectrum, GoDaddy, i.ua, Comcast
    (R.SECURITYERROR, "554 5.7.1 sending limited - AUP#CXTHRT", None, "mx.east.cox.net"),
    (R.TOOMANYCONN, "421 4.7.0 connection limit - AUP#CXCNCT", None, "mx.east.cox.net"),
    (R.BLOCKED, "554 5.7.1 IP listed - AUP#IPBL1010", None, "mx.east.cox.net"),
    (R.SPAMDETECTED, "554 5.7.1 URL listed - AUP#URLBL110", None, "mx.east.cox.net"),
    (R.REJECTED, "554 5.7.1 sender domain - AUP#CXSNDR", None, "mx.east.cox.net"),
    (R.MESGTOOBIG, "552 5.3.4 too large - AUP#O-1530", None, "mx.charter.net"),
    (R.POLICYVIOLATION, "550 5.7.1 AUP#I-1175 domain security policy", None, "mx.charter.net"),
    (R.TOOMANYCONN, "421 4.7.0 AUP#I-1360 slow down", None, "mx.charter.net"),
    (R.VIRUSDETECTED, "552 Infected message refused. IB705", None, "smtp.secureserver.net"),
    (R.AUTHFAILURE, "550 Your SPF settings do not list this IP. IB508", None, "smtp.secureserver.net"),
    (R.REQUIREPTR, "421 Temporarily rejected, no reverse name. IB108", None, "smtp.secureserver.net"),
    (R.MAILBOXFULL, "552 5.2.2 See http://mail.i.ua/err/4/", None, "mx.mail.email.ua"),
    (R.FILTERED, "550 5.7.1 See http://mail.i.ua/err/10/", None, "mx.mail.email.ua"),
    (R.BLOCKED, "554 resimta.comcast.net 198.51.100.9 blocked. BL000010", None, "mx1.comcast.net"),
    (R.SPEEDING, "421 resimta.comcast.net rate limited. RL000001", None, "mx1.comcast.net"),
    (R.BLOCKED, "554 5.7.1 rejected - no rDNS for 198.51.100.9", None, "mx.east.cox.net"),
    (R.NOTACCEPT, "421 ESMTP server temporarily not available", None, "mx.east.cox.net"),
    (R.TOOMANYCONN, "452 Message threshold exceeded for this hour", None, "mx.east.cox.net"),
    (R.POLICYVIOLATION, "552 attachment extension is forbidden", None, "mx.east.cox.net"),
    (R.BLOCKED, "554 5.7.1 AUP#I-1105 check your DNS", None, "mx.charter.net"),
    (R.REJECTED, "554 5.7.1 AUP#O-1050 account limited", None, "mx.charter.net"),
    (R.SYSTEMERROR, "451 4.3.0 AUP#I-1090 cannot process now", None, "mx.charter.net"),
    (R.BADREPUTATION, "554 Connection refused. Poor CSI score. IB103", None, "smtp.secureserver.net"),
    (R.BLOCKED, "554 Blocked today for too many bad addresses. IB113", None, "smtp.secureserver.net"),
    (R.TOOMANYCONN, "421 Too many sessions open. IB007", None, "smtp.secureserver.net"),
    (R.SPEEDING, "550 Too many messages this hour. IB504", None, "smtp.secureserver.net"),
    (R.EXPIRED, "421 Try again later. IB101", None, "smtp.secureserver.net"),
    (R.SPAMDETECTED, "552 Judged to be spam. IB212", None, "smtp.secureserver.net"),
    (R.SECURITYERROR, "535 No authentication here. IB401", None, "smtp.secureserver.net"),
    (R.REJECTED, "550 From: domain is not valid. IB506", None, "smtp.secureserver.net"),
    (R.MAILBOXFULL, "552 Account storage limit reached", None, "smtp.secureserver.net"),
    (R.USERUNKNOWN, "550 5.1.1 kenji: Account does not exist here", None, "smtp.secureserver.net"),
    (R.NORELAYING, "550 See http://mail.i.ua/err/6/", None, "mx.mail.email.ua"),
    (R.SUSPEND, "550 See http://mail.i.ua/err/3/", None, "mx.mail.email.ua"),
    # Google's SMTP error reference
    (R.SPEEDING, "421-4.7.28 Gmail has detected an unusual rate of mail from your IP", "4.7.28", "mx.google.com"),
    (R.MAILBOXFULL, "452-4.2.2 The recipient's inbox is out of storage space", "4.2.2", "aspmx.l.google.com"),
    (R.SUSPEND, "550-5.2.1 The account that you tried to reach is disabled", "5.2.1", "aspmx.l.google.com"),
    (R.AUTHFAILURE, "550-5.7.26 Unauthenticated email from example.org is not accepted", "5.7.26", "mx.google.com"),
    (R.CONTENTERROR, "554 5.6.0 Mail message is malformed. Not accepted", "5.6.0", "mx.google.com"),
    (R.MESGTOOBIG, "552-5.3.4 Your message exceeded the size limit for this service", "5.3.4", "mx.google.com"),
    (R.SPEEDING, "450-4.2.1 The user you are trying to contact is receiving mail at a rate that prevents more", "4.2.1", "mx.google.com"),
    (R.AUTHFAILURE, "550-5.7.27 The sender does not meet basic authentication requirements", "5.7.27", "mx.google.com"),
    (R.HOSTUNKNOWN, "553-5.1.2 We weren't able to find the recipient domain", "5.1.2", "mx.google.com"),
    (R.BLOCKED, "421 4.7.0 [TS02] Messages from 198.51.100.9 temporarily deferred", None, "mta6.am0.yahoodns.net"),
    (R.BLOCKED, "553 5.7.1 [BL21] Connections will not be accepted from 198.51.100.9", None, "mta6.am0.yahoodns.net"),
    # 1&1 / GMX / WEB.DE, Zoho
    (R.REQUIREPTR, "554-Transaction failed, see https://postmaster.web.de/en/error-messages?ip=198.51.100.9&c=rdns", None, "mx-ha.web.de"),
    (R.BLOCKED, "554 Reject, see https://postmaster.gmx.net/en/error-messages?ip=198.51.100.9&c=rbl", None, "mx00.emig.gmx.net"),
    (R.REJECTED, "554 5.1.8 Email Outgoing Blocked.", None, "smtp.zoho.com"),
    (R.TOOMANYCONN, "550 Mailbox unavailable or access denied [MIMi2vlpuw]", None, "mx3.qq.com"),
    # Japanese carriers
    (R.FILTERED, "550 Mail Delivery Failed... User unknown (refused by the recipient's settings)", None, "mtaout.biglobe.ne.jp"),
    (R.MAILBOXFULL, "552 The number of messages in recipient's mailbox exceeded the local limit", None, "mtaout.biglobe.ne.jp"),
    (R.FILTERED, "550 5.7.1 受信拒否設定により配信できませんでした", None, "mx.rakumail.jp"),
    # Mimecast, Yahoo, iCloud
    (R.AUTHFAILURE, "550 DMARC Sender Invalid - envelope rejected", None, "eu-smtp-inbound-2.mimecast.com"),
    (R.SECURITYERROR, "553 This route requires encryption (TLS)", None, "eu-smtp-inbound-2.mimecast.com"),
    (R.TOOMANYCONN, "451 Exceeding outbound thread limit", None, "eu-smtp-inbound-2.mimecast.com"),
    (R.AUTHFAILURE, "550 DKIM Sender Invalid - envelope rejected", None, "us-smtp-inbound-1.mimecast.com"),
    (R.BADREPUTATION, "550 Local CT IP Reputation - (reject)", None, "us-smtp-inbound-1.mimecast.com"),
    (R.BLOCKED, "451 Internal resources are temporarily unavailable", None, "us-smtp-inbound-1.mimecast.com"),
    (R.NOTACCEPT, "451 Account inbounds disabled", None, "us-smtp-inbound-1.mimecast.com"),
    (R.REJECTED, "550 Envelope rejected - block policy for envelope from address", None, "us-smtp-inbound-1.mimecast.com"),
    (R.SYSTEMERROR, "451 Message ended early", None, "us-smtp-inbound-1.mimecast.com"),
    (R.VIRUSDETECTED, "554 Email rejected due to security policies", None, "us-smtp-inbound-1.mimecast.com"),
    (R.AUTHFAILURE, "554 5.7.5 Permanent error evaluating DMARC policy", None, "mta5.am0.yahoodns.net"),
    (R.POLICYVIOLATION, "550 5.7.1 [HM08] Message rejected", None, "mx02.mail.icloud.com"),
    (R.REJECTED, "421 4.7.0 [TSS05] Messages from 198.51.100.9 temporarily deferred", None, "mta7.am0.yahoodns.net"),
    (R.POLICYVIOLATION, "550 5.7.1 [CS01] Message rejected", None, "mx01.mail.icloud.com"),
    (R.BLOCKED, "554- (RTR:BB) see http://postmaster.info.aol.com/errors/554rtrbb.html", None, "mailin-02.mx.aol.com"),
    (R.REQUIREPTR, "421 4.7.1 : (DNS:NR) http://postmaster.info.aol.com/errors/421dnsnr.html", None, "mailin-02.mx.aol.com"),
    (R.BLOCKED, "421 4.7.1 : (DYN:T1) see the postmaster pages", None, "mailin-02.mx.aol.com"),
]


@pytest.mark.parametrize(("reason", "line", "status", "remote"), PROVIDER_ROWS, ids=[r[1][:50] for r in PROVIDER_ROWS])
def test_a_providers_documented_code_gives_its_reason(
    reason: Reason, line: str, status: str | None, remote: str | None
) -> None:
    """A code from the provider's own table, said by its host (or in its own code words), means what it documents."""
    assert _reason(line, status=status, remote=remote) == reason


def test_a_bare_number_is_not_a_providers_code() -> None:
    """Orange's table needs Orange's prefix (OFR/LPN): "417" alone from another host is not "mailbox full"."""
    assert _reason("550 5.7.1 Error 417 [417]", remote="mx.example.net") != Reason.MAILBOXFULL
    assert _reason("550 5.7.1 Error 417 [417]", remote="smtp-in.orange.fr") != Reason.MAILBOXFULL


def test_a_status_range_expands_to_each_code() -> None:
    """A provider rule's "X.7.606-649" covers every code in it and nothing beside it; a reversed range is an error."""
    problems: list[str] = []
    raw = {"provider": [{"id": "p", "rule": [{"status": ["X.7.606-608", "5.1.1"], "reason": "blocked"}]}]}
    rule = build({}, {}, raw, problems).providers[0].rules[0]
    assert rule.statuses == {"X.7.606", "X.7.607", "X.7.608", "5.1.1"}
    assert problems == []
    build({}, {}, {"provider": [{"id": "p", "rule": [{"status": ["X.7.9-3"], "reason": "blocked"}]}]}, problems)
    assert any("empty status range" in p for p in problems)
