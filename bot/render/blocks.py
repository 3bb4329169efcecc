"""A diagnosis as a Slack message: Block Kit blocks, a short fallback text and the contract's metadata.

Everything taken from the user's text (addresses, server lines, host names) is escaped, so a
pasted "<!channel>" never pings and "<http://x|y>" never links. Sizes stay inside Slack's limits:
50 blocks, 3000 characters per section, 150 per header, 2000 per button value.
"""

from __future__ import annotations

from typing import Any

from bot.dnscheck.problems import describe, evidence_notes
from bot.models import Diagnosis, MxHost, RecipientResult
from bot.render.buttons import pack
from bot.render.json import to_dict
from bot.render.messages import error_text, message, responsible_label
from bot.render.mrkdwn import code_block, code_span, cut, escape
from bot.render.slackwords import marker, severity_marker, word
from bot.render.usermessage import user_message
from bot.vocab import Kind, Lang, ProblemId, Responsible

EVENT_TYPE = "mxcheck_diagnosis"
LANG_ACTIONS = {Lang.JA: "mxcheck_lang_ja", Lang.EN: "mxcheck_lang_en"}
MAX_BLOCKS = 50
SECTION_CHARS = 3000
HEADER_CHARS = 150
TEXT_CHARS = 40_000
OTHER_LINES = 15  # other failed recipients listed one line each
DNS_LINES = 30

Block = dict[str, Any]


def render_message(d: Diagnosis, lang: Lang) -> dict[str, Any]:
    """The Slack message for a diagnosis: {"text", "blocks", "metadata"}."""
    if d.kind is Kind.NONE or d.cause is None:
        text = _none_text(d, lang)
        return {"text": text, "blocks": [_section(text)], "metadata": metadata(d, lang)}
    words = d.cause.text(lang)
    blocks: list[Block] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": cut(words.title, HEADER_CHARS) or "mxcheck"},
        }
    ]
    if d.kind is Kind.BOUNCE or d.responsible not in (None, Responsible.UNKNOWN):
        blocks.append(_section(f"{_who(d.responsible, lang)}\n{escape(words.explanation)}"))
    else:
        blocks.append(_section(escape(words.explanation)))
    if d.code is not None:
        blocks.append(_section(_code(d, lang)))
    if d.main is not None:
        blocks.append(_section(_evidence(d.main, lang)))
    if len(d.recipients) > 1:
        blocks.append(_section(_others(d.recipients[1:], lang)))
    if _dns_unchecked(d):
        blocks.append(_section(word("dns-unchecked", lang)))
    if d.domains or d.ips:
        blocks.append(_section(_dns(d, lang)))
    blocks.append({"type": "divider"})
    for_user = user_message(d, lang)
    if for_user:
        heading = message("heading-user-message", lang)
        blocks.append(_section(f"*{heading}*\n{code_block(for_user, limit=2800)}"))
    if words.admin_steps:
        steps = "\n".join(f"{i}. {escape(s)}" for i, s in enumerate(words.admin_steps, 1))
        blocks.append(_section(f"*{message('heading-admin-steps', lang)}*\n{steps}"))
    blocks.append(language_buttons(d, lang))
    footer = (
        word("footer", lang, format=escape(d.format))
        if d.format
        else word("footer-code" if d.kind is Kind.CODE else "footer-domain", lang)
    )
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": footer}]})
    return {"text": _fallback(d, lang), "blocks": fit(blocks), "metadata": metadata(d, lang)}


def render_words(key: str, lang: Lang, **fields: object) -> dict[str, Any]:
    """A one-section message of the Slack app's own words (usage, apology, progress)."""
    text = word(key, lang, **fields)
    return {"text": text, "blocks": [_section(text)]}


def metadata(d: Diagnosis, lang: Lang) -> dict[str, Any]:
    """The contract's message metadata, taken from the JSON form so both always agree."""
    j = to_dict(d, lang)
    cause = j.get("cause")
    problems: list[str] = []
    for domain in [*(j.get("domains") or ()), *(j.get("ips") or ())]:
        for problem in domain.get("problems") or ():
            if problem["id"] not in problems:
                problems.append(problem["id"])
    payload = {
        "kind": j["kind"],
        "reason": j.get("reason"),
        "responsible": j.get("responsible"),
        "cause": cause.get("id") if isinstance(cause, dict) else cause,
        "problems": problems,
    }
    return {"event_type": EVENT_TYPE, "event_payload": payload}


def language_buttons(d: Diagnosis, lang: Lang) -> Block:
    """The 日本語 / English buttons; each carries the packed diagnosis, the shown language is marked."""
    value = pack(d)
    elements = []
    for each, action_id in LANG_ACTIONS.items():
        button: Block = {
            "type": "button",
            "action_id": action_id,
            "text": {"type": "plain_text", "text": word(f"button-{each}", lang)},
            "value": value,
        }
        if each is lang:
            button["style"] = "primary"
        elements.append(button)
    return {"type": "actions", "block_id": "mxcheck_lang", "elements": elements}


def fit(blocks: list[Block]) -> list[Block]:
    """Blocks cut to Slack's limits: at most 50, section texts at most 3000 characters."""
    if len(blocks) > MAX_BLOCKS:  # keep the head and the closing buttons and footer
        blocks = blocks[: MAX_BLOCKS - 2] + blocks[-2:]
    for block in blocks:
        text = block.get("text")
        if block["type"] == "section" and text and len(text["text"]) > SECTION_CHARS:
            text["text"] = _cut_mrkdwn(text["text"], SECTION_CHARS)
    return blocks


