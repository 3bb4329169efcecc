"""Fuzzing the pure pipeline: whatever arrives, analyse() answers and every renderer stays in its limits.

Seeded and bounded (hypothesis with derandomize=True and a small max_examples), so the suite stays
fast and gives the same examples on every run. Inputs: arbitrary bytes and text, and real
bounces (tests/samples, and the shared corpus when present) mutated the ways mail breaks:
truncated, bytes flipped, boundaries removed, headers duplicated, charsets and transfer
encodings lied about, spliced, and pasted text dropped, doubled, quoted, re-wrapped or escaped.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/ is not an installed package

from benchmarks import corpus
from bot.diagnose import analyse
from bot.models import Diagnosis
from bot.render.blocks import render_message
from bot.render.json import to_dict
from bot.render.messages import message
from bot.render.text import render
from bot.vocab import Kind, Lang, Reason, Responsible

_SETTINGS = settings(
    max_examples=int(os.environ.get("MXCHECK_FUZZ_EXAMPLES", "100")),  # more to hunt, locally
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_ERRORS = ("empty-input", "binary-input", "input-too-large", "invalid-domain", "not-a-bounce")


def _seeds() -> list[bytes]:
    """Real bounces to mutate: the held-out samples, and every 8th corpus file when it is present."""
    root = Path(__file__).parent / "samples"
    found = [p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()]
    if corpus.available():
        found += [s.raw for s in list(corpus.samples(labelled_only=False))[::8]]
    return found


SEEDS = _seeds()
_CHARSETS = [
    b"utf-8",
    b"iso-2022-jp",
    b"shift_jis",
    b"euc-jp",
    b"us-ascii",
    b"utf-16",
    b"utf-7",
    b"x-bogus",
    b"",
]
_ENCODINGS = [b"base64", b"quoted-printable", b"7bit", b"8bit", b"x-uuencode", b"binary"]


# ----------------------------------------------------------------------------- mutations
@st.composite
def mutated_messages(draw: st.DrawFn) -> bytes:
    """A real bounce with one to four of the ways mail gets broken applied in turn."""
    data = draw(st.sampled_from(SEEDS))
    for op in draw(st.lists(st.sampled_from(sorted(_BYTE_OPS)), min_size=1, max_size=4)):
        data = _BYTE_OPS[op](draw, data)
    return data


def _truncate(draw: st.DrawFn, data: bytes) -> bytes:
    return data[: draw(st.integers(0, len(data)))]


def _flip(draw: st.DrawFn, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 8)) if out else 0):
        at = draw(st.integers(0, len(out) - 1))
        out[at] ^= draw(st.integers(1, 255))
    return bytes(out)


def _no_boundaries(draw: st.DrawFn, data: bytes) -> bytes:
    return b"\n".join(line for line in data.split(b"\n") if not line.startswith(b"--"))


def _duplicate_headers(draw: st.DrawFn, data: bytes) -> bytes:
    head, sep, body = data.partition(b"\n\n")
    lines = head.split(b"\n")
    line = draw(st.sampled_from(lines))
    return b"\n".join(lines + [line] * draw(st.integers(1, 50))) + sep + body


def _lie_about_charset(draw: st.DrawFn, data: bytes) -> bytes:
    charset = draw(st.sampled_from(_CHARSETS))
    data = re.sub(rb'charset="?[\w.:-]{1,40}"?', b"charset=" + charset, data, flags=re.I)
    encoding = draw(st.sampled_from(_ENCODINGS))
    return re.sub(
        rb"content-transfer-encoding:[ \t]{0,5}[\w-]{1,30}",
        b"Content-Transfer-Encoding: " + encoding,
        data,
        flags=re.I,
    )


def _insert(draw: st.DrawFn, data: bytes) -> bytes:
    at = draw(st.integers(0, len(data)))
    return data[:at] + draw(st.binary(max_size=200)) + data[at:]


def _splice(draw: st.DrawFn, data: bytes) -> bytes:
    other = draw(st.sampled_from(SEEDS))
    return data[: draw(st.integers(0, len(data)))] + other[draw(st.integers(0, len(other))) :]


_BYTE_OPS = {
    "truncate": _truncate,
    "flip": _flip,
    "no-boundaries": _no_boundaries,
    "duplicate-headers": _duplicate_headers,
    "charset-lie": _lie_about_charset,
    "insert": _insert,
    "splice": _splice,
}


@st.composite
def mutated_pastes(draw: st.DrawFn) -> str:
    """A real bounce as people paste it, with its lines dropped, doubled, quoted, re-wrapped or escaped."""
    lines = corpus.pasted_form(draw(st.sampled_from(SEEDS))).split("\n")
    for op in draw(st.lists(st.sampled_from(sorted(_TEXT_OPS)), min_size=1, max_size=4)):
        lines = _TEXT_OPS[op](draw, lines)
    return draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)


def _drop(draw: st.DrawFn, lines: list[str]) -> list[str]:
    keep = draw(st.lists(st.booleans(), min_size=len(lines), max_size=len(lines)))
    return [line for line, k in zip(lines, keep, strict=True) if k]


def _double(draw: st.DrawFn, lines: list[str]) -> list[str]:
    return [x for line in lines for x in ([line] * draw(st.integers(1, 3)) if len(lines) < 400 else [line])]


def _quote(draw: st.DrawFn, lines: list[str]) -> list[str]:
    prefix = draw(st.sampled_from(["> ", ">", "> > ", ">>>> ", "　", "\t"]))
    return [prefix + line for line in lines]


def _rewrap(draw: st.DrawFn, lines: list[str]) -> list[str]:
    width = draw(st.integers(5, 90))
    return [line[i : i + width] for line in lines for i in range(0, max(len(line), 1), width)]


def _escape(draw: st.DrawFn, lines: list[str]) -> list[str]:
    return [line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for line in lines]


def _noise(draw: st.DrawFn, lines: list[str]) -> list[str]:
    at = draw(st.integers(0, len(lines)))
    return [*lines[:at], draw(st.text(max_size=300)), *lines[at:]]


_TEXT_OPS = {
    "drop": _drop,
    "double": _double,
    "quote": _quote,
    "rewrap": _rewrap,
    "escape": _escape,
    "noise": _noise,
}


# ----------------------------------------------------------------------------- the properties
def _check_blocks(message_: dict[str, Any]) -> None:
    """A Slack message within Block Kit's limits."""
    assert isinstance(message_["text"], str) and 0 < len(message_["text"]) <= 40_000
    blocks = message_["blocks"]
    assert 0 < len(blocks) <= 50
    for block in blocks:
        if block["type"] == "header":
            assert block["text"]["type"] == "plain_text" and 0 < len(block["text"]["text"]) <= 150
        elif block["type"] == "section":
            assert 0 < len(block["text"]["text"]) <= 3000
            assert len(block.get("fields", ())) <= 10
            assert all(len(f["text"]) <= 2000 for f in block.get("fields", ()))
        elif block["type"] == "context":
            assert 0 < len(block["elements"]) <= 10
            assert all(0 < len(e["text"]) <= 3000 for e in block["elements"])
        elif block["type"] == "actions":
            assert 0 < len(block["elements"]) <= 25
            for button in block["elements"]:
                assert len(button["text"]["text"]) <= 75 and len(button["value"]) <= 2000
                assert len(button["action_id"]) <= 255
        assert len(block.get("block_id", "")) <= 255
    json.dumps(message_, ensure_ascii=False).encode("utf-8")  # what the Web API client sends


