"""Bounce formats, tried in the order of ORDER; the first module whose parse finds failures wins.

Every module has the same two functions: a cheap ``detect(msg) -> bool`` (headers, a few
marker strings) and ``parse(msg) -> Bounce | None``. Provider-specific layouts come first,
then the MTA families, then the generic RFC 3464 decoder and the last-resort scanner.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from types import ModuleType

from bot.models import Bounce, Message
from bot.reading import notices
from bot.vocab import Action

# The order matters: a provider that wraps an MTA's text must be tried before that MTA.
ORDER: tuple[str, ...] = (
    "arf",  # RFC 5965 abuse feedback reports
    "autoreply",  # RFC 3834 auto-replies (vacation)
    "m365",  # Microsoft 365's newer NDR layout ("Your message to a@b couldn't be delivered", Error Details)
    "exchange",  # Exchange 2007+, Outlook.com, Microsoft 365 classic NDR, pasted one-liners, ja texts
    "exchange2003",  # Exchange 2000/2003: "did not reach the following recipient(s)", MSEXCH codes
    "gmail",  # Gmail, Google Workspace, Google Groups, ja texts
    "yahoo",  # Yahoo! Mail
    "amazonses",  # Amazon SES and WorkMail
    "jpcarriers",  # docomo, au/ezweb/KDDI, SoftBank, biglobe and other Japanese ISPs
    "gateways",  # Trend Micro, McAfee, SurfControl, m-FILTER, ActiveHunter, Mimecast, amavis
    "postfix",
    "mdaemon",  # before exim: both write X-Failed-Recipients
    "exim",
    "sendmail",
    "qmail",
    "mtas",  # the smaller MTAs as layouts: DragonFly, OpenSMTPD, Notes, IMail, MailFoundry, James, fml, X1-X3
    "webmail",  # GMX / mail.com, 1&1, Zoho layouts (mail.ru and Yandex read as Exim and Postfix)
    "rfc3464",  # generic multipart/report; message/delivery-status
    "scanner",  # last resort: addresses, status codes and reply lines anywhere in the text
)

# Modules that only say a message is NOT a bounce (a newsletter quoting bounce lines): asked
# first; when one detects, nothing is parsed.
GATES: tuple[str, ...] = ("ordinary",)


def _imported(name: str) -> ModuleType:
    """The format module `name` (importlib.import_module, without importing importlib)."""
    __import__(f"bot.reading.parsers.{name}")
    return sys.modules[f"bot.reading.parsers.{name}"]


_MODULES: tuple[ModuleType, ...] = tuple(_imported(n) for n in ORDER)
_GATES: tuple[ModuleType, ...] = tuple(_imported(n) for n in GATES)


def is_ordinary(msg: Message) -> bool:
    """A gate says the message is an ordinary mail, not a bounce."""
    return any(gate.detect(msg) for gate in _GATES)


def parse(msg: Message) -> Bounce | None:
    """Run the formats in ORDER and return the first bounce with at least one failure."""
    if is_ordinary(msg):
        return None
    for module in _MODULES:
        if not module.detect(msg):
            continue
        bounce = module.parse(msg)
        if bounce is not None and bounce.failures:
            return _delays_marked(msg, bounce)
    return None


def _delays_marked(msg: Message, bounce: Bounce) -> Bounce:
    """A delay warning's recipients whose report gave no Action are delayed, not failed."""
    if all(f.action is not None for f in bounce.failures) or not notices.is_warning(msg):
        return bounce
    failures = tuple(f if f.action is not None else replace(f, action=Action.DELAYED) for f in bounce.failures)
    return replace(bounce, failures=failures)