def _cut_mrkdwn(text: str, limit: int) -> str:
    """Cut mrkdwn, closing an open ``` block and never splitting an &entity;."""
    text = text[: limit - 4]
    amp = text.rfind("&")
    if amp > len(text) - 6 and ";" not in text[amp:]:
        text = text[:amp]
    return text + ("…```" if text.count("```") % 2 else "…")


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _who(responsible: Responsible | None, lang: Lang) -> str:
    side = responsible or Responsible.UNKNOWN
    return f"{marker(side)} *{message('heading-responsible', lang)}:* {responsible_label(side, lang)}"


def _evidence(r: RecipientResult, lang: Lang) -> str:
    """The main recipient in full: address, codes, refusing server and its own words."""
    f = r.failure
    facts = [f"*{message('label-recipient', lang)}:* {code_span(f.address)}"]
    codes = " / ".join(code_span(c) for c in (f.status, f.reply_code) if c)
    if codes:
        facts.append(f"*{message('label-status', lang)}:* {codes}")
    if f.remote_mta:
        facts.append(f"*{message('label-remote-mta', lang)}:* {code_span(f.remote_mta)}")
    lines = [f"*{message('heading-evidence', lang)}*", " · ".join(facts)]
    if f.diagnostic:
        lines.append(f"*{message('label-server-said', lang)}:*\n{code_block(f.diagnostic, limit=1500)}")
    return "\n".join(lines)


def _code(d: Diagnosis, lang: Lang) -> str:
    """A code lookup's codes and the usual causes behind them."""
    assert d.code is not None and d.cause is not None
    lines = [f"*{message('label-code', lang)}:* {code_span(d.code.label)}"]
    causes = d.cause.text(lang).common_causes
    if causes:
        lines.append(f"*{message('heading-common-causes', lang)}*")
        lines += [f"• {escape(c)}" for c in causes]
    return "\n".join(lines)


def _others(others: tuple[RecipientResult, ...], lang: Lang) -> str:
    """One line per other failed recipient, a count for the rest."""
    lines = [f"*{message('heading-recipients', lang)}*"]
    for r in others[:OTHER_LINES]:
        status = f" {code_span(r.failure.status)}" if r.failure.status else ""
        title = escape(r.cause.text(lang).title)
        lines.append(f"• {code_span(r.failure.address, limit=120)}{status} — {marker(r.responsible)} {title}")
    if len(others) > OTHER_LINES:
        lines.append(word("more-lines", lang, count=len(others) - OTHER_LINES))
    return "\n".join(lines)


def _dns(d: Diagnosis, lang: Lang) -> str:
    """Each domain's DNS facts (exists, MX hosts, problems, suggestions), the IPs' blocklists, the notes."""
    lines = [f"*{message('heading-dns', lang)}*"]
    lines += [escape(note) for note in evidence_notes(d, lang)]
    for x in d.domains:
        name = escape(x.domain)
        key = {True: "label-domain-exists", False: "label-domain-missing", None: "label-domain-unknown"}
        lines.append(f"*{message(key[x.exists], lang, domain=name)}*")
        if x.mx:
            hosts = ", ".join(
                f"{m.preference} {code_span(m.host, limit=120)} {_addresses(m, lang)}" for m in x.mx[:5]
            )
            lines.append(f"{message('label-mx', lang)}: {hosts}")
        elif x.exists:
            lines.append(message("label-no-mx", lang))
        lines += [f"{severity_marker(p.severity)} {escape(describe(p, lang))}" for p in x.problems]
        if x.suggestions:
            names = ", ".join(code_span(s, limit=120) for s in x.suggestions[:5])
            lines.append(message("label-suggestions", lang, names=names))
        if not x.complete:
            lines.append(message("label-incomplete", lang))
    for ip in d.ips:
        lines += [f"{severity_marker(p.severity)} {escape(describe(p, lang))}" for p in ip.problems]
    if len(lines) > DNS_LINES:
        lines = [*lines[:DNS_LINES], word("more-lines", lang, count=len(lines) - DNS_LINES)]
    return "\n".join(lines)


def _addresses(m: MxHost, lang: Lang) -> str:
    """An MX host's addresses in brackets, or the words for none."""
    return f"({escape(', '.join(m.addresses[:4])) or message('label-no-address', lang)})"


def _dns_unchecked(d: Diagnosis) -> bool:
    """True when some lookup went unanswered: the answer then rests on the bounce alone."""
    return any(
        x.exists is None or not x.complete or any(p.id is ProblemId.DNS_FAILURE for p in x.problems)
        for x in d.domains
    )


def _none_text(d: Diagnosis, lang: Lang) -> str:
    """What to say when there was nothing to diagnose: the error's one-liner, then how to use the bot."""
    usage = word("usage", lang)
    return f"{escape(error_text(d.error, lang))}\n\n{usage}" if d.error else usage


def _fallback(d: Diagnosis, lang: Lang) -> str:
    """The notification text: the cause, who must act, and the recipient."""
    assert d.cause is not None
    words = d.cause.text(lang)
    side = d.responsible or Responsible.UNKNOWN
    parts = [f"{escape(words.title)} — {responsible_label(side, lang)}"]
    if d.main is not None:
        parts.append(escape(cut(d.main.failure.address, 200)))
    return cut(" · ".join(parts), TEXT_CHARS)
