"""Rendering a Diagnosis: the contract's JSON object and the terminal text."""

from __future__ import annotations

import json

from bot.models import (
    Cause,
    CauseText,
    Diagnosis,
    DomainReport,
    Failure,
    MxHost,
    Problem,
    RecipientResult,
)
from bot.render import json as render_json
from bot.render.messages import message
from bot.render.text import render
from bot.vocab import Action, Kind, Lang, ProblemId, Reason, Responsible, Severity

CONTRACT_KEYS = {"source", "kind", "reason", "responsible", "recipients", "cause", "domains", "error"}
RECIPIENT_KEYS = {
    "address",
    "status",
    "reply_code",
    "reason",
    "responsible",
    "action",
    "remote_mta",
    "diagnostic",
}
CAUSE_KEYS = {"id", "title", "explanation", "user_message", "admin_steps"}
DOMAIN_KEYS = {"domain", "exists", "mx", "problems", "suggestions"}

USER_MESSAGE_EN = "The address taro@example.jp does not exist.\nPlease check it and send again."
CAUSE = Cause(
    id="user-unknown",
    reason=Reason.USERUNKNOWN,
    responsible=Responsible.SENDER,
    texts={
        Lang.EN: CauseText(
            "The mailbox does not exist",
            "The server has no such user.",
            USER_MESSAGE_EN,
            ("Check the address.", "Ask the recipient."),
        ),
        Lang.JA: CauseText(
            "宛先のメールボックスがありません",
            "相手のサーバーにその利用者がいません。",
            "宛先のアドレスが存在しません。\nご確認のうえ再送してください。",
            ("アドレスを確認する。",),
        ),
    },
)


def _result(address: str, *, action: Action = Action.FAILED, status: str = "5.1.1") -> RecipientResult:
    failure = Failure(
        address=address,
        status=status,
        reply_code="550",
        action=action,
        remote_mta="mx.example.jp",
        diagnostic=f"550 5.1.1 <{address}>: User unknown",
    )
    return RecipientResult(failure, Reason.USERUNKNOWN, Responsible.SENDER, CAUSE, "test")


REPORT = DomainReport(
    domain="example.jp",
    ascii="example.jp",
    exists=True,
    mx=(MxHost(10, "mx.example.jp", ("192.0.2.1",)),),
    problems=(Problem(ProblemId.DMARC_MISSING, Severity.WARNING, "example.jp"),),
)
BOUNCE = Diagnosis(
    kind=Kind.BOUNCE,
    recipients=(_result("taro@example.jp"), _result("hanako@example.jp")),
    domains=(REPORT,),
    cause=CAUSE,
    responsible=Responsible.SENDER,
    format="postfix",
    source="a.eml",
)


def test_json_has_every_contract_key() -> None:
    """The object carries every key of the contract, at every level, and serialises."""
    obj = render_json.to_dict(BOUNCE, Lang.EN)
    assert CONTRACT_KEYS <= obj.keys()
    assert RECIPIENT_KEYS <= obj["recipients"][0].keys()
    assert CAUSE_KEYS <= obj["cause"].keys()
    assert DOMAIN_KEYS <= obj["domains"][0].keys()
    assert {"preference", "host", "addresses"} <= obj["domains"][0]["mx"][0].keys()
    assert {"id", "severity", "detail"} <= obj["domains"][0]["problems"][0].keys()
    assert json.loads(json.dumps(obj)) == obj


def test_json_values_follow_the_vocabularies() -> None:
    """Enums become their contract strings; the top level is the main recipient's verdict."""
    obj = render_json.to_dict(BOUNCE, Lang.JA)
    assert (obj["kind"], obj["reason"], obj["responsible"]) == ("bounce", "userunknown", "sender")
    assert obj["recipients"][0]["action"] == "failed"
    assert obj["cause"]["id"] == "user-unknown"
    assert obj["cause"]["title"] == "宛先のメールボックスがありません"
    assert obj["domains"][0]["problems"][0]["id"] == "dmarc-missing"
    assert obj["domains"][0]["problems"][0]["severity"] == "warning"
    assert obj["domains"][0]["problems"][0]["detail"]


