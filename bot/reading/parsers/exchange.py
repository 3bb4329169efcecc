"""Microsoft Exchange 2007+, Exchange Online / Microsoft 365 and Outlook.com NDRs, in any UI language.

Layouts handled (each branch below carries the lines it reads):
- classic NDR: "Delivery has failed to these recipients or groups:" / 「次の受信者またはグループへの
  配信に失敗しました:」, then "Diagnostic information for administrators:" / 「管理者向けの診断情報:」
  with "Generating server:" / 「生成サーバー:」, the recipient, the remote host, and the
  refusing server's reply (`Remote Server returned '...'`, `#550 5.1.1 ... ##`,
  `host #<host #5.7.1 smtp;530 5.7.1 ...> #SMTP#`, `date - Remote Server at host returned '...'`);
- Outlook.com (Hotmail) DSNs: "Delivery to the following recipients failed." with RFC 3464 fields;
- pasted fragments: any single line above, alone or inside other text (a support person pastes
  only `Remote Server returned '...'` or `550 5.1.1 RESOLVER.ADR.RecipNotFound`).

A failure's address is "" when the pasted text shows none (the line alone): the failure is still
reported so the refusing server's words reach the classifier. The newer Microsoft 365 layout
("Your message to a@b couldn't be delivered.", Error Details) is m365; Exchange 2003 is exchange2003.
"""

from __future__ import annotations

import re

from bot.limits import MAX_RECIPIENTS
from bot.models import Bounce, Failure, Message
from bot.reading.lazyre import lazy
from bot.reading.parsers import _common as c
from bot.reading.parsers._exchange_reply import reply_in

# Markers of this family in the readable text, lower case; any one suffices for detect().
_MARKERS = (
    "diagnostic information for administrators",
    "delivery has failed to these recipients or groups",
    "remote server returned",
    "remote server at ",
    "resolver.adr.",
    "resolver.rst.",
    "queue.expired",
    "#smtp#",
    "rejected your message to the following e",
    "informations de diagnostic pour les administrateurs",
    "informazioni di diagnostica per gli amministratori",
    "diagnoseinformationen für administratoren",
    "管理者向けの診断情報",
    "診断情報 (管理者用)",
    "リモート サーバーから返されたエラー",
    "次の受信者またはグループへの配信に失敗しました",
    "メッセージは次の組織に拒否されました",
    "delivery to the following recipients failed.",
    "delivery to the following recipients has been delayed.",
)
_SENDERS = ("microsoftexchange", "postmaster@outlook.com", "postmaster@hotmail.com", ".onmicrosoft.com")

