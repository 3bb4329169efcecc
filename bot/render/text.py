"""A diagnosis as terminal text: cause, who must act, evidence, the user's message, the admin's steps.

Colour (ANSI) only when asked for, and never inside the "message for the user" block, which is
plain lines at the left margin so it can be copied as it is.
"""

from __future__ import annotations

from bot.dnscheck.problems import describe, evidence_notes
from bot.models import Diagnosis, DomainReport, RecipientResult
from bot.render import dns_skipped
from bot.render.messages import error_text, message, responsible_label
from bot.render.mrkdwn import cut
from bot.render.usermessage import user_message
from bot.vocab import Kind, Lang, Responsible, Severity

_RESET = "\x1b[0m"
_BOLD = "1"
_DIM = "2"
_SIDE_COLOUR = {
    Responsible.SENDER: "33",  # yellow: the person who sent can fix it
    Responsible.SENDER_ORG: "35",  # magenta: our own admin
    Responsible.RECIPIENT: "36",  # cyan: the other person
    Responsible.RECIPIENT_ORG: "34",  # blue: the other organisation
    Responsible.TRANSIENT: "32",  # green: wait and retry
    Responsible.UNKNOWN: "37",
}
_SEVERITY = {Severity.ERROR: ("✗", "31"), Severity.WARNING: ("!", "33"), Severity.INFO: ("·", "2")}
_HEADING = "■"
_MARKER = "●"