def test_json_for_bad_input_has_nulls_and_the_error() -> None:
    """Kind none: no recipients, no cause, the error id and its words."""
    obj = render_json.to_dict(Diagnosis(kind=Kind.NONE, error="empty-input", source="-"), Lang.EN)
    assert obj["kind"] == "none" and obj["error"] == "empty-input"
    assert obj["reason"] is None and obj["responsible"] is None and obj["cause"] is None
    assert obj["recipients"] == [] and obj["domains"] == []
    assert "empty" in obj["error_message"]


def test_text_has_the_sections_in_the_chosen_language() -> None:
    """English and Japanese headings, the responsible side, the evidence lines."""
    en = render(BOUNCE, Lang.EN, color=False)
    for part in (
        "Cause: The mailbox does not exist",
        "Who must act",
        "Sender (the person who sent)",
        "Evidence",
        "mx.example.jp",
        "550 5.1.1 <taro@example.jp>: User unknown",
        "Message for the user",
        "Steps for the admin",
        "1. Check the address.",
    ):
        assert part in en
    ja = render(BOUNCE, Lang.JA, color=False)
    assert "原因: 宛先のメールボックスがありません" in ja and "対応すべき側" in ja and "管理者の手順" in ja


def test_user_message_is_plain_lines_at_the_margin() -> None:
    """The block to copy has the cause's lines exactly, unindented, without colour codes."""
    text = render(BOUNCE, Lang.EN, color=True)
    assert "\x1b[" in text
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if "Message for the user" in line) + 2
    assert lines[start : start + 2] == USER_MESSAGE_EN.splitlines()


def test_text_without_colour_has_no_escape_codes() -> None:
    """color=False never writes ANSI codes."""
    assert "\x1b" not in render(BOUNCE, Lang.EN, color=False)


def test_several_recipients_get_one_line_each() -> None:
    """Each recipient is listed on its own line; the main one is also shown in full."""
    text = render(BOUNCE, Lang.EN, color=False)
    listing = text.split("Each recipient", 1)[1].strip().splitlines()
    assert [line.split()[1] for line in listing] == ["taro@example.jp", "hanako@example.jp"]


def test_bad_input_is_one_line() -> None:
    """Kind none renders as the error's one-line explanation."""
    text = render(Diagnosis(kind=Kind.NONE, error="binary-input"), Lang.JA, color=True)
    assert text.count("\n") == 1 and "テキスト" in text


def test_domain_check_without_dns_says_so() -> None:
    """A domain named but not looked up says DNS was not checked, and names it."""
    d = Diagnosis(kind=Kind.DOMAIN, domains=(DomainReport("example.jp", "example.jp", None, complete=False),))
    text = render(d, Lang.EN, color=False)
    assert "example.jp" in text and "DNS was not checked" in text
    assert render_json.to_dict(d, Lang.EN)["domains"][0]["exists"] is None


# ----------------------------------------------------------------------------- layout and filled messages
def _headings(text: str) -> list[str]:
    """The section headings of a terminal report, in order, without their titles."""
    return [line[2:].split(":")[0] for line in text.splitlines() if line.startswith("■ ")]


ORDER_JA = [
    "原因",
    "対応すべき側",
    "根拠",
    "ドメインの確認",
    "よくある原因",
    "利用者への説明（そのまま貼り付けられます）",
    "管理者の手順",
    "宛先ごとの結果",
]


def _in_order(headings: list[str]) -> bool:
    return [h for h in ORDER_JA if h in headings] == headings


def test_sections_come_in_one_order_for_every_kind() -> None:
    """A bounce, a domain check and a code lookup all follow the same section order."""
    from bot.diagnose import analyse

    bounce = render(BOUNCE, Lang.JA, color=False)
    assert _headings(bounce) == [
        "原因",
        "対応すべき側",
        "根拠",
        "ドメインの確認",
        "利用者への説明（そのまま貼り付けられます）",
        "管理者の手順",
        "宛先ごとの結果",
    ]
    domain = Diagnosis(kind=Kind.DOMAIN, domains=(REPORT,), cause=CAUSE, responsible=Responsible.SENDER)
    assert _in_order(_headings(render(domain, Lang.JA, color=False)))
    assert "根拠" not in _headings(render(domain, Lang.JA, color=False))  # nothing to show: no heading
    code = render(analyse("550 5.7.606"), Lang.JA, color=False)
    assert _in_order(_headings(code)) and "よくある原因" in _headings(code)


