"""knowledge/: the shipped data loads, and the validator refuses broken copies of it."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest

from bot.reading.knowledge import KnowledgeError, knowledge, load_knowledge
from bot.reading.phrases import PhraseError, check_linear, compile_phrase, fold
from bot.vocab import Lang, Reason, Responsible

# Cause ids other modules reference (the team brief's list).
REQUIRED = (
    "auth-failure bad-reputation blocked content-error delivered exceed-limit expired feedback filtered "
    "has-moved host-unknown mailbox-full mailer-error message-too-big network-error relay-denied not-accept "
    "not-compliant-rfc on-hold policy-violation rejected require-ptr security-error spam-detected speeding "
    "suspended syntax-error system-error system-full too-many-connections undefined user-unknown vacation "
    "virus-detected host-unknown-nxdomain domain-no-mail-host domain-null-mx mx-broken domain-ok "
    "domain-nxdomain domain-mx-broken domain-dns-failure"
).split()


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A writable copy of the package's knowledge/ directory."""
    src = Path(str(resources.files("knowledge")))
    dst = tmp_path / "knowledge"
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return dst


def _problems(root: Path) -> str:
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(root)
    return "\n".join(info.value.problems)


def test_required_cause_ids_exist() -> None:
    """Every cause id other modules rely on is in knowledge/."""
    missing = [cid for cid in REQUIRED if cid not in knowledge().causes]
    assert missing == []


def test_every_reason_has_a_default_cause_of_that_reason() -> None:
    """default_cause(reason) is a cause record that carries that very reason."""
    for reason in Reason:
        assert knowledge().default_cause(reason).reason == reason


def test_unknown_cause_id_raises_key_error() -> None:
    """cause() of an id that does not exist raises KeyError."""
    with pytest.raises(KeyError):
        knowledge().cause("no-such-cause")


def test_domain_check_causes_carry_no_reason() -> None:
    """The causes of a domain check have reason None and the brief's responsible sides."""
    kb = knowledge()
    assert kb.cause("domain-ok").reason is None
    assert kb.cause("domain-ok").responsible == Responsible.UNKNOWN
    assert kb.cause("domain-nxdomain").responsible == Responsible.SENDER
    assert kb.cause("domain-dns-failure").responsible == Responsible.TRANSIENT
    assert kb.cause("domain-no-mail-host").responsible == Responsible.RECIPIENT_ORG
    assert kb.cause("domain-null-mx").reason == Reason.NOTACCEPT


def test_japanese_user_messages_are_polite() -> None:
    """Every ja user_message is desu/masu Japanese and every en one is non-empty English."""
    for cause in knowledge().causes.values():
        ja = cause.text(Lang.JA).user_message
        assert any(polite in ja for polite in ("ます", "です", "ません", "ください")), cause.id
        assert "である" not in ja and "だ。" not in ja, cause.id
        assert ja.endswith("。"), cause.id
        assert cause.text(Lang.EN).user_message.isascii(), cause.id


def test_admin_steps_are_lists_in_both_languages() -> None:
    """Each cause has at least one admin step per language."""
    for cause in knowledge().causes.values():
        assert cause.text(Lang.JA).admin_steps and cause.text(Lang.EN).admin_steps, cause.id


def test_copy_of_shipped_data_loads(kb_copy: Path) -> None:
    """The validator accepts an unchanged copy (so the failures below are the edits')."""
    assert load_knowledge(kb_copy).cause("user-unknown").reason == Reason.USERUNKNOWN


def test_missing_english_text_is_refused(kb_copy: Path) -> None:
    """A cause without its en block fails validation, naming the cause."""
    path = kb_copy / "causes" / "address.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index("[cause.en]")
    end = text.index("[[cause]]", start)
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    assert "'user-unknown': no en text" in _problems(kb_copy)


