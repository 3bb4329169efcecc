"""mxcheck: read a bounce, check the DNS, say why the mail came back and who must act.

Data flows one way, and so do imports (each package may import the ones before it, never after):

    models, vocab, errors, limits   shared value types and bounds (import nothing of ours)
    reading/    text → Message → Bounce → Verdict, with the knowledge/ loader (pure, no I/O)
    dnscheck/   the async resolver, its cache and every domain check (DNS and HTTPS I/O)
    diagnose    the join: verdicts + DNS facts → Diagnosis
    render/     Diagnosis → JSON, terminal text, Slack Block Kit (pure)
    cli/        the `mxcheck` command line
    slackapp/   the Slack app's wiring (settings, server, Socket Mode, service, flows); handlers/
                holds its listeners
    app         the thin `python -m bot.app` / `mxcheck-slack` entry

The modules a command-line run imports never import `typing` (~16 M instructions, 3 ms of each
start): names it offers to type checkers are imported under ``TYPE_CHECKING = False``, a
constant that type checkers read as typing.TYPE_CHECKING (they go by its name).
"""

__version__ = "0.1.0"
