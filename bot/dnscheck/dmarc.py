"""DMARC records (RFC 7489) as pure functions: which TXT records are DMARC, and whether one is valid."""

from __future__ import annotations

import re
from collections.abc import Iterable

_POLICIES = frozenset({"none", "quarantine", "reject"})
_URI = re.compile(r"[a-z][a-z0-9+.-]{0,30}:[^\s,]{1,500}", re.IGNORECASE)
_REPORT_SIZE = re.compile(r"![0-9]{1,10}[kmgt]?", re.IGNORECASE)  # "mailto:a@b!10m" (section 6.2)
_FO = frozenset({"0", "1", "d", "s"})
_HEAD = re.compile(r"[ \t]{0,20}v[ \t]{0,20}=[ \t]{0,20}dmarc1(?![a-z0-9])", re.IGNORECASE)

# Problem values that are not a tag of the record: bot.dnscheck.problems words them per language.
MULTIPLE = "multiple"
NO_POLICY = "no-policy"


class DmarcError(ValueError):
    """A DMARC record receivers cannot use; `value` is the offending tag or one of the codes above."""

    def __init__(self, value: str) -> None:
        super().__init__(value)
        self.value = value


def is_dmarc(text: str) -> bool:
    """True for a TXT string at _dmarc that declares itself DMARC ('v=DMARC1', any case)."""
    return bool(_HEAD.match(text))


def dmarc_records(texts: Iterable[str]) -> list[str]:
    """The DMARC records among the TXT records of a _dmarc name."""
    return [t for t in texts if is_dmarc(t)]


def parse_dmarc(text: str) -> dict[str, str]:
    """The tags of a valid DMARC record; raises DmarcError naming what is wrong."""
    tags: dict[str, str] = {}
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue  # "p=none;" ends with an empty part
        key, eq, value = part.partition("=")
        key, value = key.strip().lower(), value.strip()
        if not eq or not key or key in tags:
            raise DmarcError(part[:80])
        tags[key] = value
    if tags.get("v") != "DMARC1":  # case-sensitive (section 6.4 ABNF)
        raise DmarcError(f"v={tags.get('v', '')}"[:80])
    if "p" not in tags:
        raise DmarcError(NO_POLICY)
    for key, value in tags.items():
        if not _tag_ok(key, value):
            raise DmarcError(f"{key}={value}"[:80])
    return tags


def _tag_ok(key: str, value: str) -> bool:
    """Whether a known tag's value follows section 6.3; unknown tags are ignored, as receivers do."""
    if key in ("p", "sp"):
        return value.lower() in _POLICIES
    if key in ("adkim", "aspf"):
        return value.lower() in ("r", "s")
    if key == "pct":
        return value.isdigit() and len(value) <= 3 and int(value) <= 100
    if key == "ri":
        return value.isdigit() and len(value) <= 10
    if key == "fo":
        return all(v.strip().lower() in _FO for v in value.split(":"))
    if key in ("rua", "ruf"):
        return all(_report_uri(u.strip()) for u in value.split(","))
    return True


def _report_uri(uri: str) -> bool:
    """A report address must be a URI ('mailto:dmarc@example.jp'), not a bare address."""
    uri, bang, size = uri.partition("!")
    return bool(_URI.fullmatch(uri)) and (not bang or bool(_REPORT_SIZE.fullmatch("!" + size)))
