"""Code lookup: a text that is only an SMTP reply and/or an enhanced status → what the code means.

`find_code` recognises such a text ("5.7.1", "550 5.7.606", "421 4.7.0 [TSS04]", Gmail's
"550-5.7.26 ..." lines); `lookup` builds the answer as a Cause record from knowledge/codes.toml
(meanings, common causes per subject, provider codes) and status.toml (English meanings),
with the advice (user message, admin steps, who acts) of the cause the classifier would give a
bounce saying the same, so a lookup and a bounce never disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from bot.models import Bounce, Cause, CauseText, CodeQuery, Failure
from bot.reading.classify import classify
from bot.reading.datafiles import load_table
from bot.reading.knowledge import knowledge
from bot.reading.lazyre import lazy
from bot.vocab import Lang, Reason, Responsible

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (bot/__init__.py)
if TYPE_CHECKING:
    from typing import Any

CODE_PREFIX = "code-"
MAX_CODE_TEXT = 200  # a few codes; anything longer has words in it
# The whole text: an optional "Diagnostic-Code: smtp;" as pasted from a DSN, then a reply code, an
# enhanced status or both ("550 5.7.606", "550-5.7.26", "5.7.1"), then a provider's bracketed
# code ("[TSS04]"). Nothing else: a reply with the server's words is a bounce line, read as one.
_CODES = lazy(
    r"\A[ \t\r\n]{0,20}(?:diagnostic-code:[ \t]{0,4})?(?:smtp;[ \t]{0,4})?"
    r"(?:(?P<reply>[245][0-5][0-9])(?:[ \t]{1,4}|-|\Z))?"
    r"(?:(?P<status>[245]\.[0-9]{1,3}\.[0-9]{1,3}))?"
    r"(?:[ \t]{0,4}\[(?P<marker>[A-Za-z]{2,4}[0-9]{2})\])?[ \t\r\n.]{0,20}\Z",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _Provider:
    """One provider's own error code range (or marker) and the cause it names."""

    id: str
    provider: str
    low: tuple[int, ...] | None
    high: tuple[int, ...] | None
    marker: str | None
    cause: str
    responsible: Responsible
    words: dict[str, dict[str, Any]]

    def matches(self, q: CodeQuery) -> bool:
        if self.low is not None:
            if q.status is None or self.high is None or not self.low <= _key(q.status) <= self.high:
                return False
        if self.marker is not None and self.marker != q.marker and self.marker not in q.text.split():
            return False
        return True


def _key(status: str) -> tuple[int, ...]:
    return tuple(int(n) for n in status.split("."))


def find_code(text: str) -> CodeQuery | None:
    """The codes of a text that is only an SMTP reply code and/or an enhanced status; None otherwise."""
    if len(text) > MAX_CODE_TEXT:
        return None
    found = _CODES.match(text)
    if found is None or not (found.group("reply") or found.group("status")):
        return None
    reply, status, marker = found.group("reply"), found.group("status"), found.group("marker")
    if reply and status and reply[0] != status[0]:
        return None  # "250 5.1.1" is no reply anyone writes
    if reply and not status and not _reply_known(reply):
        return None  # "200" alone is a number, not a reply code
    label = " ".join(p for p in (reply, status, f"[{marker.upper()}]" if marker else None) if p)
    return CodeQuery(reply_code=reply, status=status, marker=marker.upper() if marker else None, text=label)


def _reply_known(reply: str) -> bool:
    return any(row["code"] == reply for row in _table().get("reply", []))


@cache
def _table() -> dict[str, Any]:
    return load_table("codes")


@cache
def _providers() -> tuple[_Provider, ...]:
    found = []
    for raw in _table().get("provider", []):
        low = high = None
        if raw.get("status"):
            first, _, last = str(raw["status"]).partition("-")
            low, high = _key(first), _key(last or first)
        found.append(
            _Provider(
                id=raw["id"],
                provider=raw["provider"],
                low=low,
                high=high,
                marker=raw.get("marker"),
                cause=raw["cause"],
                responsible=Responsible(raw["responsible"]),
                words={lang: raw[lang] for lang in ("ja", "en")},
            )
        )
    return tuple(found)


