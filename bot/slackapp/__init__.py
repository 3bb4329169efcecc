"""The Slack app's wiring: settings, the Bolt app factory, the HTTP server, Socket Mode, the service
(Web API client, answers, logs), the flows each surface runs, and file downloads.

The listeners themselves live in ``handlers/`` and only translate. May import everything below it
(reading, dnscheck, diagnose, render); nothing in ``bot`` imports it except the ``bot.app`` entry.
"""