def test_no_label_is_left_empty() -> None:
    """A recipient without an address shows no 「宛先: 」 line, and no line ends in a bare label."""
    nameless = _result("")
    d = Diagnosis(kind=Kind.BOUNCE, recipients=(nameless, _result("b@example.jp")), cause=CAUSE)
    for lang in Lang:
        text = render(d, lang, color=False)
        lines = text.splitlines()
        assert not [line for line in lines if line.rstrip() != line]  # no label followed by nothing
        for i, line in enumerate(lines):
            if line.endswith(":") and not line.startswith("■"):
                # A label ending its line is one whose value follows, indented deeper.
                depth = len(line) - len(line.lstrip())
                assert i + 1 < len(lines) and len(lines[i + 1]) - len(lines[i + 1].lstrip()) > depth, line
        label = message("label-recipient", lang)
        assert not [line for line in lines if line.strip() == f"{label}:"]


def test_standard_input_is_named_in_words() -> None:
    """The source '-' is shown as 標準入力 / standard input, never '-'."""
    d = Diagnosis(kind=Kind.BOUNCE, recipients=(_result("a@example.jp"),), cause=CAUSE, source="-")
    assert render(d, Lang.JA, color=False).splitlines()[0] == "入力: 標準入力"
    assert render(d, Lang.EN, color=False).splitlines()[0] == "Input: standard input"
    assert render_json.to_dict(d, Lang.EN)["source"] == "-"  # the JSON keeps the contract's value


def test_every_renderer_fills_the_user_message_with_the_address_and_suggestion() -> None:
    """JSON, terminal text and Block Kit all give the user message naming the address and the suggestion."""
    from bot.reading.knowledge import knowledge
    from bot.render.blocks import render_message

    cause = knowledge().cause("host-unknown-nxdomain")
    failure = Failure(address="tanaka@tanaka-shoji.co.jpp", status="5.1.2", reply_code="550")
    typo = DomainReport(
        "tanaka-shoji.co.jpp", "tanaka-shoji.co.jpp", False, suggestions=("tanaka-shoji.co.jp",)
    )
    d = Diagnosis(
        kind=Kind.BOUNCE,
        recipients=(RecipientResult(failure, Reason.HOSTUNKNOWN, Responsible.SENDER, cause),),
        domains=(typo,),
        cause=cause,
        responsible=Responsible.SENDER,
    )
    wanted = "tanaka@tanaka-shoji.co.jpp 宛てに送信されたメールは、"
    suggestion = "「tanaka-shoji.co.jp」の誤りではありませんか。"
    for text in (
        render_json.to_dict(d, Lang.JA)["cause"]["user_message"],
        render(d, Lang.JA, color=False),
        json.dumps(render_message(d, Lang.JA)["blocks"], ensure_ascii=False),
    ):
        assert wanted in text and suggestion in text and "{" not in text.replace('{"', "")
    en = render_json.to_dict(d, Lang.EN)["cause"]["user_message"]
    assert (
        en.startswith("Your message to tanaka@tanaka-shoji.co.jpp was not delivered")
        and "Did you mean tanaka-shoji.co.jp?" in en
    )


def test_a_domain_check_message_names_the_domain_with_a_problem() -> None:
    """A domain check's user message names the domain the answer is about, not just 'this domain'."""
    from bot.reading.knowledge import knowledge

    cause = knowledge().cause("domain-nxdomain")
    missing = DomainReport("gmial.com", "gmial.com", False, suggestions=("gmail.com",))
    d = Diagnosis(kind=Kind.DOMAIN, domains=(REPORT, missing), cause=cause, responsible=cause.responsible)
    ja = render_json.to_dict(d, Lang.JA)["cause"]["user_message"]
    assert ja.startswith("「gmial.com」は存在しないため") and "「gmail.com」の誤りではありませんか。" in ja


def test_nothing_to_tell_is_a_note_not_an_error() -> None:
    """Kind none with the note not-a-bounce: JSON error null, the note and its words; the text says it."""
    d = Diagnosis(kind=Kind.NONE, note="not-a-bounce", source="note.txt")
    obj = render_json.to_dict(d, Lang.EN)
    assert obj["error"] is None and obj["note"] == "not-a-bounce" and "No bounce" in obj["note_message"]
    assert "No bounce" in render(d, Lang.EN, color=False)
