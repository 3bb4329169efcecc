"""Printing a batch's answers in input order: JSON lines or text on stdout, one-line errors,
notes and the progress bar on stderr, and the summary at the end."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from bot.cli.inputs import SkippedInput, UnreadableInput
from bot.cli.summary import Summary, Tally
from bot.errors import InputError, InputTooLarge
from bot.limits import MAX_INPUT_BYTES
from bot.models import Diagnosis
from bot.reading.lazyre import lazy
from bot.render.messages import error_text, message
from bot.render.text import render, source_label
from bot.vocab import Kind, Lang

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (bot/__init__.py)
if TYPE_CHECKING:
    from typing import TextIO

PROGRESS_OVER = 20  # a progress bar only for batches longer than this
_BAR = 30
SHOWN_CHARS = 120  # a name or path quoted in a one-line error message, at most
# What would break a one-line message: C0/C1 controls (a file name may hold a line break), line separators.
_UNPRINTABLE = lazy("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


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
        self.write(rendered(item, self.options))

    def write(self, r: Rendered) -> None:
        """Print one answer already rendered (here or in a worker process) and count it."""
        self.seen += 1
        if r.tally is None:
            self.summary.skip()
        else:
            self.summary.count(r.tally)
            self.failed += r.tally.failed
        if r.err:
            self._clear_progress()
            for text in r.err:
                print(text, file=self.err, flush=True)
        if r.out is not None:
            if not self.options.json:
                self._separator()
            self.out.write(r.out)
        self._progress()

    def _separator(self) -> None:
        if self.printed:
            print("─" * 40, file=self.out)
        self.printed += 1

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


@dataclass(frozen=True, slots=True)
class Rendered:
    """One answer ready to print: stdout text, stderr lines and what the summary counts.

    Made by `rendered`, here or in a worker process (bot.cli.offline), so the printing process
    only writes strings.
    """

    tally: Tally | None  # None: a skipped input (not a file), counted apart
    err: tuple[str, ...] = ()  # lines for stderr: why it failed, a note
    out: str | None = None  # for stdout: a JSON line or the text answer (a separator goes before a text)


def rendered(item: Diagnosis | ReadFailure, options: Options) -> Rendered:
    """One answer rendered as the options ask (JSON line or text), with its stderr lines."""
    lang = options.lang
    if isinstance(item, ReadFailure) and isinstance(item.error, SkippedInput):
        return Rendered(None, (_error_line(Diagnosis(kind=Kind.NONE, source=item.source, error=item.error.error_id), item, lang),))
    d = item if isinstance(item, Diagnosis) else Diagnosis(kind=Kind.NONE, source=item.source, error=item.error.error_id)
    err = [_error_line(d, item, lang)] if d.error else []
    if options.json:
        if d.note:  # the JSON says it too; the note line is for the person watching
            err.append(_note_line(d, lang))
        out = json_line(d, lang) + "\n"
    else:
        out = None if d.error else render(d, lang, color=options.color)
    return Rendered(Tally.of(d, lang), tuple(err), out)


def _note_line(d: Diagnosis, lang: Lang) -> str:
    return message(f"note-{d.note}", lang, path=shown(source_label(d.source or "", lang)))


def _error_line(d: Diagnosis, item: Diagnosis | ReadFailure, lang: Lang) -> str:
    source = shown(source_label(d.source or "", lang)) if d.source else ""
    fields: dict[str, object] = {"limit": f"{MAX_INPUT_BYTES // (1024 * 1024)} MiB", "path": source}
    if isinstance(item, ReadFailure) and isinstance(item.error, UnreadableInput):
        fields["why"] = item.error.why
    if isinstance(item, ReadFailure) and isinstance(item.error, InputTooLarge):
        fields["size"] = item.error.detail
    if d.error == "invalid-domain":
        fields["name"] = source
    text = error_text(d.error or "internal-error", lang, **fields)
    # The path says which input; for messages that name their path or name already, once is enough.
    named = d.error in ("no-such-path", "unreadable-input", "invalid-domain", "special-file-skipped")
    return text if named or not source else f"{source}: {text}"


def json_line(d: Diagnosis, lang: Lang) -> str:
    """The contract's JSON object of one diagnosis, on one line (json loaded only for --json)."""
    import json

    from bot.render.json import to_dict

    return json.dumps(to_dict(d, lang), ensure_ascii=False)
