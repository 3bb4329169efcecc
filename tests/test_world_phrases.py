"""Servers' fixed texts from public sources (issue 7, point 1), each read as a bare diagnostic.

Every line below was written for this test: the phrase a server, gateway or list manager is known
to write (from vendors' documentation and the reference parsers' published lists), set in other
wording, addresses, hosts and wrapping than any sample. No status and no provider: the words alone
must name the reason (knowledge/phrases.toml).
"""

from __future__ import annotations

import pytest

from bot.models import Bounce, Failure
from bot.reading.classify import classify
from bot.vocab import Reason

R = Reason
ROWS: list[tuple[Reason, str]] = [
    # --- the sending host, its name and authentication
    (R.REQUIREPTR, "550 Rejected: no DNS PTR resource record for 198.51.100.7"),
    (R.REQUIREPTR, "421 we do not take mail from IPs with missing PTR records, fix reverse DNS for 198.51.100.7"),
    (R.AUTHFAILURE, "550 5.7.1 198.51.100.7 is not allowed to send mail from example.org"),
    (R.AUTHFAILURE, "550 5.7.23 The message was rejected because of Sender Policy Framework violation"),
    (R.AUTHFAILURE, "554 Message refused: the SPF record of example.org does not list this host"),
    (R.AUTHFAILURE, "550 5.7.509 Access denied, sending domain example.org does not pass DMARC verification"),
    (R.BADREPUTATION, "421 4.7.0 Messages from 198.51.100.7 deferred due to user complaints - retry later"),
    (R.BADREPUTATION, "554 5.7.1 Service refused: extreme bad IP profile for 198.51.100.7"),
    (R.SPEEDING, "451 Mailbox example.net has exceeded the max emails per hour (500), try later"),
    (R.SPEEDING, "550 5.7.705 Access denied, tenant has exceeded threshold"),
    # --- blocked: the client as such
    (R.BLOCKED, "554 Connection from 198.51.100.7 refused - see http://www.example.net/rbl.html"),
    (R.BLOCKED, "550 5.7.1 Can't determine Purported Responsible Address from headers"),
    (R.BLOCKED, "451 Please confirm this mail server by sending from your registered host"),
    (R.BLOCKED, "421 4.4.2 connection was dropped by remote host during DATA"),
    (R.BLOCKED, "554 Your IP is currently sending spam see: http://cbl.example.net/"),
    (R.BLOCKED, "550 dynamic/zombied/spam IPs blocked, use your provider's relay"),
    (R.BLOCKED, "550 5.7.1 No access from mail server 198.51.100.7"),
    (R.BLOCKED, "554 rejected because the sending MTA or the sender has not passed validation"),
    (R.BLOCKED, "550 Too many unwanted messages have been sent from the following IP address above"),
    (R.BLOCKED, "421 too many spams from your IP (198.51.100.7), try again tomorrow"),
    (R.BLOCKED, "550 Sorry, your remotehost looks suspiciously like spammer"),
    (R.BLOCKED, "554 mail from 198.51.100.7 refused: listed by local administrator"),
    (R.BLOCKED, "550 5.7.708 Access denied, traffic not accepted from this IP"),
    (R.BLOCKED, "554 Server IP 198.51.100.7 listed as abusive at our blocklist service"),
    (R.BLOCKED, "550 Message from 198.51.100.7 rejected based on blacklist"),
    (R.BLOCKED, "554 Service refused: 198.51.100.7 is on our open relay list"),
    (R.BLOCKED, "554 Client host blocked, see http://www.barracudanetworks.com/reputation/?ip=198.51.100.7"),
    (R.BLOCKED, "550 5.7.1 Blocked - see https://ipcheck.proofpoint.com/?ip=198.51.100.7"),
    (R.BLOCKED, "550 Mail refused: your IP is on Trend Micro RBL+"),
    (R.BLOCKED, "550 permanent failure for one or more recipients (kenji@example.net:blocked)"),
    (R.BADREPUTATION, "554 Refused: poor SenderBase score for 198.51.100.7"),
    # --- the sender address
    (R.REJECTED, "550 Backscatter protection detected an invalid or expired email address"),
    (R.REJECTED, "550 Denied [BOUNCEDENY] - bounces are not accepted for this address"),
    (R.REJECTED, "553 Emetteur invalide. Invalid Sender."),
    (R.REJECTED, "550 error: no third-party DSNs accepted here"),
    (R.REJECTED, "550 Transaction failed unsigned DSN for <old@example.org>"),
    (R.REJECTED, "550 5.7.1 Envelope blocked - user entry for example.org"),
    (R.REJECTED, "553 Sorry, your message was refused because the sender isn't on the recipient's list of senders to accept mail from"),
    (R.REJECTED, "550 Access denied (sender blacklisted by the recipient)"),
    (R.REJECTED, "550 5.7.511 Access denied, banned sender [example.org]"),
    (R.REJECTED, "550 Bad sender address syntax"),
    (R.REJECTED, "550 NOT MEMBER article from list-poster@example.org rejected"),
    (R.REJECTED, "553 RFC 1035 violation: recursive CNAME records for example.org"),
    (R.REJECTED, "550 5.7.1 This server does not accept mail from example.org"),
    (R.REJECTED, "501 Syntax error: empty email address in MAIL FROM"),
    (R.REJECTED, "550 5.7.501 Access denied, spam abuse detected; the sending account is banned"),
    # --- the recipient's domain
    (R.HOSTUNKNOWN, "550 Mail domain mentioned in email address is unknown"),
    (R.HOSTUNKNOWN, "all host address lookups failed permanently for example.invalid"),
    (R.HOSTUNKNOWN, "Sorry, I couldn't find any host named example.invalid. (#5.1.2)"),
    (R.HOSTUNKNOWN, "550 5.4.4 SMTPSEND.DNS.NonExistentDomain; the domain example.invalid"),
    (R.HOSTUNKNOWN, "550 Recipient domain must exist in DNS"),
    (R.NOTACCEPT, "an MX or SRV record indicated no SMTP service for example.net"),
    (R.NOTACCEPT, "no host found for existing SMTP connection to example.net"),
    (R.NOTACCEPT, "554 SMTP protocol returned a permanent error"),
    (R.NETWORKERROR, "Host not found, try again: mx.example.net"),
    (R.NETWORKERROR, "451 Temporary failure in MX lookup for example.net"),
    (R.NETWORKERROR, "554 5.4.6 Message looping between mx1 and mx2"),
    (R.NETWORKERROR, "554 Maximum forwarding loop count exceeded"),
    (R.NETWORKERROR, "Unrouteable mail domain \"example.net\""),
    (R.NETWORKERROR, "554 Message has exceeded maximum hop count"),
    (R.NETWORKERROR, "550 mail forwarding loop for info@example.net"),
    (R.NETWORKERROR, '554 message refused: too many "Received" lines, a mail loop is suspected'),
    (R.NETWORKERROR, "The host is unreachable after three attempts"),
    # --- the mailbox
    (R.USERUNKNOWN, "550 Invalid final delivery userid: ryo"),
    (R.USERUNKNOWN, "550 #5.1.1 bad address kenji@example.net"),
    (R.USERUNKNOWN, "550 <kenji@example.net> not found"),
    (R.USERUNKNOWN, "550 Recipient kenji was not found in the LDAP directory"),
    (R.USERUNKNOWN, "550 User kenji was not found on this server"),
    (R.USERUNKNOWN, "550 5.1.1 User (kenji@example.net) unknown. Check the address"),
    (R.USERUNKNOWN, "550 Mailbox kenji@example.net unavailable"),
    (R.USERUNKNOWN, "550 no existe dicha persona"),
    (R.USERUNKNOWN, "550 nessun utente simile in questo indirizzo"),
    (R.USERUNKNOWN, "550 No matches to nameserver query"),
    (R.USERUNKNOWN, "553 sorry, your envelope recipient has been denied"),
    (R.USERUNKNOWN, "550 This email address is wrong or no longer valid"),
    (R.USERUNKNOWN, "550 vdeliver: Invalid or unknown virtual user 'kenji'"),
    (R.USERUNKNOWN, "550 5.1.1 kenji@example.net: there is no one at this address"),
    (R.USERUNKNOWN, "550 5.1.1 user missing home directory"),
    (R.USERUNKNOWN, "550 5.1.1 The address couldn't be found. Check for typos"),
    (R.FILTERED, "550 Cannot route mail to user (kenji/Example)"),
    (R.FILTERED, "550 Not found recipient account, refused by its filter"),
    (R.SUSPEND, "550 Mailbox kenji is temporary locked"),
    (R.SUSPEND, "550 The mailbox is currently suspended"),
    (R.SUSPEND, "550 Recipient rejected: temporarily inactive"),
    (R.SUSPEND, "550 5.2.1 Mailaddress is administratively disabled"),
    (R.SUSPEND, "554 boite du destinataire archivee"),
    (R.MAILBOXFULL, "552 kenji's account is exceeding their quota"),
    (R.MAILBOXFULL, "452 Recipient rejected: mailbox would exceed maximum allowed storage"),
    (R.MAILBOXFULL, "552 Boite du destinataire pleine"),
    (R.MAILBOXFULL, "452 the user's space has been used up"),
    (R.MAILBOXFULL, "552 user has too many messages on the server"),
    (R.MAILBOXFULL, "Exim: error: quota exceed for /var/mail/kenji"),
    (R.HASMOVED, "550 kenji@example.net has been replaced by kenji@example.com"),
    # --- the message
    (R.MESGTOOBIG, "552 Taille limite du message atteinte"),
    (R.EXCEEDLIMIT, "552 5.2.3 Message size exceeds recipient's limit of 10 MB"),
    (R.EXCEEDLIMIT, "552 The message exeeded the maximum size the user accepts"),
    (R.TOOMANYCONN, "550 5.5.3 RESOLVER.ADR.RecipLimit; too many recipients"),
    (R.CONTENTERROR, "554 5.6.0 Header size exceeds maximum permitted"),
    (R.CONTENTERROR, "554 Message MIME complexity exceeds the policy maximum"),
    (R.CONTENTERROR, "550 This message contain text that uses unnecessary base64 encoding"),
    (R.SPAMDETECTED, "550 Message content rejected by our filter"),
    (R.SPAMDETECTED, "550 5.7.1 Content filter rejection"),
    (R.SPAMDETECTED, "554 Message rejected because of unacceptable content"),
    (R.SPAMDETECTED, "554 5.7.0 Reject, id=123456 - spam"),
    (R.SPAMDETECTED, "550 Rejected by recurrent pattern detection system"),
    (R.SPAMDETECTED, "550 You're using a mass mailer"),
    (R.SPAMDETECTED, "450 Your message has been temporarily blocked by our filter"),
    (R.VIRUSDETECTED, "552 5.7.0 It has a potentially executable attachment"),
    (R.POLICYVIOLATION, "550 5.7.1 An illegal attachment on your message was refused"),
    (R.POLICYVIOLATION, "552 5.7.0 Attachments are not allowed for .js files at this domain"),
    (R.POLICYVIOLATION, "554 Rejected: the file extension is not allowed (.exe)"),
    (R.POLICYVIOLATION, "550 Posting by non-member to a members-only list"),
    (R.POLICYVIOLATION, "550 This is a closed mailing list"),
    (R.POLICYVIOLATION, "550 Message bounced due to organizational settings"),
    (R.POLICYVIOLATION, "550 the message was rejected by organization policy"),
    (R.POLICYVIOLATION, "550 Protocol violation: bare header lines"),
    (R.POLICYVIOLATION, "550 You have exceeded the allowable number of posts without solving a captcha"),
    # --- relaying, the client's authentication
    (R.NORELAYING, "550 we are not an open relay, so get lost"),
    (R.NORELAYING, "550 5.7.1 we don't handle mail for example.com"),
    (R.NORELAYING, "550 example.org is not a gateway"),
    (R.NORELAYING, "554 Due to the following SMTP relay error the message was not sent"),
    (R.SECURITYERROR, "530 Please turn on SMTP Authentication in your mail client"),
    (R.SECURITYERROR, "550 5.5.0 Authentification requise. Authentication Required."),
    (R.SECURITYERROR, "535 5.7.8 SMTP authentication failure for user kenji"),
    (R.SECURITYERROR, "534-5.7.9 Please log in with your web browser and then try again"),
    (R.SECURITYERROR, "550 5.7.0 Code d'authentification invalide OFR_305"),
    (R.SECURITYERROR, "454 4.7.0 Could not retrieve credentials for smtp.example.net"),
    # --- connections and the servers themselves
    (R.TOOMANYCONN, "421 Trop de connexions, veuillez verifier votre configuration"),
    (R.TOOMANYCONN, "421 Connection refused, too many sessions from this IP"),
    (R.TOOMANYCONN, "mx.example.net refused to talk to me: 421 4.7.0 Too many concurrent SMTP connections from your host"),
    (R.TOOMANYCONN, "452 4.3.2 STOREDRV.Deliver; recipient thread limit exceeded"),
    (R.EXPIRED, "Could not find a gateway for example.net"),
    (R.EXPIRED, "Delivery failed 5 attempts"),
    (R.EXPIRED, "Hosts for example.net have been failing for a long time; giving up"),
    (R.EXPIRED, "The host was not reachable within the allowed queue period (3 days)"),
    (R.EXPIRED, "421 The server did not respond in time"),
    (R.EXPIRED, "Delivery notice: QUEUE.Expired; message expired"),
    (R.SYSTEMERROR, "451 timeout waiting for input during DATA"),
    (R.SYSTEMERROR, "451 queue file write error"),
    (R.SYSTEMERROR, "451 Temporary local problem - please try later"),
    (R.SYSTEMERROR, "554 aliasing/forwarding loop broken"),
    (R.SYSTEMERROR, "Can't create user output file"),
    (R.SYSTEMERROR, "local delivery failed"),
    (R.SYSTEMERROR, "Loop Back Warning: mail from the list to itself"),
    (R.SYSTEMERROR, "Automatic homedir creator crashed"),
    (R.SYSTEMERROR, "451 4.4.0 - Temporary MTA failure on relaying, From MTA: 250 2.0.0 Ok"),
    (R.NOTACCEPT, "432 4.3.2 STOREDRV.Deliver: Missing or bad StoreDriver MDB properties"),
    (R.MAILERERROR, "Command output: /usr/bin/filter: bad interpreter"),
    (R.MAILERERROR, "|/usr/local/bin/maildrop: Command failed: exit 75"),
    (R.SYNTAXERROR, "501 angle-brackets nested too deep"),
    (R.SYNTAXERROR, "501 domain missing in source-routed address"),
    (R.SYNTAXERROR, "503 EHLO/HELO first"),
    (R.SYNTAXERROR, "502 Unimplemented command"),
    (R.VACATION, "Hello, I am away until Monday with no access to mail"),
    # X.400 gateways (ITU-T X.411 non-delivery diagnostics as gateways print them), Exchange, sendmail
    (R.USERUNKNOWN, "Reason: Unable to transfer; Diagnostic: Unrecognized OR-Name (0)"),
    (R.EXPIRED, "Non-delivery: maximum-time-expired (diagnostic 5)"),
    (R.EXPIRED, "X.400 report: transfer attempts limit reached"),
    (R.MESGTOOBIG, "X.400 non-delivery: content too long for the recipient's MTA"),
    (R.CONTENTERROR, "Diagnostic code: encoded information types unsupported"),
    (R.SYSTEMFULL, "Non-delivery: MTS congestion, try later"),
    (R.USERUNKNOWN, "The recipient's e-mail address was not found in the recipient's e-mail system."),
    (R.USERUNKNOWN, "The e-mail account does not exist at the organization this message was sent to."),
    (R.HOSTUNKNOWN, "The destination server for this recipient could not be found in Domain Name Service (DNS)."),
    (R.NETWORKERROR, "A communication failure occurred during the delivery of this message."),
    (R.EXPIRED, "Cannot send message for 5 days"),
    # Japanese ISPs' and carriers' notices
    (R.USERUNKNOWN, "550 宛先のユーザが存在しません (kenji@example.ne.jp)"),
    (R.USERUNKNOWN, "送信先のメールアドレスが存在しないため配信できませんでした"),
    (R.MAILBOXFULL, "受信者のメールボックスが一杯のため配信できません"),
    (R.MESGTOOBIG, "552 メールのサイズが大きすぎるため受信できません"),
    (R.MESGTOOBIG, "送信できるメールサイズの上限を超えています"),
]


