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


@pytest.mark.parametrize("columns", ["40", "0", "-3", "wide"])
def test_help_wraps_at_the_width_columns_gives(columns: str) -> None:
    """--help wraps at COLUMNS (less 2, as argparse does); zero, negative or junk falls back to 80."""
    proc = mxcheck("--help", env={"COLUMNS": columns})
    assert proc.returncode == 0 and "bounce" in proc.stdout
    widest = max(len(line) for line in proc.stdout.splitlines())
    assert widest <= (38 if columns == "40" else 78), widest
    assert widest > 30


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


# ----------------------------------------------------------------------------- help, usage, version
def test_bounce_help_documents_every_option_with_default_and_environment_in_japanese() -> None:
    """`mxcheck bounce --help --lang ja`: PATH and every option, defaults and variables, no English argparse words."""
    proc = mxcheck("bounce", "--help", "--lang", "ja")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for part in ("PATH|-", "--json", "--no-dns", "--lang", "--nameserver", "--timeout", "-h, --help"):
        assert part in out, part
    for part in (
        "使い方:",
        "引数:",
        "オプション:",
        "既定: 2",
        "MXCHECK_LANG",
        "MXCHECK_NAMESERVERS",
        "標準入力",
    ):
        assert part in out, part
    for english in ("usage:", "options:", "positional arguments", "show this help"):
        assert english not in out


def test_help_in_english_names_defaults_and_environment() -> None:
    """The English help of both commands names defaults and environment variables."""
    for command in ("bounce", "domain"):
        out = mxcheck(command, "--help", env={"LANG": "en_US.UTF-8"}).stdout
        assert out.startswith("usage: mxcheck " + command)
        assert "default: 2" in out and "$MXCHECK_NAMESERVERS" in out and "$MXCHECK_LANG" in out
    assert "NAME" in mxcheck("domain", "--help").stdout


@pytest.mark.parametrize(
    ("args", "english", "japanese"),
    [
        (["bounce", "--lang", "ja", "--timeout"], "expected one argument", "値を 1 つ指定してください"),
        (["bounce", "--lang", "xx", "--lang", "ja"], "invalid choice", "は選べません"),
        (["--lang=ja", "frobnicate"], "invalid choice", "は選べません"),
        (["--lang=ja", "--bogus"], "the following arguments are required", "次の引数が必要です"),
    ],
)
def test_argparse_messages_speak_the_chosen_language(args: list[str], english: str, japanese: str) -> None:
    """argparse's own English does not leak into a Japanese usage error."""
    proc = mxcheck(*args)
    assert_one_line_error(proc)
    assert english not in proc.stderr and japanese in proc.stderr and "mxcheck --help" in proc.stderr


def test_bare_mxcheck_prints_usage_and_exits_2() -> None:
    """`mxcheck` alone: the usage with both commands on stderr, exit 2 (bad usage, as the contract says)."""
    for env, usage in (({"LANG": "ja_JP.UTF-8"}, "使い方: mxcheck"), ({}, "usage: mxcheck")):
        proc = mxcheck(env=env)
        assert proc.returncode == 2 and proc.stdout == ""
        assert proc.stderr.startswith(usage) and "bounce" in proc.stderr and "domain" in proc.stderr


