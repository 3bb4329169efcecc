"""Data only: cause records, status tables and phrase lists, loaded by bot.knowledge."""