@pytest.mark.parametrize(("reason", "line"), ROWS, ids=[line[:60] for _, line in ROWS])
def test_a_servers_own_words_name_the_reason(reason: Reason, line: str) -> None:
    """The line alone, with no code and no known host, gives the reason the phrase states."""
    failure = Failure(address="kenji@example.net", diagnostic=line)
    verdict = classify(failure, Bounce(format="rfc3464", failures=(failure,)))
    assert verdict.reason == reason, verdict.rule


@pytest.mark.parametrize(
    "line",
    [
        "550 5.7.1 Message rejected by Example Spam & Virus Firewall: sender address not found",
        "550 5.1.1 <kenji@example.net>: Recipient address rejected: User unknown in virtual mailbox table",
        "554 5.7.1 Smtp protocol violation: pipelining before greeting",
        "452 4.2.2 kenji@example.net: quota exceeded on the mailbox",
        "550 5.7.1 RCPT TO command failed: message blocked by the sender score of the recipient's filter",
        "554 5.7.1 Message from sender scored 9.8, considered spam",
    ],
)
def test_a_phrase_does_not_fire_inside_a_longer_text(line: str) -> None:
    """Words the new phrases contain inside another statement keep that statement's reason."""
    failure = Failure(address="kenji@example.net", diagnostic=line)
    got = classify(failure, Bounce(format="rfc3464", failures=(failure,))).reason
    assert got not in (Reason.VIRUSDETECTED, Reason.POLICYVIOLATION, Reason.SPEEDING, Reason.MAILERERROR), line
    if "scored" in line:
        assert got == Reason.SPAMDETECTED


