"""Inputs near the 10 MiB bound: still read right, answered briefly, never a traceback.

The samples are written here and by benchmarks/memory.py (which measures their peak memory),
not taken from the corpus: a bounce returning a 10 MB attachment, a 10 MB paste with Japanese
lines, a paste that is one line of nearly 10 MB.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/ is not an installed package

from benchmarks.memory import SIZE, bounce_eml, bounce_eml_crlf, one_line_paste, plain_paste, utf16_paste
from bot.limits import MAX_INPUT_BYTES, MAX_PASTE_BYTES, MAX_TEXT_CHARS
from bot.reading.analyse import read_bounce
from bot.reading.bulk import cut_base64_runs
from bot.reading.mimetree import MAX_PAYLOAD_BYTES, message_from_bytes
from bot.reading.normalize import normalize

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """`python -m bot.cli` as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, cwd=ROOT, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The three 10 MB samples, written once."""
    where = tmp_path_factory.mktemp("big")
    found = {}
    makers = {"bounce.eml": bounce_eml, "crlf.eml": bounce_eml_crlf, "paste.txt": plain_paste, "utf16.txt": utf16_paste,
              "oneline.txt": one_line_paste}
    for name, make in makers.items():
        path = where / name
        path.write_bytes(make(SIZE))
        assert MAX_INPUT_BYTES - 128 * 1024 < path.stat().st_size <= MAX_INPUT_BYTES
        found[name] = path
    return found


@pytest.mark.parametrize(
    ("name", "address", "remote"),
    [("bounce.eml", "user1@example.jp", "mx.example.jp"), ("crlf.eml", "user1@example.jp", "mx.example.jp"), ("paste.txt", "tanaka@example.jp", "mx.example.jp"),
     ("utf16.txt", "tanaka@example.jp", "mx.example.jp"),
     ("oneline.txt", "tanaka@example.jp", None)],
)
def test_a_10_mb_input_is_diagnosed_as_a_small_one_is(big: dict[str, Path], name: str, address: str, remote: str | None) -> None:
    """The bounce in a 10 MB file (a returned attachment, a long paste, one huge line) is read right."""
    proc = _run("bounce", "--json", "--no-dns", str(big[name]))
    assert proc.returncode == 0, proc.stderr
    (found,) = [json.loads(line) for line in proc.stdout.splitlines()]
    assert found["kind"] == "bounce" and found["reason"] == "userunknown"
    (recipient,) = found["recipients"]
    assert (recipient["address"], recipient["status"], recipient["remote_mta"]) == (address, "5.1.1", remote)


@pytest.mark.parametrize("name", ["bounce.eml", "paste.txt"])
def test_a_10_mb_input_on_standard_input_is_read_as_the_file(big: dict[str, Path], name: str) -> None:
    """Piped in, the same bytes give the same diagnosis as the file does."""
    from_file = _run("bounce", "--json", "--no-dns", str(big[name]))
    piped = _run("bounce", "--json", "--no-dns", stdin=big[name].read_bytes())
    assert piped.returncode == 0, piped.stderr
    assert json.loads(piped.stdout)["recipients"] == json.loads(from_file.stdout)["recipients"]


def test_a_huge_line_gets_a_short_answer_without_traceback(big: dict[str, Path]) -> None:
    """One line of nearly 10 MB: a short text answer in the user's language, the server's reply cut."""
    proc = _run("bounce", "--no-dns", "--lang", "ja", str(big["oneline.txt"]))
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr
    text = proc.stdout.decode()
    assert "tanaka@example.jp" in text and "5.1.1" in text
    assert len(text) < 6000 and "…" in text


def test_a_huge_line_without_a_bounce_says_so_briefly(tmp_path: Path) -> None:
    """Nearly 10 MB of one word: "no bounce", in a few lines."""
    path = tmp_path / "x.txt"
    path.write_bytes(b"x" * (MAX_INPUT_BYTES - 10))
    proc = _run("bounce", "--no-dns", "--lang", "en", str(path))
    assert proc.returncode == 0 and not proc.stderr
    assert "No bounce" in proc.stdout.decode() and len(proc.stdout) < 500


def test_a_long_japanese_paste_is_cut_between_characters() -> None:
    """A paste cut at MAX_PASTE_BYTES inside a line of Japanese still decodes as UTF-8, not as mojibake."""
    head = "550 5.1.1 <kenji@example.jp>: 宛先のユーザーが見つかりません\n".encode()
    data = head + ("あ" * MAX_PASTE_BYTES).encode()  # one line with no break near the cut
    msg = normalize(data)
    text = "".join(p.text for p in msg.parts)
    assert "宛先のユーザーが見つかりません" in text and "\ufffd" not in text
    assert set(text.split("\n", 1)[1]) == {"あ"}


def test_only_the_head_of_a_paste_is_read() -> None:
    """What a paste holds beyond MAX_PASTE_BYTES is not read: the first bounce decides."""
    first = b"550 5.1.1 <kenji@example.jp>: User unknown\n"
    filler = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n" * (MAX_PASTE_BYTES // 50)
    bounce = read_bounce(first + filler + b"552 5.2.2 <yuki@example.jp>: Mailbox full\n")
    assert bounce is not None
    assert [f.address for f in bounce.failures] == ["kenji@example.jp"]


def test_a_huge_part_is_cut_and_the_parts_after_it_are_still_read() -> None:
    """A 5 MB text part before the delivery status: cut at a line break, the status still read."""
    body = "returned text line\n" * (5_000_000 // 19)
    raw = (
        'From: MAILER-DAEMON@mx.example.net\nTo: s@example.org\nSubject: Undelivered\nMIME-Version: 1.0\n'
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
        f"--B\nContent-Type: text/plain\n\n{body}\n--B\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; kenji@example.jp\nAction: failed\n"
        "Status: 5.2.2\nDiagnostic-Code: smtp; 552 5.2.2 Mailbox full\n\n--B--\n"
    ).encode()
    tree = message_from_bytes(raw)
    text_part, status = tree.payload
    assert len(text_part.payload) <= MAX_PAYLOAD_BYTES and text_part.payload.endswith(b"\nreturned text line")
    assert status.content_type == "message/delivery-status"
    msg = normalize(raw)
    assert sum(len(p.text) for p in msg.parts) <= MAX_TEXT_CHARS
    bounce = read_bounce(raw)
    assert bounce is not None and [(f.address, f.status) for f in bounce.failures] == [("kenji@example.jp", "5.2.2")]


def test_long_base64_runs_are_cut_and_the_rest_kept_as_it_was() -> None:
    """A run of base64 lines over the bound keeps its first lines; short runs, headers and boundaries stay."""
    line = b"QUJD" * 19 + b"\r\n"  # 76 characters, as MIME writes them
    head = b"--B\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    short = head + line * 3 + b"--B\r\n"
    raw = short + head + line * 5000 + b"--B--\r\n"
    cut = cut_base64_runs(raw, keep=len(line) * 10)
    assert cut == short + head + line * 10 + b"--B--\r\n"
    assert cut_base64_runs(short, keep=len(line) * 10) is short


def test_a_utf16_file_is_converted_up_to_its_bound_even_inside_a_surrogate_pair() -> None:
    """UTF-16 cut at max_chars in the middle of an emoji's surrogate pair is still converted, not left raw."""
    from bot.reading.utf16 import to_utf8

    text = "550 5.1.1 <kenji@example.jp>\n" + "😀" * 100
    raw = b"\xff\xfe" + text.encode("utf-16-le")
    cut = to_utf8(raw, max_chars=29 + 7)  # 29 characters, three pairs, then half of the next pair
    assert cut.decode("utf-8") == text[:32]
    assert to_utf8(raw) == text.encode("utf-8")


