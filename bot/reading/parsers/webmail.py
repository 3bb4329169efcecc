"""Web mail providers with their own report layouts: GMX / mail.com, 1&1 (IONOS), Zoho.

mail.ru and Yandex write Exim and Postfix reports (exim.py and postfix.py read them).
"""

from __future__ import annotations

import re

from bot.models import Bounce, Message
from bot.reading.lazyre import lazy
from bot.reading.parsers._layout import ADDR, Layout, detect_any, parse_any
from bot.vocab import Phase

_I = re.IGNORECASE

LAYOUTS: tuple[Layout, ...] = (
    Layout(
        # "shironeko@example.jp":                      (GMX)    or   <kijitora@example.co.jp>
        # SMTP error from remote server after RCPT command:
        # host: mx.example.jp
        # 5.2.2 <shironeko@example.jp>... Mailbox Full
        #
        # xxxx@xxxx.fr:                                (1&1)
        # SMTP error from remote server for TEXT command, host: smtp-in.orange.fr (193.252.22.65) reason: 550 5.2.0 ...
        # --- The header of the original message is following. ---
        name="gmx",
        markers=("--- the header of the original message is following. ---",),
        recipients=(
            lazy(r"\A\"" + ADDR + r"\":\s{0,3}\Z"),
            lazy(r"\A<" + ADDR + r">:?\s{0,3}\Z"),
            lazy(r"\A" + ADDR + r":\s{0,3}\Z"),
        ),
        stop=lazy(r"\A-{3} The header of the original message is following\. -{3}", _I),
        ignore=lazy(
            r"\A(?:This message was created automatically|A message that you sent could not|its recipients\."
            r"|failed:\s{0,3}\Z|Reason:\s{0,3}\Z)",
            _I,
        ),
        remote=(lazy(r"\bhost:\s{0,3}(\S{1,255})", _I),),
        phases=(
            (lazy(r"(?:after|for) (?:text|data) command", _I), Phase.DATA),
            (lazy(r"(?:after|for) rcpt command", _I), Phase.RCPT),
            (lazy(r"(?:after|for) mail command", _I), Phase.MAIL),
        ),
    ),
    Layout(
        # This message was created automatically by mail delivery software.
        # mikeneko@example.co.jp Invalid Address, ERROR_CODE :550, ERROR_CODE :5.2.1 <mikeneko@...>... User Unknown
        # [Status: Error, Address: <kijitora@example.co.jp>, ResponseCode 421, , Host not reachable.]
        # Received:from mail.zoho.com by mx.zohomail.com
        name="zoho",
        markers=("error_code :", "[status: error, address: <", "[status: warning, address: <"),
        start=lazy(r"\AThis message was created automatically by mail delivery", _I),
        recipients=(
            lazy(r"\A" + ADDR + r"\s{1,4}(?P<text>.{1,2000})\Z"),
            lazy(r"\A(?P<text>\[Status: [^<>]{0,100}<" + ADDR + r">,.{0,1000})\Z", _I),
        ),
        stop=lazy(r"\AReceived:\s{0,3}from", _I),
        ignore=lazy(
            r"\A(?:A message that you sent|THIS IS A WARNING|YOU DO NOT NEED|The original message was"
            r"|from \S|-{3,} ?(?:The following|Transcript))",
            _I,
        ),
        delayed=lazy(r"THIS IS A WARNING MESSAGE ONLY|will be retried|\(Delay\)", _I),
    ),
)


def detect(msg: Message) -> bool:
    """GMX's or Zoho's report markers (or Zoho's header)."""
    return bool(msg.header("x-zohomail")) or detect_any(LAYOUTS, msg)


def parse(msg: Message) -> Bounce | None:
    """The first layout that finds recipients."""
    return parse_any(LAYOUTS, msg)
