"""The Slack answer: Block Kit layout, Slack's size limits, escaping, metadata and the language buttons."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from slack_harness import BOUNCE

from bot.diagnose import analyse
from bot.models import Diagnosis, DomainReport, Failure, MxHost, Problem, RecipientResult
from bot.reading.knowledge import knowledge
from bot.render.blocks import EVENT_TYPE, LANG_ACTIONS, render_message
from bot.render.buttons import VALUE_LIMIT, BadState, pack, unpack
from bot.render.json import to_dict
from bot.render.mrkdwn import escape
from bot.render.slackwords import word
from bot.vocab import Action, Kind, Lang, ProblemId, Reason, Responsible, Severity

SAMPLES = Path(__file__).parents[1] / "samples"


def _bounce(recipients: int = 1, diagnostic: str = "550 5.1.1 <{a}>: User unknown") -> Diagnosis:
    """A bounce diagnosis with `recipients` failed recipients, the cause taken from knowledge/."""
    cause = knowledge().default_cause(Reason.USERUNKNOWN)
    results = tuple(
        RecipientResult(
            failure=Failure(
                address=f"user{i}@example{i % 7}.jp",
                status="5.1.1",
                reply_code="550",
                action=Action.FAILED,
                remote_mta=f"mx{i}.example.jp",
                diagnostic=diagnostic.format(a=f"user{i}@example{i % 7}.jp") + f" id={i * 7919}",
            ),
            reason=Reason.USERUNKNOWN,
            responsible=cause.responsible,
            cause=cause,
        )
        for i in range(recipients)
    )
    return Diagnosis(
        kind=Kind.BOUNCE, recipients=results, cause=cause, responsible=cause.responsible, format="postfix"
    )


def _texts(message: dict) -> str:
    """Every text of a message's blocks, one per line, as Slack will read them."""
    out = []
    for block in message["blocks"]:
        if isinstance(block.get("text"), dict):
            out.append(block["text"]["text"])
        out += [e["text"] for e in block.get("elements", ()) if isinstance(e.get("text"), str)]
    return "\n".join(out)