# "Diagnostic information for administrators:" and its translations.
_ADMIN = lazy(
    r"^\s{0,4}(?:diagnostic information for administrators|informations de diagnostic pour les administrateurs"
    r"|informazioni di diagnostica per gli amministratori|diagnoseinformationen für administratoren"
    r"|información de diagnóstico para administradores|管理者向けの診断情報|管理者用の診断情報"
    r"|診断情報\s{0,2}[(（]管理者用[)）])",
    re.I | re.M,
)
# The end of the bounce proper: the original message's headers follow.
_ORIGINAL = lazy(
    r"^\s{0,4}(?:original message headers|en-t.tes de message d'origine|intestazioni originali del messaggio"
    r"|ursprüngliche nachrichtenkopfzeilen|元のメッセージ ヘッダー|元のメッセージのヘッダー"
    r"|original message details|元のメッセージの詳細|message hops|メッセージ ホップ)",
    re.I | re.M,
)
# Generating server: EX1.example.jp / 生成サーバー: EX1.example.jp
_GENERATING = lazy(
    r"^\s{0,4}(?:generating server|serveur de g.n.ration|server di generazione|generierender server"
    r"|servidor de generación|生成サーバー|生成元サーバー)\s{0,3}[:：]\s{0,5}(\S{1,255})",
    re.I | re.M,
)
# Receiving server: mx.example.jp (192.0.2.1)
_RECEIVING = lazy(
    r"^\s{0,4}(?:receiving server|serveur de r.ception|server di ricezione|empfangender server|受信サーバー)"
    r"\s{0,3}[:：]\s{0,5}(\S{1,255})",
    re.I | re.M,
)
# The following organization rejected your message: mail.contoso.com
# メッセージは次の組織に拒否されました: mail.contoso.com (a bilingual paste has both, in brackets)
# Gated by its two sentences: under IGNORECASE the re module tries both at every position.
_ORGANIZATION = c.gated(lazy(
    r"(?:the following organization rejected your message|メッセージは次の組織に拒否されました)"
    r"[^\n]{0,120}?[:：]\)?\s{0,5}(?:\([^()\n]{0,120}\)\s{0,5})?([A-Za-z0-9][A-Za-z0-9.-]{0,253}\.[A-Za-z]{2,63})",
    re.I,
))
# nijo.example.jp rejected your message to the following email addresses:
# nijo.example.jp gave this error:   /  nijo.example.jp から次のエラーが返されました:
_REJECTED_BY = lazy(
    r"^\s{0,4}([A-Za-z0-9][A-Za-z0-9.-]{0,253}\.[A-Za-z]{2,63})\s{1,3}(?:rejected your message|gave this error"
    r"|が次のメール アドレスへのメッセージを拒否しました|から(?:次の|この)エラーが返されました|がこのエラーを返しました)",
    re.I | re.M,
)
_REJECTED_BY_IN = c.gated(_REJECTED_BY)  # searched in a whole text: only where one of its sentences is
# A line that is one address, as the admin section lists recipients (maybe with <mailto:...>).
_ADDRESS_LINE = lazy(
    r"\A\s{0,8}<?([^\s<>@()]{1,64}@[^\s<>@()]{1,255}?)>?(?:\s{0,3}\(.{0,300}\))?\s{0,3}(?:<mailto:[^>]{0,300}>)?\s{0,3}\Z"
)
_HOST_LINE = lazy(r"\A\s{0,8}([A-Za-z0-9][A-Za-z0-9-]{0,62}(?:\.[A-Za-z0-9-]{1,63}){1,10})\.?\s{0,3}\Z")
# A bare Exchange resolver/queue line pasted alone: "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found"
_RESOLVER_LINE = lazy(
    r"(?:\A|\s)(#?[245]\d\d[ -][245]\.\d{1,3}\.\d{1,3}\s{1,3}(?:RESOLVER|QUEUE|SMTPSEND|ROUTING|STOREDRV)\.[^\n]{0,500})",
    re.I,
)
# Momentum-style lines a smart host returns, pasted without the Exchange wrapper:
# 5.1.0 Unknown address error 554-'5.7.1. Relay access denied.
# 5.1.2 - Bad destination host 'DNS Hard Error looking up example.jp (MX): NXDomain'
_RELAY_LINE = lazy(
    r"(?:\A|\s)([245]\.\d{1,3}\.\d{1,3}(?:\s{0,3}-\s{0,3}[A-Za-z][A-Za-z ]{2,60}?\s{0,3}(?:[245]\d\d-)?"
    r"|\s{1,3}[A-Za-z][A-Za-z ]{2,60}?\s{0,3}[245]\d\d-)\s{0,2}'[^\n]{0,1000})"
)
# Exchange Online's documentation order, status before reply code, as people copy it:
# 5.1.1 550 (unknown user)  /  5.0.0 550 SPF MAIL FROM check failed (PermError)
_STATUS_FIRST = lazy(
    r"\A\s{0,4}(?:[-*•・]\s{0,3})?([245]\.\d{1,3}\.\d{1,3}\s{1,3}[245]\d\d\s{1,3}\S[^\n]{0,500})"
)
# RFC 3464 fields in a paste: then a smart host's line is not alone (SES quotes it in Diagnostic-Code).
_DSN_FIELD = lazy(r"^\s{0,4}(?:final-recipient|reporting-mta|diagnostic-code)\s{0,3}:", re.I | re.M)


def detect(msg: Message) -> bool:
    """Exchange/Outlook markers in the sender, subject or text."""
    if msg.header("x-ms-exchange-message-is-ndr", "-") != "-" or c.header_has(msg, "from", _SENDERS):
        return True
    if c.has_any(msg.text, _MARKERS):
        return True
    # A smart host's line alone is ours only in a paste without DSN fields (SES writes it too).
    if msg.whole or _DSN_FIELD.search(msg.text):
        return False
    return bool(_RELAY_LINE.search(msg.text)) or any(
        _STATUS_FIRST.match(line) for line in msg.text.split("\n")
    )


def parse(msg: Message) -> Bounce | None:
    """Failures from the admin section, the new layout's error details, DSN fields or a pasted line."""
    text = c.readable_text(msg)
    _, dsn = c.dsn_failures(c.status_text(msg))
    found = _admin_section(text) or _top_section(text) or _pasted_lines(text)
    reporting = _reporting(text)
    if not found and not dsn:
        return None
    failures = c.merge_dsn(found, dsn)
    return Bounce(
        format="exchange", failures=tuple(failures), reporting_mta=reporting, sender=c.original_sender(msg)
    )