def test_an_offline_batch_holds_a_bounded_number_of_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sources are read in turn, and the pool holds at most about IN_FLIGHT_BYTES of them unanswered."""
    import io
    import json

    from bot.cli import offline
    from bot.cli.inputs import Source
    from bot.cli.output import Options, Output
    from bot.vocab import Lang

    monkeypatch.setattr(offline, "CHUNK_BYTES", 1200)
    monkeypatch.setattr(offline, "IN_FLIGHT_BYTES", 2400)
    data = b"550 5.1.1 <kenji@example.jp>: Recipient address rejected: User unknown\n" * 8  # 600 bytes
    reads: list[int] = []

    def source(n: int) -> Source:
        return Source(f"m{n}", lambda: reads.append(n) or data)

    most = 0

    class Watched(Output):
        def write(self, r):  # type: ignore[no-untyped-def]
            nonlocal most
            super().write(r)
            most = max(most, len(reads) - self.seen)

    out = io.StringIO()
    output = Watched(Options(lang=Lang.EN, json=True, dns=False), total=0, out=out, err=io.StringIO())
    offline.printed((source(n) for n in range(150)), output, workers=2)
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(answers) == 150 and reads == list(range(150))
    assert all(a["recipients"][0]["address"] == "kenji@example.jp" for a in answers)
    # Unbounded by bytes, LIMIT chunks x CHUNK messages (128) were read ahead.
    assert most <= 2400 // len(data) + 2 * (1200 // len(data)) + 2


def test_mbox_messages_are_read_from_their_place_when_their_turn_comes(tmp_path: Path) -> None:
    """Listed first and read later, an mbox's messages are mailbox.mbox's, a too-large one refused alone."""
    import mailbox

    from bot.cli.inputs import sources
    from bot.errors import InputTooLarge

    sep = b"From MAILER-DAEMON Mon Mar  2 10:00:00 2026\n"
    big = b"Subject: big\n\n" + b"x" * 70 + b"\n"
    big *= MAX_INPUT_BYTES // len(big) + 1
    raw = sep + b"Subject: one\n\nbody\n\n" + sep + big + b"\n" + sep + b"Subject: three\n\nlast\n"
    path = tmp_path / "box"
    path.write_bytes(raw)
    listed = list(sources([str(path)], stdin=None))  # type: ignore[arg-type]
    box = mailbox.mbox(str(path))
    expected = [box.get_bytes(k) for k in box.keys()]
    assert [listed[0].read(), listed[2].read()] == [expected[0], expected[2]]
    with pytest.raises(InputTooLarge):
        listed[1].read()