def test_empty_field_is_refused(kb_copy: Path) -> None:
    """An empty title fails validation."""
    path = kb_copy / "causes" / "system.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('title = "配送の期限切れ', 'title = "" # ', 1), encoding="utf-8")
    assert "'expired': ja.title missing or empty" in _problems(kb_copy)


def test_duplicate_id_is_refused(kb_copy: Path) -> None:
    """Two causes with the same id fail validation."""
    extra = (kb_copy / "causes" / "address.toml").read_text(encoding="utf-8")
    (kb_copy / "causes" / "zz_copy.toml").write_text(extra, encoding="utf-8")
    assert "'user-unknown': id used twice" in _problems(kb_copy)


def test_reason_without_cause_is_refused(kb_copy: Path) -> None:
    """Removing the only default of a reason fails validation for that reason."""
    path = kb_copy / "causes" / "recipient.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            'reason = "vacation"\nresponsible = "recipient"\ndefault = true',
            'reason = "vacation"\nresponsible = "recipient"',
        ),
        encoding="utf-8",
    )
    assert "reason vacation: no default cause" in _problems(kb_copy)


def test_rule_naming_unknown_cause_is_refused(kb_copy: Path) -> None:
    """A status row that names a cause which does not exist fails validation."""
    path = kb_copy / "status.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('cause = "sender-domain-not-found"', 'cause = "sender-domian-not-found"', 1),
        encoding="utf-8",
    )
    assert "unknown cause 'sender-domian-not-found'" in _problems(kb_copy)


def test_unsafe_regular_expression_is_refused(kb_copy: Path) -> None:
    """A phrase with an unbounded, nested repetition fails validation."""
    path = kb_copy / "phrases.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"user unknown",', '{re = "(a+)+b"}, "user unknown",', 1), encoding="utf-8")
    assert "unbounded repetition" in _problems(kb_copy)


def test_unknown_reason_and_bad_toml_are_refused(kb_copy: Path) -> None:
    """A misspelt reason and a file that is not TOML are both reported."""
    path = kb_copy / "providers.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('reason = "speeding"', 'reason = "speedin"', 1),
        encoding="utf-8",
    )
    (kb_copy / "status.toml").write_text("[[status]\n", encoding="utf-8")
    problems = _problems(kb_copy)
    assert "unknown reason 'speedin'" in problems
    assert "status.toml: not valid TOML" in problems


def test_linear_check_accepts_bounded_patterns() -> None:
    """Bounded, unnested repetition and alternation pass the linear-time check."""
    check_linear(r"\A(?:550 )?: user unknown")
    check_linear(r"[a-z]{1,63}\.example")


@pytest.mark.parametrize("pattern", [r"(a|b)*c", r"(?:x{1,5}){1,5}", r"(a)\1", r"a{0,1000}"])
def test_linear_check_refuses_risky_patterns(pattern: str) -> None:
    """Unbounded, nested or too-large repetition and backreferences are refused."""
    with pytest.raises(PhraseError):
        check_linear(pattern)


def test_phrase_shapes_match_folded_text() -> None:
    """Strings match anywhere, lists in order, and folding ignores case, width and line breaks."""
    text = fold("550 5.1.1 <A@EXAMPLE.JP>:\n  User   Unknown")
    assert compile_phrase("user unknown").found_in(text)
    assert compile_phrase(["550", "unknown"]).found_in(text)
    assert not compile_phrase(["unknown", "550"]).found_in(text)
    assert compile_phrase("ユーザー").found_in(fold("ﾕｰｻﾞｰ"))  # half-width katakana folds (NFKC)


def test_rule_reason_must_agree_with_its_cause(kb_copy: Path) -> None:
    """A provider rule whose reason differs from its cause's reason fails validation."""
    path = kb_copy / "providers.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            'reason = "speeding"\ncause = "speeding-sender-quota"',
            'reason = "mailboxfull"\ncause = "speeding-sender-quota"',
            1,
        ),
        encoding="utf-8",
    )
    assert "reason mailboxfull with cause 'speeding-sender-quota'" in _problems(kb_copy)
