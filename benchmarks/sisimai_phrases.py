"""The reference parser's public phrase lists (Debian's libsisimai-perl) as labelled example lines.

Each `Item` is one example a Sisimai table labels with a reason: a phrase of
Sisimai/Reason/*.pm (`index` lists, `match` regexes, one sentence per branch), of an Lhost
module's message table (`$messagesof`, `$refailures`, ...), of an Rhost module's table (with the
remote host that makes Sisimai consult it, and the status or reply its rows give), or a code of
Sisimai/SMTP/Status.pm (a status alone, no words).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from benchmarks.perl_literals import Hash, Pattern, declarations
from benchmarks.regex_examples import examples

ROOT = Path("/usr/share/perl5/Sisimai")
# Sisimai 4's reason names (its Reason/*.pm) besides the ones without a module.
REASONS = frozenset(
    p.stem.lower() for p in (ROOT / "Reason").glob("*.pm")
) | {"undefined", "onhold", "delivered", "feedback", "vacation", "syntaxerror"}
# The remote host that makes Sisimai read each Rhost module (Sisimai/Rhost.pm's RhostClass).
RHOSTS = {
    "Cox": "fed1rmimpi01.cox.net", "ExchangeOnline": "example-com.mail.protection.outlook.com",
    "FrancePTT": "smtp-in.orange.fr", "GoDaddy": "smtp.secureserver.net",
    "GoogleApps": "aspmx.l.google.com", "IUA": "mx.email.ua", "KDDI": "lsean.ezweb.ne.jp",
    "Mimecast": "eu-smtp-inbound-1.mimecast.com", "NTTDOCOMO": "mfsmax.docomo.ne.jp",
    "Spectrum": "mx.charter.net", "TencentQQ": "mx1.qq.com",
}
# Lhost modules whose bounces mxcheck reads under a format of the same meaning.
FORMATS = {
    "Exim": "exim", "qmail": "qmail", "Gmail": "gmail", "AmazonSES": "amazonses",
    "Office365": "m365", "Exchange2003": "exchange2003", "Exchange2007": "exchange",
    "Postfix": "postfix", "Sendmail": "sendmail",
}
# Code tables of Rhost modules: the code as its provider writes it in a refusal.
CODE_LINES = {
    "Cox": ["554 5.7.1 Rejected - AUP#{code}"],
    "FrancePTT": ["550 5.7.1 OFR004_{code} [{code}]", "550 5.7.1 LPN007_{code}"],
    "GoDaddy": ["554 {code}"],
    "IUA": ["550 Message rejected. See http://mail.i.ua/err/{code}/"],
    "Spectrum": ["554 5.7.1 Rejected - AUP#In-{code}"],
}
_CODE_TABLES = {("Exchange2003", "errorcodes"), ("Facebook", "errorcodes")}  # hex/short codes, not words


@dataclass(frozen=True)
class Item:
    """One labelled example: where it comes from, Sisimai's reason, and how to present it."""

    source: str  # "Reason/UserUnknown", "Lhost/Exim", "Rhost/GoogleApps", "SMTP/Status"
    reason: str
    text: str
    status: str | None = None
    reply: str | None = None
    remote: str | None = None
    format: str = "rfc3464"
    about: str = ""  # the table's own note on a code (SMTP/Status.pm's comment), for reason names


def available() -> bool:
    """True when libsisimai-perl is installed where Debian puts it."""
    return (ROOT / "Reason").is_dir() and (ROOT / "SMTP" / "Status.pm").is_file()


def items() -> Iterator[Item]:
    """Every example of every table, in file order."""
    for path in sorted((ROOT / "Reason").glob("*.pm")):
        yield from _reason_module(path)
    for kind in ("Lhost", "Rhost"):
        for path in sorted((ROOT / kind).glob("*.pm")):
            yield from _host_module(kind, path)
    table = declarations((ROOT / "SMTP" / "Status.pm").read_text(encoding="utf-8")).get("StandardCode")
    if isinstance(table, Hash):
        for e in table.entries:
            if isinstance(e.value, str) and not str(e.key).startswith("2."):
                yield Item("SMTP/Status", e.value, "", status=str(e.key), about=e.comment)


