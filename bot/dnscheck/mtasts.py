"""MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) records and the MTA-STS policy, as pure functions."""

from __future__ import annotations

import re
from collections.abc import Iterable

_STS_ID = re.compile(r"[A-Za-z0-9]{1,32}")
_FIELD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}=[\x21-\x3a\x3c\x3e-\x7e]{1,256}")
_MX_PATTERN = re.compile(r"(?:\*\.)?[a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63}){0,40}\.?", re.IGNORECASE)
_MODES = frozenset({"enforce", "testing", "none"})
MAX_AGE = 31_557_600  # section 3.2: at most a year


class RecordError(ValueError):
    """A record or policy receivers cannot use; the text says what is wrong (shown as the problem value)."""


def _fields(text: str) -> list[str]:
    return [f.strip(" \t") for f in text.split(";") if f.strip(" \t")]


def sts_records(texts: Iterable[str]) -> list[str]:
    """The _mta-sts TXT strings that declare themselves MTA-STS ('v=STSv1' first)."""
    return [t for t in texts if (_fields(t) or [""])[0] == "v=STSv1"]


def check_sts_record(texts: Iterable[str]) -> str | None:
    """The one valid MTA-STS record's id; RecordError when it is malformed or not alone; None when absent."""
    records = sts_records(texts)
    if not records:
        return None
    if len(records) > 1:
        raise RecordError("multiple")
    fields = _fields(records[0])
    found: dict[str, str] = {}
    for field in fields[1:]:
        if not _FIELD.fullmatch(field):
            raise RecordError(field[:60])
        key, _, value = field.partition("=")
        found.setdefault(key, value)
    sts_id = found.get("id", "")
    if not _STS_ID.fullmatch(sts_id):
        raise RecordError(f"id={sts_id}"[:60])
    return sts_id


def parse_policy(body: str) -> dict[str, list[str]]:
    """The fields of an MTA-STS policy file; RecordError naming the first thing RFC 8461 3.2 forbids."""
    fields: dict[str, list[str]] = {}
    for line in body.splitlines():
        if not line.strip():
            continue
        key, colon, value = line.partition(":")
        if not colon:
            raise RecordError(line[:60])
        fields.setdefault(key.strip().lower(), []).append(value.strip())
    if fields.get("version") != ["STSv1"]:
        raise RecordError("version")
    mode = fields.get("mode", [""])
    if len(mode) != 1 or mode[0] not in _MODES:
        raise RecordError("mode")
    age = fields.get("max_age", [""])
    if len(age) != 1 or not age[0].isdigit() or len(age[0]) > 10 or int(age[0]) > MAX_AGE:
        raise RecordError("max_age")
    patterns = fields.get("mx", [])
    if mode[0] != "none" and not patterns:
        raise RecordError("mx")
    for pattern in patterns:
        if not _MX_PATTERN.fullmatch(pattern):
            raise RecordError(f"mx: {pattern}"[:60])
    return fields


def check_tlsrpt(texts: Iterable[str]) -> str | None:
    """What is wrong with the TLS-RPT record (None when valid or absent): not alone, no rua, a bad URI."""
    records = [t for t in texts if (_fields(t) or [""])[0] == "v=TLSRPTv1"]
    if not records:
        return None
    if len(records) > 1:
        return "multiple"
    found = dict(f.partition("=")[::2] for f in _fields(records[0])[1:])
    rua = found.get("rua", "").strip()
    if not rua:
        return "rua"
    for uri in rua.split(","):
        uri = uri.strip()
        if not (uri[:7].lower() == "mailto:" and "@" in uri) and uri[:8].lower() != "https://":
            return f"rua={uri}"[:60]
    return None
