"""Printing a batch's answers in input order: JSON lines or text on stdout, one-line errors,
notes and the progress bar on stderr, and the summary at the end."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from typing import TextIO

from bot.cli.inputs import SkippedInput, UnreadableInput
from bot.cli.summary import Summary
from bot.errors import InputError, InputTooLarge
from bot.limits import MAX_INPUT_BYTES
from bot.models import Diagnosis
from bot.render.messages import error_text, message
from bot.render.text import render, source_label
from bot.vocab import Kind, Lang

PROGRESS_OVER = 20  # a progress bar only for batches longer than this
_BAR = 30
SHOWN_CHARS = 120  # a name or path quoted in a one-line error message, at most
# What would break a one-line message: C0/C1 controls (a file name may hold a line break), line separators.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True, slots=True)
class Options:
    """What the command line asked for."""

    lang: Lang
    json: bool = False
    dns: bool = True
    nameservers: tuple[tuple[str, int], ...] | None = None
    timeout: float | None = None
    color: bool = False
    progress: bool = False


@dataclass(frozen=True, slots=True)
class ReadFailure:
    """A source whose bytes could not be had: missing, unreadable, too large."""

    source: str
    error: InputError


def shown(value: str, *, limit: int = SHOWN_CHARS) -> str:
    """A name or path the user gave, fit for a one-line message: controls escaped, a long middle cut."""
    text = _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), value)
    if len(text) > limit:
        head = limit // 3
        text = f"{text[:head]}…{text[len(text) - (limit - head - 1) :]}"
    return text


class Output:
    """Prints answers in input order: JSON lines or text on stdout, one-line errors and progress on stderr."""

    def __init__(
        self, options: Options, *, total: int, out: TextIO | None = None, err: TextIO | None = None
    ) -> None:
        """`total`: how many answers will come (for the progress bar; 0 when it is not shown)."""
        self.options = options
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.total = total
        self.seen = 0
        self.failed = 0
        self.printed = 0
        self.summary = Summary()
        self.show_progress = options.progress and total > PROGRESS_OVER

    def emit(self, item: Diagnosis | ReadFailure) -> None:
        """Print one answer (and, for bad input, its one-line reason on stderr; for a skip, a note)."""
        self.seen += 1
        if isinstance(item, ReadFailure) and isinstance(item.error, SkippedInput):
            self.summary.skip()
            self._clear_progress()
            print(self._error_line(Diagnosis(kind=Kind.NONE, source=item.source, error=item.error.error_id), item), file=self.err, flush=True)
            self._progress()
            return
        d = (
            item
            if isinstance(item, Diagnosis)
            else Diagnosis(kind=Kind.NONE, source=item.source, error=item.error.error_id)
        )
        self.summary.add(d, self.options.lang)
        if d.error:
            self.failed += 1
            self._clear_progress()
            print(self._error_line(d, item), file=self.err, flush=True)
        if self.options.json:
            if d.note:  # the JSON says it too; the note line is for the person watching
                self._clear_progress()
                print(self._note_line(d), file=self.err, flush=True)
            print(json_line(d, self.options.lang), file=self.out)
        elif not d.error:
            self._separator()
            print(render(d, self.options.lang, color=self.options.color), end="", file=self.out)
        self._progress()

    def _separator(self) -> None:
        if self.printed:
            print("─" * 40, file=self.out)
        self.printed += 1

    def _note_line(self, d: Diagnosis) -> str:
        return message(f"note-{d.note}", self.options.lang, path=shown(source_label(d.source or "", self.options.lang)))

    def _error_line(self, d: Diagnosis, item: Diagnosis | ReadFailure) -> str:
        source = shown(source_label(d.source or "", self.options.lang)) if d.source else ""
        fields: dict[str, object] = {"limit": f"{MAX_INPUT_BYTES // (1024 * 1024)} MiB", "path": source}
        if isinstance(item, ReadFailure) and isinstance(item.error, UnreadableInput):
            fields["why"] = item.error.why
        if isinstance(item, ReadFailure) and isinstance(item.error, InputTooLarge):
            fields["size"] = item.error.detail
        if d.error == "invalid-domain":
            fields["name"] = source
        text = error_text(d.error or "internal-error", self.options.lang, **fields)
        # The path says which input; for messages that name their path or name already, once is enough.
        named = d.error in ("no-such-path", "unreadable-input", "invalid-domain", "special-file-skipped")
        return text if named or not source else f"{source}: {text}"

    def _progress(self) -> None:
        if self.show_progress:
            filled = _BAR * self.seen // max(self.total, 1)
            self.err.write(f"\r[{'#' * filled}{'.' * (_BAR - filled)}] {self.seen}/{self.total}")
            self.err.flush()

    def _clear_progress(self) -> None:
        if self.show_progress:
            self.err.write("\r" + " " * (_BAR + 24) + "\r")

    def done(self) -> None:
        """Finish the progress bar line; after a batch, the summary (on stderr with --json)."""
        self._clear_progress()
        if self.summary.inputs > 1:
            lines = self.summary.lines(self.options.lang)
            if self.options.json:
                self.out.flush()
                print("\n".join(lines), file=self.err)
            else:
                self._separator()
                print("\n".join(lines), file=self.out)
        self.out.flush()


def json_line(d: Diagnosis, lang: Lang) -> str:
    """The contract's JSON object of one diagnosis, on one line (json loaded only for --json)."""
    import json

    from bot.render.json import to_dict

    return json.dumps(to_dict(d, lang), ensure_ascii=False)
