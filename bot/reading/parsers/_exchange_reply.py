"""The refusing server's reply as Exchange's "Diagnostic information for administrators" quotes it.

Three shapes, each with the host that refused where Exchange names it:

    Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'
    mx.example.jp #550 5.1.1 <a@example.jp>: Recipient address rejected ##
    mail.contoso.com #<exchange.contoso.com #5.7.1 smtp;530 5.7.1 Client was not authenticated> #SMTP#

A mail client that re-wraps a forwarded NDR may break each over lines: they are read on.
"""

from __future__ import annotations

import re

from bot.reading.lazyre import lazy
from bot.reading.parsers import _common as c

# Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'
# 3/09/2016 8:05:56 PM - Remote Server at mx.example.jp (10.1.1.3) returned '550 4.4.7 QUEUE.Expired; ...'
# 5/25/2018 8:21:10 AM - Server at SG2APC01HT226.eop-APC01.prod.protection.outlook.com returned '550 5.4.312 ...'
_RETURNED = lazy(
    r"(?:remote\s{1,3}server|\bserver)(?:\s{1,3}at\s{1,3}([^\s()']{1,255})(?:\s{1,3}\([^()\n]{0,60}\))?)?"
    r"\s{1,3}returned\s{0,3}'(.{0,3000})",
    re.I,
)
# The same in the Japanese NDR, where the last attempt's words follow an expiry:
# リモート サーバーから返されたエラー: '550 4.4.7 QUEUE.Expired; message expired'
# 最後のエラー: '451 4.4.0 Primary target IP address responded with: ...'
_RETURNED_JA = lazy(r"()(?:リモート\s{0,2}サーバーから返されたエラー|最後のエラー)\s{0,3}[:：]\s{0,3}'(.{0,3000})")
# #550 5.7.1 RESOLVER.RST.AuthRequired; authentication required ##rfc822;a@example.jp
# mx.example.jp #550 5.1.1 <a@example.jp>: Recipient address rejected ##   (the refusing host first)
_HASHED = lazy(
    r"\A\s{0,8}(?:([A-Za-z0-9][A-Za-z0-9.-]{0,253})\s{1,3})?#\s{0,2}([245]\d\d[ -][^#\n]{1,2000}?)\s{0,3}##"
)
# mail.contoso.com #<exchange.contoso.com #5.7.1 smtp;530 5.7.1 Client was not authenticated> #SMTP#
_SMTP_HASH = lazy(
    r"(?:\A|\s)([A-Za-z0-9][A-Za-z0-9.-]{0,253})?\s{0,3}#<\s{0,3}([^\s#<>]{1,255})\s{1,3}#([^\n]{1,2000}?)>\s{0,3}#SMTP#",
    re.I,
)


def reply_in(line: str, following: list[str]) -> tuple[str, str | None]:
    """The server reply a line of the admin section carries, and the host it names."""
    m = _SMTP_HASH.search(line)
    if m:
        # mail.contoso.com #<exchange.contoso.com #5.7.1 smtp;530 5.7.1 Client was not authenticated> #SMTP#
        inner = m.group(3).split(";", 1)[-1] if ";" in m.group(3) else m.group(3)
        return c.fold(inner), m.group(1) or m.group(2)
    m = _RETURNED.search(line) or _RETURNED_JA.search(line)
    if m:
        # Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'
        return _quoted(m.group(2), following), m.group(1)
    m = _HASHED.match(line) or _HASHED.match(_until_hashes(line, following))
    if m:
        # #550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##   /   mx.example.jp #550 5.1.1 ... ##
        return m.group(2), m.group(1)
    return "", None


def _until_hashes(line: str, following: list[str]) -> str:
    """A '#550 ... ##' line with the lines a re-wrapping mail client broke off it (up to its '##')."""
    if "#" not in line or "##" in line:
        return line
    parts = [line]
    for more in following[:4]:
        if not more.strip():
            break
        parts.append(more.strip())
        if "##" in more:
            break
    return " ".join(parts)


def _quoted(rest: str, following: list[str]) -> str:
    """The text inside 'quotes' that may run over a few lines and hold quotes itself."""
    parts = [rest]
    if "'" not in rest:
        for line in following:
            if not line.strip():
                break
            parts.append(line.strip())
            if "'" in line:
                break
    joined = " ".join(parts)
    end = joined.rfind("'")
    return c.fold(joined[:end] if end > 0 else joined)