def _limits_hold(message: dict) -> None:
    """Slack's limits: 50 blocks, 3000 per section, 150 per header, 40000 text, 2000 per button value."""
    assert len(message["blocks"]) <= 50
    assert 0 < len(message["text"]) <= 40_000
    for block in message["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
        if block["type"] == "header":
            assert 0 < len(block["text"]["text"]) <= 150
        for element in block.get("elements", ()):
            assert len(element.get("value", "")) <= 2000
            if element.get("type") == "button":
                assert len(element["text"]["text"]) <= 75


@pytest.mark.parametrize("lang", list(Lang))
def test_bounce_answer_layout(lang: Lang) -> None:
    """Header = cause title, then who must act, evidence with the server's line, user words, steps, buttons."""
    d = analyse(BOUNCE)
    assert d.kind is Kind.BOUNCE and d.cause is not None
    message = render_message(d, lang)
    blocks = message["blocks"]
    words = d.cause.text(lang)
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": words.title[:150]}}
    text = _texts(message)
    assert "nosuchuser@healthy.test" in text
    assert escape(d.main.failure.diagnostic) in text  # the refusing server's own line
    actions = [b for b in blocks if b["type"] == "actions"]
    assert [e["action_id"] for e in actions[0]["elements"]] == list(LANG_ACTIONS.values())
    assert words.title in message["text"]
    _limits_hold(message)


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.txt")), ids=lambda p: p.name)
def test_samples_render_within_limits(path: Path) -> None:
    """Every sample bounce renders in both languages inside Slack's limits."""
    d = analyse(path.read_text(encoding="utf-8"))
    for lang in Lang:
        _limits_hold(render_message(d, lang))


def test_metadata_is_the_contracts() -> None:
    """event_type mxcheck_diagnosis; payload kind/reason/responsible/cause/problems agree with the JSON."""
    d = analyse(BOUNCE)
    meta = render_message(d, Lang.EN)["metadata"]
    j = to_dict(d, Lang.EN)
    assert meta["event_type"] == EVENT_TYPE
    assert meta["event_payload"] == {
        "kind": "bounce",
        "reason": j["reason"],
        "responsible": j["responsible"],
        "cause": j["cause"]["id"],
        "problems": [],
    }


def test_metadata_lists_dns_problem_ids_once() -> None:
    """Problems of every domain are listed by id, each once, in order."""
    d = replace(
        _bounce(),
        domains=(
            DomainReport("a.test", "a.test", True, problems=(Problem(ProblemId.IMPLICIT_MX, Severity.INFO),)),
            DomainReport(
                "b.test",
                "b.test",
                None,
                problems=(
                    Problem(ProblemId.DNS_FAILURE, Severity.WARNING, "b.test", "timeout"),
                    Problem(ProblemId.IMPLICIT_MX, Severity.INFO),
                ),
                complete=False,
            ),
        ),
    )
    assert render_message(d, Lang.JA)["metadata"]["event_payload"]["problems"] == [
        "implicit-mx",
        "dns-failure",
    ]


def test_many_recipients_one_line_each_main_in_full() -> None:
    """The main recipient's server line is shown in full; others get one line; the rest are counted."""
    d = _bounce(recipients=120)
    message = render_message(d, Lang.EN)
    text = _texts(message)
    assert d.recipients[0].failure.diagnostic.replace("<", "&lt;").replace(">", "&gt;") in text
    assert "user1@example1.jp" in text
    assert d.recipients[1].failure.diagnostic not in text  # others: one line, not their server line
    assert word("more-lines", Lang.EN, count=120 - 1 - 15) in text
    _limits_hold(message)


def test_huge_server_lines_stay_inside_limits() -> None:
    """Lines near normalize's 4000-character cut still fit every block and button."""
    d = _bounce(recipients=40, diagnostic="550 5.7.1 <{a}> " + "blocked by policy " * 220)
    for lang in Lang:
        _limits_hold(render_message(d, lang))


def test_echoed_text_cannot_ping_or_link() -> None:
    """A server line holding <!channel>, <@U123> and a Slack link comes out escaped."""
    d = _bounce(diagnostic="550 <!channel> <@U123> <https://evil.example|click> & @here <{a}>")
    text = json.dumps(render_message(d, Lang.EN), ensure_ascii=False)
    for bad in ("<!channel>", "<@U123>", "<https://evil"):
        assert bad not in text
    assert "&lt;!channel&gt;" in text and "&amp;" in text


def test_domain_answer_shows_dns_facts() -> None:
    """A domain check shows MX hosts with addresses and the problems in words."""
    cause = knowledge().cause("domain-ok")
    d = Diagnosis(
        kind=Kind.DOMAIN,
        domains=(
            DomainReport(
                "healthy.test",
                "healthy.test",
                True,
                mx=(MxHost(10, "mx1.healthy.test", ("192.0.32.10",)),),
                problems=(Problem(ProblemId.IMPLICIT_MX, Severity.INFO, "healthy.test"),),
            ),
        ),
        cause=cause,
        responsible=cause.responsible,
    )
    message = render_message(d, Lang.JA)
    text = json.dumps(message["blocks"], ensure_ascii=False)
    assert "mx1.healthy.test" in text and "192.0.32.10" in text
    assert message["blocks"][0]["text"]["text"] == cause.text(Lang.JA).title[:150]
    assert message["metadata"]["event_payload"]["kind"] == "domain"


def test_unchecked_dns_is_said() -> None:
    """When a lookup went unanswered the answer says DNS could not be checked."""
    d = replace(
        _bounce(),
        domains=(
            DomainReport(
                "example0.jp",
                "example0.jp",
                None,
                problems=(Problem(ProblemId.DNS_FAILURE, Severity.WARNING, "example0.jp", "timeout"),),
                complete=False,
            ),
        ),
    )
    for lang in Lang:
        assert word("dns-unchecked", lang) in json.dumps(
            render_message(d, lang)["blocks"], ensure_ascii=False
        )


def test_nothing_to_diagnose_gives_usage() -> None:
    """kind none renders the error's line and the usage."""
    message = render_message(Diagnosis(kind=Kind.NONE, error="not-a-bounce"), Lang.EN)
    assert word("usage", Lang.EN) in message["text"]


def test_state_round_trip_renders_the_same() -> None:
    """A button value unpacks to a diagnosis that renders exactly as the original."""
    d = replace(
        analyse(BOUNCE),
        domains=(
            DomainReport(
                "healthy.test",
                "healthy.test",
                True,
                mx=(MxHost(10, "mx1.healthy.test", ("192.0.32.10", "2620:0:2d0:200::10")),),
                problems=(Problem(ProblemId.SPF_MISSING, Severity.WARNING, "healthy.test"),),
                suggestions=("healthy.example",),
                spf=None,
                dmarc="v=DMARC1; p=none",
            ),
        ),
    )
    again = unpack(pack(d))
    for lang in Lang:
        assert render_message(again, lang)["blocks"] == render_message(d, lang)["blocks"]


def test_state_of_a_huge_bounce_fits_a_button() -> None:
    """200 recipients with long, distinct lines still pack under 2000 characters, main recipient kept."""
    d = _bounce(recipients=200, diagnostic="550 5.1.1 <{a}> " + "x" * 900)
    value = pack(d)
    assert len(value) <= VALUE_LIMIT
    again = unpack(value)
    assert again.main is not None and again.main.failure.address == d.recipients[0].failure.address
    assert again.cause == d.cause


def test_foreign_state_is_refused() -> None:
    """A value that is not ours raises BadState, never anything else."""
    for value in ("", "1:!!!", "9:abc", "1:" + "A" * 40):
        with pytest.raises(BadState):
            unpack(value)


def test_responsible_marker_shown_for_bounces() -> None:
    """The who-must-act line carries the responsible side's label."""
    d = _bounce()
    text = json.dumps(render_message(d, Lang.EN)["blocks"], ensure_ascii=False)
    assert d.responsible in Responsible
    assert "Who must act" in text
