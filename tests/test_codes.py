"""Code lookup: a text that is only an SMTP reply code and/or enhanced status gets the code's meaning."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.diagnose import analyse
from bot.reading.codes import find_code, lookup
from bot.reading.datafiles import load_table
from bot.reading.knowledge import knowledge
from bot.render.blocks import render_message
from bot.render.json import to_dict
from bot.render.text import render
from bot.vocab import Kind, Lang, Reason, Responsible

ROOT = Path(__file__).resolve().parents[1]
CODES = load_table("codes")


@pytest.mark.parametrize(
    ("text", "reply", "status", "marker"),
    [
        ("5.7.1", None, "5.7.1", None),
        ("550 5.7.606", "550", "5.7.606", None),
        ("421 4.7.0 [TSS04]", "421", "4.7.0", "TSS04"),
        ("550-5.7.26", "550", "5.7.26", None),
        ("  550 5.1.1\n", "550", "5.1.1", None),
        ("smtp; 554 5.7.1", "554", "5.7.1", None),
        ("421", "421", None, None),
        ("421 4.7.0 [tss04]", "421", "4.7.0", "TSS04"),
    ],
)
def test_codes_alone_are_recognised(
    text: str, reply: str | None, status: str | None, marker: str | None
) -> None:
    """Reply codes, enhanced statuses and a provider's bracketed code, alone, are a lookup."""
    q = find_code(text)
    assert q is not None
    assert (q.reply_code, q.status, q.marker) == (reply, status, marker)


@pytest.mark.parametrize(
    "text",
    [
        "550 5.1.1 <a@example.jp>: user unknown",  # a reply with words is a bounce line
        "550 5.7.1 Service unavailable",
        "200",  # a number, not a reply code anyone asks about
        "250 5.1.1",  # classes that disagree
        "5.7",
        "5.7.1.2",
        "hello 5.7.1",
        "",
        "550 " + "5.7.1 " * 50,
    ],
)
def test_other_texts_are_no_lookup(text: str) -> None:
    """Anything with words, or numbers that are no code, is not a code lookup."""
    assert find_code(text) is None


def test_a_code_alone_is_kind_code_with_its_meaning() -> None:
    """5.7.1: kind code, the RFC 3463 meaning as title, the class sentence, who acts, common causes, advice."""
    d = analyse("5.7.1")
    assert d.kind is Kind.CODE and d.cause is not None and d.code is not None
    assert d.cause.id == "code-x.7.1" and d.recipients == ()
    en, ja = d.cause.text(Lang.EN), d.cause.text(Lang.JA)
    assert en.title == "5.7.1: Delivery not authorized, message refused"
    assert ja.title == "5.7.1: 配信が許可されず、メールは拒否されました"
    assert "permanent" in en.explanation and "恒久的" in ja.explanation
    assert en.common_causes and ja.common_causes and len(en.common_causes) == len(ja.common_causes)
    assert any("SPF" in c for c in en.common_causes)
    assert d.cause.responsible is Responsible.SENDER_ORG and d.cause.reason is Reason.SECURITYERROR
    assert en.user_message and en.admin_steps


@pytest.mark.parametrize(
    ("text", "cause_id", "responsible", "words"),
    [
        ("550 5.7.606", "code-microsoft-banned-ip", Responsible.SENDER_ORG, "banned"),
        ("550 5.7.649", "code-microsoft-banned-ip", Responsible.SENDER_ORG, "banned"),
        ("550 5.7.650", "code-x.7", Responsible.SENDER_ORG, "Security or policy"),
        ("421 4.7.0 [TSS04]", "code-yahoo-tss04", Responsible.SENDER_ORG, "Yahoo"),
        ("550-5.7.26", "code-gmail-unauthenticated", Responsible.SENDER_ORG, "Gmail"),
        ("550 5.1.10", "code-microsoft-recipient-not-found", Responsible.SENDER, "Recipient not found"),
        ("550 5.1.1", "code-x.1.1", Responsible.SENDER, "mailbox does not exist"),
        ("452 4.2.2", "code-x.2.2", Responsible.TRANSIENT, "Mailbox full"),
    ],
)
def test_provider_and_rfc_codes(text: str, cause_id: str, responsible: Responsible, words: str) -> None:
    """Provider codes (Microsoft's 5.7.606-5.7.649, Yahoo's TSS04, Gmail's 5.7.26) beat the RFC meaning."""
    d = analyse(text)
    assert d.kind is Kind.CODE and d.cause is not None
    assert d.cause.id == cause_id
    assert d.cause.responsible is responsible
    assert words in d.cause.text(Lang.EN).title