def test_a_domain_without_a_mail_host_is_the_recipients_dns() -> None:
    """MX records naming hosts that do not exist, or a lookup with no data, are the recipient's DNS, not a typo."""
    for line in (
        "all relevant MX records point to non-existent hosts (example.net)",
        "DNS Error: DNS server returned answer with no data for example.net",
    ):
        failure = Failure(address="kenji@example.net", diagnostic=line)
        assert classify(failure, Bounce(format="rfc3464", failures=(failure,))).cause_id == "domain-no-mail-host"


def test_an_attachment_rule_is_the_senders_to_change() -> None:
    """A refused file type is the attachment cause (the sender sends it another way), unless a virus is named."""
    for line, want in (
        ("552 Blocked attachment: the file type is not allowed here", "attachment-blocked"),
        ("554 Attachment policy: archives with executables are refused", "attachment-blocked"),
        ("554 Banned attachment contains a virus (Eicar-Test-Signature)", "virus-detected"),
    ):
        failure = Failure(address="kenji@example.net", diagnostic=line)
        assert classify(failure, Bounce(format="rfc3464", failures=(failure,))).cause_id == want, line


@pytest.mark.parametrize(
    "line",
    [
        "Domain example.net does not accept mail (nullMX)",
        "mx lookup for example.net: an MX or SRV record indicated no SMTP service",
        "550 5.1.10 the domain publishes a null MX",
    ],
)
def test_a_null_mx_is_the_domains_statement(line: str) -> None:
    """RFC 7505's null MX, in Postfix's, Exim's or other words, is the null-MX cause (the address is wrong)."""
    failure = Failure(address="kenji@example.net", diagnostic=line)
    verdict = classify(failure, Bounce(format="rfc3464", failures=(failure,)))
    assert (verdict.reason, verdict.cause_id) == (Reason.NOTACCEPT, "domain-null-mx"), verdict.rule