def test_version() -> None:
    """--version prints the package version and exits 0."""
    from importlib.metadata import version

    proc = mxcheck("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"mxcheck {version('mxcheck')}"


# ----------------------------------------------------------------------------- inputs read once
def _shell(script: str) -> subprocess.CompletedProcess[str]:
    """Run a bash script (for pipes and process substitution) with mxcheck as `$MX`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MXCHECK_", "LC_", "LANG"))}
    env["MX"] = f"{sys.executable} -m bot.cli"
    return subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=False
    )


@pytest.mark.parametrize(
    "script",
    [
        f"cat {POSTFIX_TXT} | $MX bounce --json --no-dns /dev/stdin",
        f"$MX bounce --json --no-dns <(cat {POSTFIX_TXT})",
        f"cat {POSTFIX_TXT} | $MX bounce --json --no-dns -",
        f"$MX bounce --json --no-dns /dev/stdin < {POSTFIX_TXT}",
    ],
)
def test_pipes_and_process_substitution_are_read_once(script: str) -> None:
    """A pipe named as a path (/dev/stdin, <(cat f)) is read once: the bounce, not 'empty input'."""
    proc = _shell(script)
    assert proc.returncode == 0, proc.stderr
    [obj] = json_lines(proc)
    assert obj["kind"] == "bounce" and obj["recipients"][0]["address"] == "sato.ichiro@example.net"


def test_special_files_in_a_directory_are_skipped_with_a_note(tmp_path: Path) -> None:
    """A FIFO (nobody writing) and a socket inside a batch directory are skipped, never waited on; exit 0."""
    import socket

    (tmp_path / "a.eml").write_bytes(JA_EML.read_bytes())
    os.mkfifo(tmp_path / "b-fifo")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(tmp_path / "c-socket"))
    try:
        proc = mxcheck("bounce", "--json", "--no-dns", "--lang", "en", str(tmp_path))
    finally:
        sock.close()
    assert proc.returncode == 0, proc.stderr
    assert [o["source"] for o in json_lines(proc)] == [str(tmp_path / "a.eml")]
    notes = [line for line in proc.stderr.splitlines() if line.startswith("Skipped")]
    assert len(notes) == 2 and "b-fifo" in notes[0] and "c-socket" in notes[1]
    assert "Skipped: 2" in proc.stderr  # the summary counts them


@pytest.mark.parametrize(
    ("codec", "bom"),
    [
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
        ("utf-32-le", b"\xff\xfe\x00\x00"),
        ("utf-16-le", b""),
    ],
)
def test_utf16_and_utf32_text_is_decoded(tmp_path: Path, codec: str, bom: bytes) -> None:
    """What PowerShell's Get-Clipboard > x.txt writes (UTF-16 with a BOM), UTF-32, and UTF-16 without a BOM."""
    path = tmp_path / "clip.txt"
    path.write_bytes(bom + POSTFIX_TXT.read_text(encoding="utf-8").encode(codec))
    proc = mxcheck("bounce", "--json", "--no-dns", str(path))
    assert proc.returncode == 0, proc.stderr
    [obj] = json_lines(proc)
    assert obj["kind"] == "bounce" and obj["recipients"][0]["status"] == "5.1.1"


def test_japanese_utf16_message_is_decoded(tmp_path: Path) -> None:
    """A whole Japanese .eml saved as UTF-16 reads as the same bounce."""
    path = tmp_path / "ja.eml"
    path.write_bytes(b"\xff\xfe" + JA_EML.read_bytes().decode("utf-8").encode("utf-16-le"))
    [obj] = json_lines(mxcheck("bounce", "--json", "--no-dns", str(path)))
    assert obj["recipients"][0]["address"] == "taro.yamada@example.co.jpp"


# ----------------------------------------------------------------------------- exit status and summary
def test_a_text_with_nothing_to_tell_exits_0_with_a_note(tmp_path: Path) -> None:
    """Readable text with no bounce, domain or code is analysed: kind none, exit 0, a note."""
    path = tmp_path / "note.txt"
    path.write_text("hello, nothing to see here\n", encoding="utf-8")
    proc = mxcheck("bounce", "--json", "--no-dns", "--lang", "ja", str(path))
    assert proc.returncode == 0, proc.stderr
    [obj] = json_lines(proc)
    assert obj["kind"] == "none" and obj["error"] is None and obj["note"] == "not-a-bounce"
    assert "解析は完了しています" in proc.stderr
    text = mxcheck("bounce", "--no-dns", "--lang", "ja", str(path))
    assert text.returncode == 0 and "見つかりませんでした" in text.stdout


def test_a_note_in_a_batch_directory_does_not_fail_the_batch(tmp_path: Path) -> None:
    """A batch with bounces and one note.txt: exit 0 (CONTRACT: 0 when every input was analysed)."""
    (tmp_path / "a.eml").write_bytes(JA_EML.read_bytes())
    (tmp_path / "note.txt").write_text("see the attached bounces\n", encoding="utf-8")
    assert mxcheck("bounce", "--no-dns", str(tmp_path)).returncode == 0


def test_batch_summary_in_text_and_on_stderr_with_json(tmp_path: Path) -> None:
    """After a batch: one summary with counts by cause, by side, inputs skipped; on stderr with --json."""
    for n in range(3):
        (tmp_path / f"ja{n}.eml").write_bytes(JA_EML.read_bytes())
    (tmp_path / "postfix.txt").write_bytes(POSTFIX_TXT.read_bytes())
    (tmp_path / "empty.txt").write_bytes(b"")
    text = mxcheck("bounce", "--no-dns", "--lang", "ja", str(tmp_path))
    assert text.returncode == 2  # the empty file could not be analysed
    summary = text.stdout.split("■ まとめ（入力 5 件）", 1)[1]
    assert "解析した入力: 4 件" in summary and "読めなかった入力: 1 件" in summary
    assert "3  宛先のドメインが存在しません（ドメイン名の誤り） (host-unknown-nxdomain)" in summary
    assert "1  宛先のメールアドレスが存在しません (user-unknown)" in summary
    assert "4  送信者（送った人）" in summary
    proc = mxcheck("bounce", "--json", "--no-dns", "--lang", "en", str(tmp_path))
    assert len(json_lines(proc)) == 5  # stdout stays JSON lines only
    assert "■ Summary (5 inputs)" in proc.stderr and "By cause:" in proc.stderr
    single = mxcheck("bounce", "--no-dns", "--lang", "en", str(JA_EML))
    assert "Summary" not in single.stdout  # one input: no summary


def test_batch_summary_counts_dns_problems(dns_server: DnsServer, tmp_path: Path) -> None:
    """With DNS, the summary lists each problem id with the number of domains that have it."""
    (tmp_path / "a.txt").write_text("mail to user@gmial.com fails\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("and to other@gmial.com too\n", encoding="utf-8")
    host, port = dns_server.address
    proc = mxcheck("bounce", "--lang", "en", "--nameserver", f"{host}:{port}", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    dns = proc.stdout.split("DNS problems (domains affected):", 1)[1]
    assert "1  nxdomain" in dns



@pytest.mark.parametrize(
    ("given", "shown"), [("./a//b/", "a/b"), ("/x/./y", "/x/y"), ("../c", "../c"), ("./", "."), ("d", "d")]
)
def test_input_paths_are_named_as_pathlib_writes_them(given: str, shown: str) -> None:
    """The source name of a file or folder drops "." parts and doubled or trailing slashes, keeps ".."."""
    from pathlib import PurePosixPath

    from bot.cli.inputs import tidy

    assert tidy(given) == shown == str(PurePosixPath(given))
