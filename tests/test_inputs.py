"""Reading inputs (bot.cli.inputs): files, directories, Maildir, mbox, stdin, all bounded."""

from __future__ import annotations

import io
import mailbox
import os
from pathlib import Path

import pytest

from bot.cli.inputs import collect
from bot.errors import InputError
from bot.limits import MAX_INPUT_BYTES

MESSAGE = b"From: a@example.jp\nTo: b@example.jp\nSubject: s\n\nbody\n"


def names(paths: list[str]) -> list[str]:
    """The source names collect() gives for paths."""
    return [s.name for s in collect(paths, stdin=io.BytesIO())]


def test_glued_from_line_is_not_a_second_message(tmp_path: Path) -> None:
    """A From line right after text (an unescaped copy inside a message) does not split the file."""
    path = tmp_path / "one.eml"
    path.write_bytes(
        b"From MAILER-DAEMON  Thu Jul  2 12:05:05 2020\n"
        + MESSAGE
        + b"--end--\nFrom double-bounce@example.jp  Thu Jul  2 12:05:05 2020\n"
        + MESSAGE
    )
    assert names([str(path)]) == [str(path)]


def test_mbox_separators_after_blank_lines_split(tmp_path: Path) -> None:
    """A real mbox gives one source per message, numbered from 1."""
    path = tmp_path / "box"
    box = mailbox.mbox(path)
    box.add(MESSAGE)
    box.add(MESSAGE)
    box.flush()
    sources = collect([str(path)], stdin=io.BytesIO())
    assert [s.name for s in sources] == [f"{path}#1", f"{path}#2"]
    assert b"Subject: s" in sources[1].read()


def test_directory_order_and_skips(tmp_path: Path) -> None:
    """Files below a directory in sorted order; hidden files and Maildir tmp/ are skipped."""
    for sub in ("cur", "new", "tmp"):
        (tmp_path / "md" / sub).mkdir(parents=True)
    (tmp_path / "md" / "new" / "2").write_bytes(MESSAGE)
    (tmp_path / "md" / "cur" / "1").write_bytes(MESSAGE)
    (tmp_path / "md" / "tmp" / "3").write_bytes(MESSAGE)
    (tmp_path / "b.eml").write_bytes(MESSAGE)
    (tmp_path / ".DS_Store").write_bytes(b"x")
    (tmp_path / "loop").symlink_to(tmp_path)
    found = [Path(n).relative_to(tmp_path).as_posix() for n in names([str(tmp_path)])]
    assert found == ["b.eml", "md/cur/1", "md/new/2"]


def test_missing_and_huge_files_fail_when_read(tmp_path: Path) -> None:
    """A missing path and a file above the limit become sources whose read raises InputError."""
    huge = tmp_path / "huge"
    with huge.open("wb") as fh:
        fh.truncate(MAX_INPUT_BYTES + 1)
    missing, big = collect([str(tmp_path / "nope"), str(huge)], stdin=io.BytesIO())
    with pytest.raises(InputError) as info:
        missing.read()
    assert info.value.error_id == "no-such-path"
    with pytest.raises(InputError) as info:
        big.read()
    assert info.value.error_id == "input-too-large"


def test_stdin_is_read_bounded() -> None:
    """'-' (or no path) reads stdin; more than the limit is refused."""
    [source] = collect([], stdin=io.BytesIO(MESSAGE))
    assert source.name == "-" and source.read() == MESSAGE
    [source] = collect(["-"], stdin=io.BytesIO(b"x" * (MAX_INPUT_BYTES + 1)))
    with pytest.raises(InputError):
        source.read()


def test_a_file_changed_after_listing_is_read_as_it_is_then(tmp_path: Path) -> None:
    """A file that grew past the limit, became a FIFO or vanished since it was listed fails when read."""
    grown, piped, gone, kept = (tmp_path / n for n in ("a.eml", "b.eml", "c.eml", "d.eml"))
    for path in (grown, piped, gone, kept):
        path.write_bytes(MESSAGE)
    listed = collect([str(tmp_path)], stdin=io.BytesIO())
    with grown.open("wb") as fh:
        fh.truncate(MAX_INPUT_BYTES + 1)
    piped.unlink()
    os.mkfifo(piped)  # nobody writes to it: a blocking open would wait forever
    gone.unlink()
    kept.write_bytes(MESSAGE + b"appended after listing\n")
    errors = []
    for source in listed[:3]:
        with pytest.raises(InputError) as info:
            source.read()
        errors.append(info.value.error_id)
    assert errors == ["input-too-large", "special-file-skipped", "unreadable-input"]
    assert listed[3].read() == MESSAGE + b"appended after listing\n"