def test_a_temporary_code_is_told_as_a_delay() -> None:
    """4.2.2 alone: the temporary class sentence and the user message of a delay, not of a failure."""
    d = analyse("452 4.2.2")
    assert d.cause is not None
    ja = d.cause.text(Lang.JA)
    assert (
        "一時的" in ja.explanation
        and "遅れて" in ja.user_message
        and "届きませんでした" not in ja.user_message
    )


def test_the_reply_code_and_status_are_both_explained() -> None:
    """550 5.7.606: the provider's meaning as title, the status and reply meanings labelled in the explanation."""
    en = lookup(find_code("550 5.7.606")).text(Lang.EN)  # type: ignore[arg-type]
    assert "Enhanced status 5.7.606:" in en.explanation and "Reply code 550:" in en.explanation
    assert "Microsoft's own code" in en.explanation
    assert any("sender.office.com" in c for c in en.common_causes)


def test_every_status_code_has_a_japanese_meaning() -> None:
    """Each enhanced code of status.toml has a Japanese meaning in codes.toml, and nothing else is there."""
    codes = {row["code"] for row in load_table("status")["status"]}
    assert codes == set(CODES["status_ja"])


def test_every_subject_and_provider_speaks_both_languages() -> None:
    """Subjects and providers have ja and en words, the same number of causes, and a known cause record."""
    for subject in CODES["subject"]:
        assert subject["ja"]["name"] and subject["en"]["name"]
        assert len(subject["ja"]["causes"]) == len(subject["en"]["causes"]) > 0
    for provider in CODES["provider"]:
        knowledge().cause(provider["cause"])  # KeyError: a provider names a cause that does not exist
        Responsible(provider["responsible"])
        assert provider["ja"]["meaning"] and provider["en"]["meaning"]
        assert len(provider["ja"]["causes"]) == len(provider["en"]["causes"]) > 0
    for row in CODES["reply"]:
        assert row["ja"] and row["en"] and len(row["code"]) == 3


@pytest.mark.parametrize("lang", list(Lang))
def test_all_three_renderers_show_a_code_lookup(lang: Lang) -> None:
    """JSON (kind code, meaning in cause, the codes), terminal text and Block Kit all carry the lookup."""
    d = analyse("421 4.7.0 [TSS04]")
    assert d.cause is not None
    words = d.cause.text(lang)
    j = to_dict(d, lang)
    assert j["kind"] == "code" and j["reason"] is None and j["responsible"] is None and j["error"] is None
    assert j["cause"]["id"] == "code-yahoo-tss04" and j["cause"]["title"] == words.title
    assert j["cause"]["common_causes"] == list(words.common_causes)
    assert j["code"] == {
        "reply_code": "421",
        "status": "4.7.0",
        "provider_code": "TSS04",
        "label": "421 4.7.0 [TSS04]",
    }
    text = render(d, lang, color=False)
    assert words.title in text and words.common_causes[0] in text and "421 4.7.0 [TSS04]" in text
    blocks = json.dumps(render_message(d, lang)["blocks"], ensure_ascii=False)
    assert words.common_causes[0] in blocks and "`421 4.7.0 [TSS04]`" in blocks


def test_cli_json_for_a_code() -> None:
    """`mxcheck bounce --json` on `550 5.7.606`: one kind code object, exit 0, no DNS asked (none needed)."""
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "bounce", "--json", "--lang", "en", "--nameserver", "127.0.0.1:9"],
        input="550 5.7.606\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    [obj] = [json.loads(line) for line in proc.stdout.splitlines()]
    assert obj["kind"] == "code" and obj["cause"]["id"] == "code-microsoft-banned-ip"
    assert obj["domains"] == [] and obj["recipients"] == []
