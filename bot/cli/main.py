"""The `mxcheck` command: `mxcheck bounce [PATH|-]...` and `mxcheck domain NAME...` (shared/CONTRACT.md).

Exit status: 0 when every input was analysed, 2 for bad usage or input that could not be analysed
(one line each on stderr), 1 for an internal error (one line; MXCHECK_DEBUG=1 shows the traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence

from bot.cli.args import UsageError, parse, usage_text
from bot.render.messages import error_text, message
from bot.vocab import Lang

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (bot/__init__.py)
if TYPE_CHECKING:
    from typing import TextIO

    from bot.cli.batch import Options

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE = 0, 1, 2


def default_lang(environ: Mapping[str, str] = os.environ) -> Lang:
    """MXCHECK_LANG, else the locale (LC_ALL, LC_MESSAGES, LANG, LC_CTYPE starting with 'ja'), else English.

    The variables, not locale.getlocale(): Python sets its locale from these same variables at
    start-up, and importing locale cost 1.5 ms of every run.
    """
    chosen = environ.get("MXCHECK_LANG", "").strip().lower()
    if chosen in ("ja", "en"):
        return Lang(chosen)
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LC_CTYPE"):
        value = environ.get(var, "")
        if value:
            return Lang.JA if value.lower().startswith("ja") else Lang.EN
    return Lang.EN


def _options(args: argparse.Namespace, lang: Lang, environ: Mapping[str, str]) -> Options:
    from bot.cli.output import Options

    dns = not getattr(args, "no_dns", False)
    servers: tuple[tuple[str, int], ...] | None = None
    try:
        # The DNS stack is imported only when DNS is asked or a server named (to check it).
        if dns or args.nameserver or environ.get("MXCHECK_NAMESERVERS"):
            from bot.dnscheck.resolver import nameservers_from_env, parse_nameserver

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
        dns=dns,
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


def _with_hint(line: str, lang: Lang) -> str:
    """A usage error's line, then where the help is."""
    if lang is Lang.JA:
        return f"{line if line.endswith('。') else line + '。'}{message('help-hint', lang)}"
    return f"{line} {message('help-hint', lang)}"


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
    if not argv:  # `mxcheck` alone: what it can do, as a usage error (exit 2)
        print(usage_text(lang), end="", file=sys.stderr)
        return EXIT_USAGE
    try:
        args = parse(argv, lang)
        # Before the first dataclass of the run: their generated methods come compiled from the last run.
        from bot.reading import classcode

        classcode.install()
        options = _options(args, lang, environ)
        # Imported here: a broken install is an internal error in one line, like any other.
        from bot.cli.batch import bounce_command, domain_command

        if args.command == "domain":
            failed = domain_command(args.names, options)
        else:
            if not args.paths and sys.stdin.isatty():  # someone typed `mxcheck bounce` and waits
                print(message("paste-hint", lang), file=sys.stderr)
            failed = bounce_command(args.paths, options, stdin=sys.stdin.buffer)
    except UsageError as exc:
        print(_with_hint(message("usage-error", lang, why=str(exc)), lang), file=sys.stderr)
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
            import traceback  # 5 ms of imports, only for the one who asked

            traceback.print_exc()
        print(error_text("internal-error", lang, what=type(exc).__name__), file=sys.stderr)
        return EXIT_INTERNAL
    return EXIT_USAGE if failed else EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
