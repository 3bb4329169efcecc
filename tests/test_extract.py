"""Finding the domains a non-bounce text names (bot.reading.extract)."""

from __future__ import annotations

import time

import pytest

from bot.limits import MAX_DOMAINS
from bot.reading.extract import domain_of, find_domains


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("example.co.jp に送れません", ("example.co.jp",)),
        ("user@example.jp", ("example.jp",)),
        ("宛先example.co.jpに送れません。", ("example.co.jp",)),
        ("ＵＳＥＲ＠ＥＸＡＭＰＬＥ．ＪＰ に届きません", ("example.jp",)),
        ("日本語.jp へ送信できない", ("日本語.jp",)),
        ("Mail to <Taro.Yamada@Example.COM> bounced.", ("example.com",)),
        ("Can you check example.org?", ("example.org",)),
    ],
)
def test_finds_domains_in_questions(text: str, expected: tuple[str, ...]) -> None:
    """Domains and address domains are found, lower-cased, even glued to Japanese text."""
    assert find_domains(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "setup.py を実行したら失敗した",
        "see https://www.example.com/path for details",
        "version 1.2.3 and 192.0.2.1",
        "e.g. this, i.e. that",
        "report.draft2 is ready",
        "os.path(x) raised",
        "hello world",
        "",
    ],
)
def test_ignores_words_that_are_not_mail_domains(text: str) -> None:
    """File names, URLs, versions, addresses of IPs and unknown TLDs give nothing."""
    assert find_domains(text) == ()


def test_addresses_win_over_bare_hosts() -> None:
    """When an address is named, bare host names beside it are not checked."""
    text = "first.last@example.co.jp に送ると mail.example.co.jp から返ってきます"
    assert find_domains(text) == ("example.co.jp",)


def test_bare_domains_are_deduplicated_in_order() -> None:
    """Each domain once, in the order of first mention."""
    assert find_domains("example.net, example.com and example.net again") == ("example.net", "example.com")


def test_file_extension_tld_is_kept_in_an_address() -> None:
    """A two-label name ending like a file is still a domain when it follows '@'."""
    assert find_domains("write to info@example.py") == ("example.py",)


def test_result_is_bounded() -> None:
    """At most MAX_DOMAINS domains come back, however many the text names."""
    text = " ".join(f"host{i}.example.com" for i in range(50))
    assert len(find_domains(text)) == MAX_DOMAINS


def test_long_hostile_text_is_fast() -> None:
    """Long runs without dots, and of dots, are scanned in linear time."""
    hostile = ("あ" * 3990 + "\n") * 25 + ("a" * 3990 + "\n") * 25 + ("a." * 1995 + "\n") * 25
    started = time.perf_counter()
    find_domains(hostile)
    assert time.perf_counter() - started < 2.0


def test_domain_of_takes_the_part_after_the_last_at() -> None:
    """The domain of an address, cleaned of brackets and a final dot."""
    assert domain_of('"a@b"@Example.JP.') == "example.jp"
    assert domain_of("<user@example.com>") == "example.com"
