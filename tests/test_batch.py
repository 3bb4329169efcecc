"""The CLI's batch runner (bot.cli.batch): order, progress bar, error counting."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest

import bot.cli.batch
from bot.cli.batch import Options, run_bounces
from bot.cli.main import main
from bot.vocab import Lang

POSTFIX_TXT = Path(__file__).resolve().parents[1] / "examples" / "bounce-postfix.txt"


def test_batch_keeps_order_counts_errors_and_shows_progress(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Answers come in input order; bad inputs are counted; a long batch draws a progress bar."""
    for i in range(24):
        (tmp_path / f"{i:02d}.txt").write_bytes(POSTFIX_TXT.read_bytes())
    (tmp_path / "99-empty.txt").write_bytes(b"")
    options = Options(lang=Lang.EN, json=True, dns=False, progress=True)
    failed = asyncio.run(run_bounces([str(tmp_path)], options, stdin=io.BytesIO()))
    out, err = capsys.readouterr()
    objs = [json.loads(line) for line in out.splitlines()]
    assert [Path(o["source"]).name for o in objs] == sorted(p.name for p in tmp_path.iterdir())
    assert failed == 1 and objs[-1]["error"] == "empty-input"
    assert "\r[" in err and "25/25" in err
    assert "99-empty.txt: The input is empty." in err


def test_short_batch_has_no_progress_bar(capsys: pytest.CaptureFixture[str]) -> None:
    """Twenty messages or fewer: no progress bar even on a terminal."""
    options = Options(lang=Lang.EN, json=False, dns=False, progress=True)
    failed = asyncio.run(run_bounces([str(POSTFIX_TXT)], options, stdin=io.BytesIO()))
    out, err = capsys.readouterr()
    assert failed == 0 and err == "" and "Cause" in out


def test_internal_error_is_one_line_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unexpected exception: exit 1, one line, no traceback unless MXCHECK_DEBUG=1."""

    def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(bot.cli.batch, "bounce_command", broken)
    monkeypatch.delenv("MXCHECK_DEBUG", raising=False)
    assert main(["bounce", "--no-dns", "--lang", "en", str(POSTFIX_TXT)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "RuntimeError" in err and "Traceback" not in err
    monkeypatch.setenv("MXCHECK_DEBUG", "1")
    assert main(["bounce", "--no-dns", str(POSTFIX_TXT)]) == 1
    assert "Traceback" in capsys.readouterr().err