class _Painter:
    """Wraps text in ANSI codes when colour is on; a no-op otherwise."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}{_RESET}" if self.color and text else text


STDIN = "-"  # the CLI's name for standard input, shown as words


def source_label(source: str, lang: Lang) -> str:
    """A source as a person reads it: standard input by name, not '-'."""
    return message("label-stdin", lang) if source == STDIN else source


def render(d: Diagnosis, lang: Lang, *, color: bool) -> str:
    """The human answer for one diagnosis, ending with a newline.

    Sections always come in one order, each only when it has something to say: cause, who must
    act, evidence, domain check, common causes (a code lookup), the user's message, admin steps,
    then each recipient.
    """
    paint = _Painter(color)
    lines: list[str] = []
    if d.source:
        lines.append(paint(f"{message('label-source', lang)}: {source_label(d.source, lang)}", _DIM))
    if d.kind is Kind.NONE:
        key = d.error or d.note or "not-a-bounce"
        return "\n".join([*lines, error_text(key, lang)]) + "\n"
    if d.kind is Kind.DOMAIN and dns_skipped(d):
        # Nothing was asked, so there is no cause to tell: only what would be checked.
        lines.append(_heading("heading-domain-check", lang, paint))
        return "\n".join([*lines, *(f"  {r.domain}" for r in d.domains), message("dns-skipped", lang)]) + "\n"
    lines += _cause(d, lang, paint)
    lines += _evidence(d, lang, paint)
    lines += _domains(d, lang, paint)
    lines += _common(d, lang, paint)
    lines += _for_user(d, lang, paint)
    lines += _admin(d, lang, paint)
    lines += _others(d, lang, paint)
    return "\n".join(lines).rstrip("\n") + "\n"


def _heading(key: str, lang: Lang, paint: _Painter) -> str:
    return paint(f"{_HEADING} {message(key, lang)}", _BOLD)


def _cause(d: Diagnosis, lang: Lang, paint: _Painter) -> list[str]:
    if d.cause is None:
        return [_heading("heading-cause", lang, paint), message("no-cause", lang), ""]
    words = d.cause.text(lang)
    lines = [
        paint(f"{_HEADING} {message('heading-cause', lang)}: {words.title}", _BOLD),
        words.explanation,
        "",
    ]
    side = d.responsible or d.cause.responsible
    if d.kind is Kind.DOMAIN and side is Responsible.UNKNOWN:
        return lines  # a domain with nothing wrong: nobody has anything to do
    marker = paint(_MARKER, _SIDE_COLOUR[side])
    lines += [f"{_heading('heading-responsible', lang, paint)}: {marker} {responsible_label(side, lang)}", ""]
    return lines


def _evidence(d: Diagnosis, lang: Lang, paint: _Painter) -> list[str]:
    lines: list[str] = []
    if d.code is not None:
        lines.append(f"  {message('label-code', lang)}: {d.code.label}")
    if d.main is not None:
        lines += _recipient_facts(d.main, lang, paint)
    for ip in d.ips:
        lines.append(f"  {ip.ip}")
        lines += [f"    {paint(*_SEVERITY[p.severity])} {describe(p, lang)}" for p in ip.problems]
    lines += [f"  {note}" for note in evidence_notes(d, lang)]
    if d.format and lines:
        lines.append(paint(f"  {message('label-format', lang)}: {d.format}", _DIM))
    return [_heading("heading-evidence", lang, paint), *lines, ""] if lines else []


def _domains(d: Diagnosis, lang: Lang, paint: _Painter) -> list[str]:
    lines = [line for report in d.domains for line in _domain_facts(report, lang, paint)]
    return [_heading("heading-domain-check", lang, paint), *lines, ""] if lines else []


def _common(d: Diagnosis, lang: Lang, paint: _Painter) -> list[str]:
    causes = d.cause.text(lang).common_causes if d.cause else ()
    if not causes:
        return []
    return [_heading("heading-common-causes", lang, paint), *(f"  - {c}" for c in causes), ""]

DIAGNOSTIC_SHOWN = 1500  # characters of the server's reply shown, as in Slack (a pasted line may run on for 4,000)


def _recipient_facts(r: RecipientResult, lang: Lang, paint: _Painter) -> list[str]:
    f = r.failure
    codes = " ".join(c for c in (f.reply_code, f.status) if c)
    lines = [f"  {message('label-recipient', lang)}: {f.address}"] if f.address.strip() else []
    lines.append(f"  {message('label-reason', lang)}: {r.reason}" + (f"  ({codes})" if codes else ""))
    if f.remote_mta:
        lines.append(f"  {message('label-remote-mta', lang)}: {f.remote_mta}")
    if f.phase:
        lines.append(f"  {message('label-phase', lang)}: {str(f.phase).upper()}")
    if f.diagnostic:
        lines.append(f"  {message('label-server-said', lang)}:")
        lines.append("    " + paint(cut(f.diagnostic, DIAGNOSTIC_SHOWN), _BOLD))
    return lines


def _domain_facts(report: DomainReport, lang: Lang, paint: _Painter) -> list[str]:
    if report.exists is None:
        state = "label-domain-unknown"
    else:
        state = "label-domain-exists" if report.exists else "label-domain-missing"
    lines = [f"  {message(state, lang, domain=report.domain)}"]
    for mx in report.mx:
        if mx.host.strip(".") == "":  # null MX: a host named "." has no address to show
            lines.append(f"    {message('label-mx', lang)} {mx.preference} .")
            continue
        addresses = ", ".join(mx.addresses) or message("label-no-address", lang)
        lines.append(f"    {message('label-mx', lang)} {mx.preference} {mx.host} ({addresses})")
    if report.exists and not report.mx:
        lines.append(f"    {message('label-no-mx', lang)}")
    if report.spf:
        lines.append(f"    {message('label-spf', lang)}: {report.spf}")
    if report.dmarc:
        # A record found at the organisational domain says where it was found.
        where = f"  (_dmarc.{report.dmarc_domain})" if report.dmarc_domain not in (None, report.ascii) else ""
        lines.append(f"    {message('label-dmarc', lang)}: {report.dmarc}{where}")
    for p in report.problems:
        mark, code = _SEVERITY[p.severity]
        lines.append(f"    {paint(mark, code)} {describe(p, lang)}")
    if report.suggestions:
        lines.append("    " + message("label-suggestions", lang, names=", ".join(report.suggestions)))
    if not report.complete and report.exists is not None:
        lines.append("    " + message("label-incomplete", lang))
    return lines


def _for_user(d: Diagnosis, lang: Lang, paint: _Painter) -> list[str]:
    text = user_message(d, lang)
    if not text:
        return []
    # Plain lines at the margin, no colour: copied as they are into a reply to the user.
    return [_heading("heading-user-message", lang, paint), "", text, ""]


def _admin(d: Diagnosis, lang: Lang, paint: _Painter) -> list[str]:
    steps = d.cause.text(lang).admin_steps if d.cause else ()
    if not steps:
        return []
    return [
        _heading("heading-admin-steps", lang, paint),
        *(f"  {i}. {s}" for i, s in enumerate(steps, 1)),
        "",
    ]


def _others(d: Diagnosis, lang: Lang, paint: _Painter) -> list[str]:
    if len(d.recipients) < 2:
        return []
    lines = [_heading("heading-recipients", lang, paint)]
    for r in d.recipients:
        f = r.failure
        facts = [f.address.strip(), f.status or f.reply_code or "", str(r.reason), responsible_label(r.responsible, lang)]
        marker = paint(_MARKER, _SIDE_COLOUR[r.responsible])
        lines.append(f"  {marker} " + "  ".join(x for x in facts if x))
    return [*lines, ""]