def _check(data: bytes | str) -> None:
    """analyse() answers inside the vocabularies, and every renderer takes the answer."""
    d = analyse(data, source="fuzz.eml")
    assert isinstance(d, Diagnosis)
    assert d.kind in Kind
    if d.kind is Kind.NONE:
        assert (d.error in _ERRORS or d.note == "not-a-bounce") and not d.recipients
    for r in d.recipients:
        assert r.reason in Reason and r.responsible in Responsible and r.cause.id
    assert d.responsible is None or d.responsible in Responsible
    for lang in Lang:
        j = to_dict(d, lang)
        assert j["kind"] in {str(k) for k in Kind}
        assert j["reason"] is None or j["reason"] in {str(r) for r in Reason}
        assert j["responsible"] is None or j["responsible"] in {str(r) for r in Responsible}
        json.dumps(j, ensure_ascii=False).encode("utf-8")  # --json prints it as UTF-8
        for color in (False, True):
            text = render(d, lang, color=color)
            assert text.endswith("\n")
            text.encode("utf-8")
        _check_blocks(render_message(d, lang))
        if d.error:
            assert message(d.error, lang)


@_SETTINGS
@given(st.binary(max_size=6000))
def test_arbitrary_bytes(data: bytes) -> None:
    """Arbitrary bytes never raise and always render."""
    _check(data)


# Any character (lone surrogates too), and often the ones bounces are made of.
_CHARACTERS = st.one_of(
    st.characters(categories=["L", "M", "N", "P", "S", "Z", "Cc", "Cf", "Cs", "Co"]),
    st.sampled_from(
        list("<>@:;.,=?-_()[]\"'\n\r\t 0123455.５５０配信不能宛先\u3000\u200b\ufeff\ud800\udcff")
    ),
)


@_SETTINGS
@given(st.text(_CHARACTERS, max_size=3000))
def test_arbitrary_text(data: str) -> None:
    """Arbitrary text (lone surrogates, controls, any script) never raises and always renders."""
    _check(data)


@_SETTINGS
@given(mutated_messages())
def test_mutated_messages(data: bytes) -> None:
    """Real bounces truncated, flipped, stripped of boundaries, with duplicated headers or lying charsets."""
    _check(data)


@_SETTINGS
@given(mutated_pastes())
def test_mutated_pastes(data: str) -> None:
    """Real bounces pasted and then mangled the ways chat and mail clients mangle text."""
    _check(data)


def test_lone_surrogates_are_read_as_replacement_characters() -> None:
    """Regression: a lone surrogate in pasted text (JSON's "\\ud800") raised UnicodeEncodeError in normalize."""
    d = analyse("\ud800 550 5.1.1 <a@example.jp>: Recipient address rejected: User unknown \udcff")
    assert d.kind is Kind.BOUNCE and d.main is not None
    assert d.main.failure.address == "a@example.jp" and d.main.reason is Reason.USERUNKNOWN
    _check("\ud800\udfff\udc80")
