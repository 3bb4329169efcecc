"""The `mxcheck` command run as a subprocess: JSON lines, exit codes, inputs, languages, bad input."""

from __future__ import annotations

import io
import json
import mailbox
import os
import random
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from dnsserver import DnsServer

from bot.cli.batch import shown
from bot.render.messages import error_text, message
from bot.vocab import Lang

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
JA_EML = EXAMPLES / "bounce-ja.eml"
POSTFIX_TXT = EXAMPLES / "bounce-postfix.txt"
CONTRACT_KEYS = {"source", "kind", "reason", "responsible", "recipients", "cause", "domains", "error"}


def mxcheck(
    *args: str, stdin: bytes = b"", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot.cli` with a clean environment (no language, no nameservers from outside)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("MXCHECK_", "LC_", "LANG", "NO_COLOR"))}
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin.decode("utf-8", "surrogateescape"),
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=base,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def json_lines(proc: subprocess.CompletedProcess[str]) -> list[dict]:
    """Each stdout line parsed as one JSON object."""
    return [json.loads(line) for line in proc.stdout.splitlines()]


def assert_one_line_error(proc: subprocess.CompletedProcess[str]) -> None:
    """Exit 2, exactly one line on stderr, no traceback."""
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "Traceback" not in proc.stderr


def test_json_one_object_per_message_with_contract_keys() -> None:
    """Each example bounce gives one JSON line with the contract's keys; exit 0."""
    proc = mxcheck("bounce", "--json", "--no-dns", str(POSTFIX_TXT), str(JA_EML))
    assert proc.returncode == 0, proc.stderr
    objs = json_lines(proc)
    assert [o["source"] for o in objs] == [str(POSTFIX_TXT), str(JA_EML)]
    for obj in objs:
        assert CONTRACT_KEYS <= obj.keys()
        assert obj["kind"] == "bounce" and obj["error"] is None
        assert obj["recipients"] and obj["cause"]["id"]
        assert obj["domains"] == []  # --no-dns asks nothing
    assert objs[0]["recipients"][0]["address"] == "sato.ichiro@example.net"
    assert objs[0]["recipients"][0]["status"] == "5.1.1"
    assert objs[1]["recipients"][0]["address"] == "taro.yamada@example.co.jpp"


def test_text_output_has_sections_and_no_colour_in_a_pipe() -> None:
    """Human output by default: cause, responsible side, user message; no ANSI codes when piped."""
    proc = mxcheck("bounce", "--no-dns", "--lang", "en", str(POSTFIX_TXT))
    assert proc.returncode == 0, proc.stderr
    for heading in ("Cause", "Who must act", "Evidence", "Message for the user"):
        assert heading in proc.stdout
    assert "\x1b[" not in proc.stdout


@pytest.mark.parametrize(
    ("args", "env", "heading"),
    [
        (["--lang", "ja"], {}, "対応すべき側"),
        (["--lang", "en"], {"MXCHECK_LANG": "ja"}, "Who must act"),
        ([], {"MXCHECK_LANG": "ja"}, "対応すべき側"),
        ([], {"LANG": "ja_JP.UTF-8"}, "対応すべき側"),
        ([], {"LANG": "C.UTF-8"}, "Who must act"),
    ],
)
def test_language_choice(args: list[str], env: dict[str, str], heading: str) -> None:
    """--lang wins over MXCHECK_LANG, which wins over the locale; English otherwise."""
    proc = mxcheck("bounce", "--no-dns", *args, str(POSTFIX_TXT), env=env)
    assert proc.returncode == 0, proc.stderr
    assert heading in proc.stdout


def test_stdin_with_dash_and_without_path() -> None:
    """'-' and no PATH both read standard input; the source is '-'."""
    data = POSTFIX_TXT.read_bytes()
    for args in (["-"], []):
        proc = mxcheck("bounce", "--json", "--no-dns", *args, stdin=data)
        assert proc.returncode == 0, proc.stderr
        [obj] = json_lines(proc)
        assert obj["source"] == "-" and obj["kind"] == "bounce"


def test_text_naming_an_address_becomes_a_domain_check() -> None:
    """A question with an address and no bounce is a domain check of its domain."""
    proc = mxcheck("bounce", "--json", "--no-dns", stdin="user@example.jp に送れません".encode())
    assert proc.returncode == 0, proc.stderr
    [obj] = json_lines(proc)
    assert obj["kind"] == "domain"
    assert [d["domain"] for d in obj["domains"]] == ["example.jp"]


def test_directory_recursive_with_maildir(tmp_path: Path) -> None:
    """A directory gives one result per file below it, Maildir cur/new included, tmp/ skipped."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.txt").write_bytes(POSTFIX_TXT.read_bytes())
    maildir = mailbox.Maildir(tmp_path / "Maildir", create=True)
    maildir.add(JA_EML.read_bytes())  # lands in new/
    (tmp_path / "Maildir" / "cur" / "1700000000.M1P1.host:2,S").write_bytes(JA_EML.read_bytes())
    (tmp_path / "Maildir" / "tmp" / "1700000001.M2P2.host").write_bytes(b"being written")
    (tmp_path / ".hidden").write_bytes(b"not mail")
    proc = mxcheck("bounce", "--json", "--no-dns", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    objs = json_lines(proc)
    assert len(objs) == 3
    assert all(o["kind"] == "bounce" for o in objs)
    assert not any("/tmp/" in o["source"].removeprefix(str(tmp_path)) for o in objs)


def test_mbox_gives_one_result_per_message(tmp_path: Path) -> None:
    """Each message of an mbox file is analysed on its own, named path#N."""
    path = tmp_path / "bounces.mbox"
    box = mailbox.mbox(path)
    for data in (JA_EML.read_bytes(), JA_EML.read_bytes(), b"From: a@example.jp\nSubject: hi\n\nhello\n"):
        box.add(data)
    box.flush()
    box.close()
    proc = mxcheck("bounce", "--json", "--no-dns", str(path))
    objs = json_lines(proc)
    assert [o["source"] for o in objs] == [f"{path}#1", f"{path}#2", f"{path}#3"]
    assert [o["kind"] for o in objs[:2]] == ["bounce", "bounce"]
    # The third names an address in its header only: its body holds nothing to check, but it was
    # analysed: kind none with a note, exit 0 (CONTRACT: 0 when every input was analysed).
    assert objs[2]["kind"] == "none" and objs[2]["error"] is None and objs[2]["note"] == "not-a-bounce"
    assert proc.returncode == 0, proc.stderr
    assert f"{path}#3" in proc.stderr.splitlines()[0]


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"", "empty-input"),
        (b"   \n\n", "empty-input"),
        (bytes(range(256)) * 64, "binary-input"),
    ],
)
def test_bad_input_files(tmp_path: Path, content: bytes, error: str) -> None:
    """Empty and binary files: exit 2, one line on stderr, the error id in JSON."""
    path = tmp_path / "input.txt"
    path.write_bytes(content)
    proc = mxcheck("bounce", "--json", "--no-dns", str(path))
    assert_one_line_error(proc)
    [obj] = json_lines(proc)
    assert obj["kind"] == "none" and obj["error"] == error


def test_huge_input_is_refused_without_reading_it(tmp_path: Path) -> None:
    """A file above the size limit: exit 2 and one line."""
    path = tmp_path / "huge.eml"
    with path.open("wb") as fh:
        fh.truncate(11 * 1024 * 1024)
    proc = mxcheck("bounce", "--no-dns", "--lang", "en", str(path))
    assert_one_line_error(proc)
    assert "too large" in proc.stderr


def test_missing_path_and_text_mode_errors_in_japanese(tmp_path: Path) -> None:
    """A path that does not exist: one line, in the chosen language."""
    proc = mxcheck("bounce", "--no-dns", "--lang", "ja", str(tmp_path / "nope.eml"))
    assert_one_line_error(proc)
    assert "見つかりません" in proc.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["bounce", "--bogus"],
        ["bounce", "--lang", "fr"],
        ["bounce", "--timeout", "soon"],
        ["bounce", "--timeout", "0"],
        ["bounce", "--nameserver", "not-an-ip"],
        ["domain"],
        ["frobnicate"],
    ],
)
def test_bad_usage_is_one_line(args: list[str]) -> None:
    """Usage errors exit 2 with a single line on stderr."""
    assert_one_line_error(mxcheck(*args))


def test_bad_nameserver_from_environment() -> None:
    """A malformed MXCHECK_NAMESERVERS is a usage error too."""
    assert_one_line_error(mxcheck("domain", "example.jp", env={"MXCHECK_NAMESERVERS": "1.2.3.4:99999"}))


def test_invalid_domain_is_one_line() -> None:
    """`mxcheck domain` with a name that cannot be a domain: exit 2 before any query."""
    proc = mxcheck("domain", "--json", "--nameserver", "127.0.0.1:9", "--timeout", "0.5", "exa mple..jp")
    assert_one_line_error(proc)
    [obj] = json_lines(proc)
    assert obj["error"] == "invalid-domain"


def test_help_exits_zero() -> None:
    """--help prints usage and exits 0."""
    proc = mxcheck("bounce", "--help")
    assert proc.returncode == 0 and "--no-dns" in proc.stdout


def test_domain_command_with_the_loopback_dns(dns_server: DnsServer) -> None:
    """`mxcheck domain --json` answers from the given nameserver: one object per name, exit 0."""
    host, port = dns_server.address
    proc = mxcheck("domain", "--json", "--nameserver", f"{host}:{port}", "nullmx.test", "user@gmial.com")
    assert proc.returncode == 0, proc.stderr
    objs = json_lines(proc)
    assert [o["kind"] for o in objs] == ["domain", "domain"]
    assert [o["cause"]["id"] for o in objs] == ["domain-null-mx", "domain-nxdomain"]
    assert objs[1]["domains"][0]["suggestions"] == ["gmail.com"]
    assert objs[1]["responsible"] is None  # no failed recipient: the contract says null
    assert objs[1]["cause"]["responsible"] == "sender"


def test_bounce_with_dns_from_the_environment(dns_server: DnsServer) -> None:
    """MXCHECK_NAMESERVERS is the default server; DNS evidence changes the cause of a bounce."""
    host, port = dns_server.address
    text = (
        "This is the mail system at host mail.healthy.test.\n\n"
        "I'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients. It's attached below.\n\n"
        "                   The mail system\n\n"
        "<suzuki@gmial.com>: Host or domain name not found. Name service error for\n"
        "    name=gmial.com type=MX: Host not found, try again\n"
    )
    proc = mxcheck("bounce", "--json", stdin=text.encode(), env={"MXCHECK_NAMESERVERS": f"{host}:{port}"})
    assert proc.returncode == 0, proc.stderr
    [obj] = json_lines(proc)
    assert obj["cause"]["id"] == "host-unknown-nxdomain" and obj["responsible"] == "sender"
    assert obj["domains"][0]["domain"] == "gmial.com" and obj["domains"][0]["exists"] is False
    assert obj["domains"][0]["problems"][0]["detail"]


# ----------------------------------------------------------------------------- bad input, both languages
def _pdf() -> bytes:
    """A small PDF as writers make them: a binary comment line and a compressed (font or image) stream."""
    stream = zlib.compress(random.Random(7).randbytes(3000))
    head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length " + str(len(stream)).encode()
    return head + b" /Filter /FlateDecode >>\nstream\n" + stream + b"\nendstream\nendobj\n%%EOF\n"


def _zip() -> bytes:
    """A zip archive holding a bounce: what gets attached instead of the .eml."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bounce.eml", JA_EML.read_bytes())
    return buffer.getvalue()


_PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"
    + bytes(range(256)) * 4
)
_BAD_FILES = {
    "empty": (lambda: b"", "empty-input"),
    "whitespace": (lambda: b" \t\n\r\n   \n\t", "empty-input"),
    "png": (lambda: _PNG, "binary-input"),
    "zip": (_zip, "binary-input"),
    "pdf": (_pdf, "binary-input"),
}


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("kind", sorted(_BAD_FILES))
def test_bad_files_get_one_line_in_the_chosen_language(tmp_path: Path, kind: str, lang: str) -> None:
    """Empty, blank, PNG, ZIP and PDF files: exit 2, one stderr line in the chosen language, no traceback."""
    make, error = _BAD_FILES[kind]
    path = tmp_path / f"input.{kind}"
    path.write_bytes(make())
    proc = mxcheck("bounce", "--no-dns", "--lang", lang, str(path))
    assert_one_line_error(proc)
    assert proc.stderr.strip() == f"{path}: {error_text(error, Lang(lang))}"
    assert proc.stdout == ""


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_an_11_mib_file_is_refused_in_the_chosen_language(tmp_path: Path, lang: str) -> None:
    """A file over the 10 MiB limit: exit 2, one line saying so in the chosen language."""
    path = tmp_path / "huge.eml"
    path.write_bytes(b"550 5.1.1 <a@example.jp>: User unknown\n" * (11 * 1024 * 1024 // 40))
    proc = mxcheck("bounce", "--no-dns", "--json", "--lang", lang, str(path))
    assert_one_line_error(proc)
    assert proc.stderr.strip() == f"{path}: {error_text('input-too-large', Lang(lang), limit='10 MiB')}"
    assert json_lines(proc)[0]["error"] == "input-too-large"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode (CI runs as root)")
def test_an_unreadable_file_in_a_directory_is_one_line_and_the_rest_is_read(tmp_path: Path) -> None:
    """A directory with a file nobody may read: that file gets one line, the others are analysed."""
    (tmp_path / "a.txt").write_bytes(POSTFIX_TXT.read_bytes())
    locked = tmp_path / "b.eml"
    locked.write_bytes(JA_EML.read_bytes())
    locked.chmod(0)
    try:
        proc = mxcheck("bounce", "--json", "--no-dns", "--lang", "ja", str(tmp_path))
    finally:
        locked.chmod(0o600)
    assert_one_line_error(proc)
    assert proc.stderr.startswith(f"{locked} を読めません")
    assert [o["kind"] for o in json_lines(proc)] == ["bounce", "none"]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_missing_path_with_a_line_break_stays_one_line(tmp_path: Path, lang: str) -> None:
    """A file name may hold a line break: the message shows it escaped, on one line."""
    path = tmp_path / "a\nb.eml"
    proc = mxcheck("bounce", "--no-dns", "--lang", lang, str(path))
    assert_one_line_error(proc)
    assert proc.stderr.strip() == error_text("no-such-path", Lang(lang), path=str(path).replace("\n", "\\n"))


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize(
    "name", ["..", "-foo.jp", "a" * 300, "127.0.0.1", "localhost", "[::1]", "a\nb.jp", "@"]
)
def test_invalid_domain_names_get_one_line_in_the_chosen_language(name: str, lang: str) -> None:
    """`mxcheck domain` with a name that is no mail domain: exit 2, one short line, no DNS query."""
    proc = mxcheck("domain", "--lang", lang, "--nameserver", "127.0.0.1:9", "--timeout", "0.5", name)
    assert_one_line_error(proc)
    line = proc.stderr.strip()
    assert line == error_text("invalid-domain", Lang(lang), name=shown(name))
    assert len(line) < 200


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_domain_without_names_and_unknown_options_are_worded_in_the_chosen_language(lang: str) -> None:
    """No name, or an option mxcheck does not know: one usage line in the chosen language."""
    proc = mxcheck("domain", "--lang", lang)
    assert_one_line_error(proc)
    assert message("missing-names", Lang(lang)) in proc.stderr
    proc = mxcheck("bounce", "--lang", lang, "--frobnicate")
    assert_one_line_error(proc)
    assert message("unknown-arguments", Lang(lang), args="--frobnicate") in proc.stderr
