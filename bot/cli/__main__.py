"""`python -m bot.cli`: the same as the `mxcheck` command."""

if __name__ == "__main__":
    from bot.cli import main

    raise SystemExit(main())
