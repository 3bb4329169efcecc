"""The reading core: text → normalized Message → parsed Bounce → classified Verdict per recipient.

Holds the normalizer (charsets, MIME tree, HTML), the per-format parsers (``parsers/``), the
classifier with its rulebook and phrase matcher, the loader of ``knowledge/`` and the finder of
domains in plain text. Pure functions, no I/O beyond reading ``knowledge/``. May import only
``bot.models``, ``bot.vocab``, ``bot.errors``, ``bot.limits`` and the standard library: never DNS,
rendering, Slack or the command line.
"""
