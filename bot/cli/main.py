"""The `mxcheck` command: `mxcheck bounce [PATH|-]...` and `mxcheck domain NAME...` (shared/CONTRACT.md).

Exit status: 0 when every input was analysed, 2 for bad usage or input that could not be analysed
(one line each on stderr), 1 for an internal error (one line; MXCHECK_DEBUG=1 shows the traceback).
"""

from __future__ import annotations

import argparse
import asyncio
import locale
import os
import sys
import traceback
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, NoReturn, TextIO

from bot.render.messages import error_text, message
from bot.vocab import Lang

if TYPE_CHECKING:
    from bot.cli.batch import Options

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad command-line usage: the text is the one-line reason shown."""


def default_lang(environ: Mapping[str, str] = os.environ) -> Lang:
    """MXCHECK_LANG, else the locale (LC_ALL, LC_MESSAGES, LANG starting with 'ja'), else English."""
    chosen = environ.get("MXCHECK_LANG", "").strip().lower()
    if chosen in ("ja", "en"):
        return Lang(chosen)
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(var, "")
        if value:
            return Lang.JA if value.lower().startswith("ja") else Lang.EN
    found = locale.getlocale()[0] or ""
    return Lang.JA if found.lower().startswith("ja") else Lang.EN


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line in the user's language, not usage + message."""

    def error(self, message_text: str) -> NoReturn:
        raise UsageError(message_text)


def _parser(lang: Lang) -> argparse.ArgumentParser:
    parser = _Parser(prog="mxcheck", description=message("help-bounce", lang))
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    bounce = commands.add_parser("bounce", help=message("help-bounce", lang))
    domain = commands.add_parser("domain", help=message("help-domain", lang))
    for sub in (bounce, domain):
        sub.add_argument("--json", action="store_true", help="one JSON object per line")
        sub.add_argument("--lang", choices=("ja", "en"))
        sub.add_argument("--nameserver", action="append", default=[], metavar="IP[:PORT]")
        sub.add_argument("--timeout", metavar="S")
    bounce.add_argument("--no-dns", action="store_true", help="make no DNS query")
    bounce.add_argument("paths", nargs="*", metavar="PATH|-")
    domain.add_argument("names", nargs="*", metavar="NAME")
    return parser


def _parse(argv: Sequence[str], lang: Lang) -> argparse.Namespace:
    """The arguments; for `domain`, a name that starts with '-' (`-foo.jp`) is a name to refuse, not an option."""
    args, extra = _parser(lang).parse_known_args(argv)
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


def _options(args: argparse.Namespace, lang: Lang, environ: Mapping[str, str]) -> Options:
    from bot.cli.batch import Options
    from bot.dnscheck.resolver import nameservers_from_env, parse_nameserver

    servers: tuple[tuple[str, int], ...] | None = None
    try:
        servers = tuple(parse_nameserver(v) for v in args.nameserver) or nameservers_from_env(environ)
    except ValueError:
        bad = next((v for v in args.nameserver if not _parses(v)), environ.get("MXCHECK_NAMESERVERS", ""))
        raise UsageError(message("bad-nameserver", lang, value=bad)) from None
    timeout = None
    if args.timeout is not None:
        try:
            timeout = float(args.timeout)
        except ValueError:
            timeout = -1.0
        if not 0 < timeout <= 300:
            raise UsageError(message("bad-timeout", lang, value=args.timeout))
    return Options(
        lang=lang,
        json=args.json,
        dns=not getattr(args, "no_dns", False),
        nameservers=servers,
        timeout=timeout,
        color=_color(sys.stdout, environ),
        progress=sys.stderr.isatty(),
    )


def _parses(value: str) -> bool:
    from bot.dnscheck.resolver import parse_nameserver

    try:
        parse_nameserver(value)
    except ValueError:
        return False
    return True


def _color(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org) or TERM is dumb."""
    return stream.isatty() and not environ.get("NO_COLOR") and environ.get("TERM") != "dumb"


def _lang_from_argv(argv: Sequence[str]) -> Lang | None:
    """--lang read before parsing, so even a usage error speaks the chosen language."""
    for i, arg in enumerate(argv):
        value = argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else arg.removeprefix("--lang=")
        if (arg == "--lang" or arg.startswith("--lang=")) and value in ("ja", "en"):
            return Lang(value)
    return None


def _prepare_streams() -> None:
    # Japanese text on a terminal or pipe that is not UTF-8 must not crash the answer.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower().replace("-", "") != "utf8":
            stream.reconfigure(errors="replace")


def main(argv: Sequence[str] | None = None) -> int:
    """Run mxcheck with these arguments (sys.argv[1:] by default); returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    environ = os.environ
    lang = _lang_from_argv(argv) or default_lang(environ)
    _prepare_streams()
    try:
        args = _parse(argv, lang)
        options = _options(args, lang, environ)
        # Imported here: a broken install is an internal error in one line, like any other.
        from bot.cli.batch import run_bounces, run_domains

        if args.command == "domain":
            failed = asyncio.run(run_domains(args.names, options))
        else:
            if not args.paths and sys.stdin.isatty():  # someone typed `mxcheck bounce` and waits
                print(message("paste-hint", lang), file=sys.stderr)
            failed = asyncio.run(run_bounces(args.paths, options, stdin=sys.stdin.buffer))
    except UsageError as exc:
        print(message("usage-error", lang, why=str(exc)), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(message("interrupted", lang), file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `mxcheck ... | head`: the reader left; say nothing more, and let Python not complain.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # the promise: one line, never a traceback unless asked
        if environ.get("MXCHECK_DEBUG") == "1":
            traceback.print_exc()
        print(error_text("internal-error", lang, what=type(exc).__name__), file=sys.stderr)
        return EXIT_INTERNAL
    return EXIT_USAGE if failed else EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