def _status_meaning(status: str, lang: Lang) -> tuple[str, str] | None:
    """(the table key, the meaning) of an enhanced status: exact, class-free, then subject."""
    _, subject, detail = status.split(".")
    english = {row["code"]: row["meaning"] for row in load_table("status").get("status", [])}
    for key in (status, f"X.{subject}.{detail}", f"X.{subject}"):
        if key in english:
            return key, (_table()["status_ja"].get(key) if lang is Lang.JA else None) or english[key]
    return None


def _reply_meaning(reply: str, lang: Lang) -> str | None:
    for row in _table().get("reply", []):
        if row["code"] == reply:
            return str(row[str(lang)])
    return None


def _subject(status: str | None) -> dict[str, Any] | None:
    if status is None:
        return None
    wanted = "X." + status.split(".")[1]
    return next((s for s in _table().get("subject", []) if s["subject"] == wanted), None)


def _likely(q: CodeQuery, provider: _Provider | None) -> tuple[Reason, Cause]:
    """The cause a bounce saying the same would get: the provider's, else the classifier's."""
    kb = knowledge()
    if provider is not None:
        cause_id = provider.cause
        if (q.status or q.reply_code or "").startswith("4"):
            cause_id = kb.temporary_variant(cause_id)  # a deferral is told as a delay where the data can
        cause = kb.cause(cause_id)
        return cause.reason or Reason.UNDEFINED, cause
    failure = Failure(address="", status=q.status, reply_code=q.reply_code, diagnostic=q.text)
    verdict = classify(failure, Bounce(format="code", failures=(failure,)))
    try:
        return verdict.reason, kb.cause(verdict.cause_id)
    except KeyError:
        return verdict.reason, kb.default_cause(verdict.reason)


def lookup(q: CodeQuery) -> Cause:
    """What the codes mean, as a cause record (id "code-..."): meaning, who acts, common causes, advice."""
    provider = next((p for p in _providers() if p.matches(q)), None)
    reason, likely = _likely(q, provider)
    texts = {lang: _words(q, lang, provider, likely) for lang in Lang}
    key = provider.id if provider else (_status_meaning(q.status, Lang.EN) or ("",))[0] if q.status else ""
    cause_id = CODE_PREFIX + (key or q.status or q.reply_code or "unknown").lower()
    responsible = provider.responsible if provider else likely.responsible
    return Cause(id=cause_id, reason=reason, responsible=responsible, texts=texts)


_LABELS = {Lang.JA: ("拡張ステータス {code}: {text}。", "応答コード {code}: {text}。"), Lang.EN: ("Enhanced status {code}: {text}.", "Reply code {code}: {text}.")}


def _words(q: CodeQuery, lang: Lang, provider: _Provider | None, likely: Cause) -> CauseText:
    status_words, reply_words = _LABELS[lang]
    meanings: list[tuple[str, str]] = []  # (the meaning, the same as a labelled sentence)
    if provider is not None:
        text = provider.words[str(lang)]["meaning"]
        meanings.append((text, text))
    if q.status and (found := _status_meaning(q.status, lang)):
        meanings.append((found[1], status_words.format(code=q.status, text=found[1])))
    if q.reply_code and (reply := _reply_meaning(q.reply_code, lang)):
        meanings.append((reply, reply_words.format(code=q.reply_code, text=reply)))
    if not meanings:
        meanings.append((likely.text(lang).title, ""))
    explanation = [sentence for _, sentence in meanings[1:]]
    classes = _table().get("class", {})
    first = (q.status or q.reply_code or "")[:1]
    if first in classes:
        explanation.append(classes[first][str(lang)])
    if provider is not None:
        own = f"{provider.provider} 独自のコードです。" if lang is Lang.JA else f"This is {provider.provider}'s own code."
        explanation.append(own)
    subject = _subject(q.status)
    common = provider.words[str(lang)]["causes"] if provider else subject[str(lang)]["causes"] if subject else []
    return CauseText(
        title=f"{q.label}: {meanings[0][0]}",
        explanation=("" if lang is Lang.JA else " ").join(explanation) or likely.text(lang).explanation,
        user_message=likely.text(lang).user_message,
        admin_steps=likely.text(lang).admin_steps,
        common_causes=tuple(common),
    )


def is_code_cause(cause_id: str | None) -> bool:
    """True for the id of a code lookup's cause."""
    return bool(cause_id) and str(cause_id).startswith(CODE_PREFIX)