def _texts(value: object) -> Iterator[str]:
    """The example texts of a table value: a string, a qr//, or a list of them."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Pattern):
        yield from examples(value.source, verbose_mode="x" in value.flags)
    elif isinstance(value, list):
        for v in value:
            if not isinstance(v, list):
                yield from _texts(v)


def _reason_module(path: Path) -> Iterator[Item]:
    reason = path.stem.lower()
    found = declarations(path.read_text(encoding="utf-8"))
    for name in ("index", "regex"):
        for text in _texts(found.get(name)):
            yield Item(f"Reason/{path.stem}", reason, text)


def _host_module(kind: str, path: Path) -> Iterator[Item]:
    module = path.stem
    base = Item(f"{kind}/{module}", "", "", remote=RHOSTS.get(module) if kind == "Rhost" else None,
                format=FORMATS.get(module, "rfc3464"))
    for name, table in declarations(path.read_text(encoding="utf-8")).items():
        if not isinstance(table, Hash) or (module, name) in _CODE_TABLES:
            continue
        keys = {str(e.key) for e in table.entries}
        if keys and keys <= REASONS:
            for e in table.entries:
                yield from _rows(base, str(e.key), e.value)
        elif all(e.value is None or (isinstance(e.value, str) and e.value in REASONS) for e in table.entries):
            yield from _pairs(base, module, table)
    for low, _high, reason in _ranges(path):
        for line in CODE_LINES.get(module, []):
            yield _with(base, reason, line.format(code=low))


def _rows(base: Item, reason: str, value: object) -> Iterator[Item]:
    """A reason's entry: texts, or tuples that add a reply code and a status to a phrase."""
    for text in _texts(value):
        yield _with(base, reason, text)
    for row in value if isinstance(value, list) else []:
        if isinstance(row, list) and row and isinstance(row[-1], str):
            yield _with(base, reason, row[-1], **_codes(row[:-1]))


def _codes(parts: list[object]) -> dict[str, str]:
    """Reply and status from a row's leading fields: ['421', '4.7.0'], [451], ['4.7.', 850, 899]."""
    out: dict[str, str] = {}
    nums = [p for p in parts if isinstance(p, int)]
    for p in parts:
        s = str(p)
        if s.count(".") >= 1 and s[0] in "245":
            out["status"] = s + str(nums[0]) if s.endswith(".") and nums else s
        elif len(s) == 3 and s.isdigit() and s[0] in "245":
            out["reply"] = s
    return out


def _pairs(base: Item, module: str, table: Hash) -> Iterator[Item]:
    """A table of code or phrase → reason: codes are written as the provider writes them."""
    for e in table.entries:
        key = str(e.key)
        if e.value is None:
            continue
        if module in CODE_LINES:
            lines = [e.comment] if module == "GoDaddy" and key in e.comment else CODE_LINES[module]
            for line in lines:
                yield _with(base, str(e.value), line.format(code=key) if "{code}" in line else line)
        elif isinstance(e.key, Pattern):
            for status in examples(e.key.source):
                yield _with(base, str(e.value), "", status=status)
        else:
            yield _with(base, str(e.value), key)


def _ranges(path: Path) -> list[tuple[int, int, str]]:
    found = declarations(path.read_text(encoding="utf-8")).get("coderanges")
    rows = found if isinstance(found, list) else []
    return [(r[0], r[1], r[2]) for r in rows if isinstance(r, list) and len(r) == 3 and r[2] in REASONS]


def _with(base: Item, reason: str, text: str, **codes: str) -> Item:
    return Item(base.source, reason, text, status=codes.get("status"), reply=codes.get("reply"),
                remote=base.remote, format=base.format)
