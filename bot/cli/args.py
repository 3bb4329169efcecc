"""The `mxcheck` argument parser, with its help and argparse's own words in the chosen language.

argparse writes its words in English through gettext, which needs compiled catalogues on disk;
here its messages are translated after the fact from a table in knowledge/messages.toml (the
English template with {0} {1} for its parts), matched piece by piece without regular expressions.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from functools import cache

from bot.reading.datafiles import load_table
from bot.render.messages import message
from bot.vocab import Lang

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (bot/__init__.py)
if TYPE_CHECKING:
    from typing import NoReturn

DEFAULT_TIMEOUT = 2.0  # the resolver's own default per DNS answer (bot.dnscheck.resolver)


class UsageError(Exception):
    """Bad command-line usage: the text is the one-line reason shown."""


@cache
def _templates(lang: Lang) -> tuple[tuple[tuple[str, ...], str], ...]:
    """Each English template split at its {n} parts, with its translation."""
    rows = load_table("messages")["argparse"].get(str(lang), [])
    found = []
    for english, translated in rows:
        pieces = english.replace("{1}", "{0}").split("{0}")
        found.append((tuple(pieces), translated))
    return tuple(found)


def _match(pieces: tuple[str, ...], text: str) -> list[str] | None:
    """The parts of `text` between the template's literal pieces, or None when it does not fit."""
    if not text.startswith(pieces[0]) or not text.endswith(pieces[-1]):
        return None
    if len(pieces) == 1:
        return [] if text == pieces[0] else None
    parts: list[str] = []
    at = len(pieces[0])
    end = len(text) - len(pieces[-1])
    for literal in pieces[1:-1]:
        found = text.find(literal, at, end)
        if found < 0:
            return None
        parts.append(text[at:found])
        at = found + len(literal)
    if at > end:
        return None
    parts.append(text[at:end])
    return parts


def translate(text: str, lang: Lang) -> str:
    """argparse's English message in `lang` (nested parts too); unchanged when no template fits."""
    for pieces, translated in _templates(lang):
        parts = _match(pieces, text)
        if parts is not None:
            return translated.format(*(translate(p, lang) for p in parts))
    return text


class _Formatter(argparse.HelpFormatter):
    """Help text whose "usage:" prefix speaks the parser's language."""

    lang = Lang.EN

    def __init__(self, prog: str, **kwargs: object) -> None:
        # argparse asks shutil for the width (3 ms of imports, bz2 and lzma among them) each time
        # a parser is built; the same answer comes from the variable and the terminal directly.
        kwargs.setdefault("width", _columns() - 2)
        super().__init__(prog, **kwargs)  # type: ignore[arg-type]

    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        """The usage line, prefixed in the parser's language."""
        super().add_usage(usage, actions, groups, translate("usage: ", self.lang) if prefix is None else prefix)


def _columns() -> int:
    """The terminal's width as shutil.get_terminal_size() reads it: COLUMNS, then the terminal, then 80."""
    try:
        columns = int(os.environ["COLUMNS"])
        if columns > 0:
            return columns
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line in the user's language, not usage + message."""

    lang = Lang.EN

    def error(self, message_text: str) -> NoReturn:
        """Raise the reason, translated, instead of printing usage and exiting."""
        raise UsageError(translate(message_text, self.lang))


def _version() -> str:
    """The package's version: bot.__version__, which pyproject.toml reads too (one source).

    Not importlib.metadata: importing it cost every run 25 ms, and its answer is the same.
    """
    from bot import __version__

    return __version__


def build(lang: Lang) -> Parser:
    """The whole parser: `bounce` and `domain`, every option with its default and environment variable."""
    formatter = type("Formatter", (_Formatter,), {"lang": lang})
    parser_class = type("LangParser", (Parser,), {"lang": lang})

    def make(**kwargs: object) -> Parser:
        p = parser_class(add_help=False, formatter_class=formatter, **kwargs)  # type: ignore[arg-type]
        p._positionals.title = translate("positional arguments", lang)
        p._optionals.title = translate("options", lang)
        p.add_argument("-h", "--help", action="help", help=message("help-help", lang))
        return p

    parser = make(prog="mxcheck", description=message("help-main", lang), epilog=message("help-epilog", lang))
    parser.add_argument(
        "--version", action="version", version=f"mxcheck {_version()}", help=message("help-version", lang)
    )
    commands = parser.add_subparsers(
        dest="command", title=message("help-commands", lang), metavar="{bounce,domain}", parser_class=parser_class
    )
    common = {"formatter_class": formatter, "add_help": False, "epilog": message("help-epilog", lang)}
    bounce = commands.add_parser("bounce", help=message("help-bounce", lang), description=message("help-bounce", lang), **common)
    domain = commands.add_parser("domain", help=message("help-domain", lang), description=message("help-domain", lang), **common)
    for sub in (bounce, domain):
        sub._positionals.title = translate("positional arguments", lang)
        sub._optionals.title = translate("options", lang)
        sub.add_argument("-h", "--help", action="help", help=message("help-help", lang))
        sub.add_argument("--json", action="store_true", help=message("help-json", lang))
        sub.add_argument("--lang", choices=("ja", "en"), help=message("help-lang", lang, current=str(lang)))
        sub.add_argument(
            "--nameserver", action="append", default=[], metavar="IP[:PORT]", help=message("help-nameserver", lang)
        )
        sub.add_argument("--timeout", metavar="S", help=message("help-timeout", lang, default=f"{DEFAULT_TIMEOUT:g}"))
    bounce.add_argument("--no-dns", action="store_true", help=message("help-no-dns", lang))
    bounce.add_argument("paths", nargs="*", metavar="PATH|-", help=message("help-paths", lang))
    domain.add_argument("names", nargs="*", metavar="NAME", help=message("help-names", lang))
    return parser


def usage_text(lang: Lang) -> str:
    """The full help of the top-level command (what bare `mxcheck` prints)."""
    return build(lang).format_help()


def parse(argv: Sequence[str], lang: Lang) -> argparse.Namespace:
    """The arguments; for `domain`, a name that starts with '-' (`-foo.jp`) is a name to refuse, not an option."""
    from collections import Counter

    args, extra = build(lang).parse_known_args(argv)
    if args.command is None:
        raise UsageError(translate("the following arguments are required: {bounce,domain}", lang))
    if extra and (args.command != "domain" or any(e.startswith("--") or e == "-" for e in extra)):
        raise UsageError(message("unknown-arguments", lang, args=" ".join(extra)))
    if args.command == "domain":
        wanted = Counter([*args.names, *extra])
        names = []
        for arg in argv:  # in the order given
            if wanted[arg] > 0:
                wanted[arg] -= 1
                names.append(arg)
        if not names:
            raise UsageError(message("missing-names", lang))
        args.names = names
    return args