# ----------------------------------------------------------------------------- classic admin section
def _admin_section(text: str) -> list[Failure]:
    """Diagnostic information for administrators: recipient, remote host, the server's reply."""
    head = _ADMIN.search(text)
    if not head:
        return []
    body = _ORIGINAL.split(text[head.end() :], maxsplit=1)[0]
    receiving = _RECEIVING.search(body)
    entries: list[dict[str, str]] = []
    lines = body.split("\n")
    for i, line in enumerate(lines):
        if _GENERATING.match(line) or _RECEIVING.match(line) or not line.strip():
            continue
        addr = _ADDRESS_LINE.match(line)
        if addr:
            # kijitora@example.jp
            if len(entries) >= MAX_RECIPIENTS:
                break
            entries.append({"address": addr.group(1)})
            continue
        if not entries:
            entries.append({"address": ""})
        entry = entries[-1]
        host = _HOST_LINE.match(line)
        if host and "reply" not in entry:
            # nijo.example.jp  (the O365 layout names the refusing server on its own line)
            entry["host"] = host.group(1)
            continue
        reply, host_named = reply_in(line, lines[i + 1 : i + 6])
        if reply and "reply" not in entry:
            entry["reply"] = reply
            if host_named:
                entry["host"] = entry.get("host") or host_named
        elif reply and _expired(entry["reply"]):
            # An older attempt under a queue expiry: the remote server's own words.
            entry["reply"] += f" (last attempt: {reply})"
            if host_named:
                entry["host"] = host_named
    org = _ORGANIZATION.search(text, c.comparable(text))
    named = (org.group(1) if org else None) or _rejected_by(text)
    out = []
    for entry in entries:
        if "reply" not in entry and not entry["address"]:
            continue
        host = entry.get("host") or named
        if not host and receiving and "reply" in entry:
            host = receiving.group(1)
        out.append(_failure(entry["address"], entry.get("reply", ""), host))
    return out


def _expired(reply: str) -> bool:
    low = reply.lower()
    return "queue.expired" in low or "message expired" in low


def _rejected_by(text: str) -> str | None:
    m = _REJECTED_BY_IN.search(text, c.comparable(text))
    return m.group(1) if m else None


def _reporting(text: str) -> str | None:
    m = _GENERATING.search(text)
    return c.clean_host(m.group(1)) if m else None


# ----------------------------------------------------------------------------- top section only
_TOP = lazy(
    r"^\s{0,4}(?:delivery has failed to these recipients or groups|次の受信者またはグループへの配信に失敗しました"
    r"|.{1,255} rejected your message to the following e-?mail addresses"
    r"|.{1,255}が次のメール アドレスへのメッセージを拒否しました"
    r"|delivery to the following recipients (?:failed|has been delayed))[^\n]{0,200}$",
    re.I | re.M,
)


def _top_section(text: str) -> list[Failure]:
    """Only the readable top of a classic NDR: the recipients and the explanation under each."""
    head = _TOP.search(text)
    if not head:
        return []
    lines = text[head.end() :].split("\n")
    out: list[Failure] = []
    named = _rejected_by(text)
    for i, line in enumerate(lines[:60]):
        if _ADMIN.match(line) or _ORIGINAL.match(line):
            break
        addr = c.find_addresses(line, limit=1)
        if not addr or not _ADDRESS_LINE.match(line):
            continue
        # kijitora@example.jp (kijitora@example.jp)<mailto:kijitora@example.jp>
        # The email address you entered couldn't be found. ...
        following = c.paragraph_after(lines, i + 1, limit=4)
        following = following[: next((k for k, x in enumerate(following) if _ADDRESS_LINE.match(x)), None)]
        explanation = c.fold(" ".join(following))
        host, said = _gave_error(lines[i + 1 : i + 20])
        out.append(_failure(addr[0], said or explanation, host or named))
    return out


def _gave_error(lines: list[str]) -> tuple[str | None, str]:
    """The host and text under "X gave this error:" before the next recipient, if any."""
    for k, line in enumerate(lines):
        if _ADDRESS_LINE.match(line) or _ADMIN.match(line):
            break
        m = _REJECTED_BY.match(line)
        if m and "rejected your message" not in line and "拒否しました" not in line:
            # nijo.example.jp gave this error:
            # <kijitora@example.jp>... User Unknown
            start = next((j for j in range(k + 1, len(lines)) if lines[j].strip()), len(lines))
            return m.group(1), c.fold(" ".join(c.paragraph_after(lines, start, limit=4)))
    return None, ""


# ----------------------------------------------------------------------------- pasted one-liners
def _pasted_lines(text: str) -> list[Failure]:
    """A single Exchange or smart-host line pasted alone or inside other text."""
    lines = text.split("\n")
    alone: bool | None = None  # no DSN field in the text: searched once, not once per line
    for i, line in enumerate(lines):
        reply, host = reply_in(line, lines[i + 1 : i + 6])
        if not reply:
            if alone is None:
                alone = not _DSN_FIELD.search(text)
            m = (
                _RESOLVER_LINE.search(line)
                or (alone and (_RELAY_LINE.search(line) or _STATUS_FIRST.match(line)))
                or None
            )
            reply = c.fold(m.group(1).lstrip("#")) if m else ""
        if reply:
            addr = c.find_addresses(reply, limit=1)
            org = _ORGANIZATION.search(text, c.comparable(text))
            host = host or (org.group(1) if org else None) or _rejected_by(text)
            return [_failure(addr[0] if addr else "", reply, host)]
    return []


# ----------------------------------------------------------------------------- building
def _failure(address: str, reply: str, host: str | None) -> Failure:
    """A Failure whose status and reply code are those of the innermost server reply quoted."""
    failure = c.make_failure(address, diagnostic=reply, remote_mta=host, status=c.unwrap(reply).status)
    return c.with_inner_reply(failure)
