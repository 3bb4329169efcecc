"""Size bounds on everything mxcheck reads: a bounce is text, never megabytes of it."""

MAX_INPUT_BYTES = 10 * 1024 * 1024  # a whole .eml with the original attached; refused above this
MAX_PART_CHARS = 200_000  # per decoded part: enough for any report, cuts attached bodies short
MAX_TEXT_CHARS = 1_000_000  # all parts together: a 10 MiB message of many parts is not read whole
MAX_PAYLOAD_BYTES = 4 * MAX_PART_CHARS  # of one MIME payload kept: base64 of UTF-8 text takes up to 4 bytes a character
MAX_PASTE_BYTES = MAX_TEXT_CHARS  # of a paste (no MIME headers) decoded: the text kept never needs more
MAX_LINE_CHARS = 4_000  # longer lines are cut before any regular expression sees them
MAX_RECIPIENTS = 200  # per bounce
MAX_DOMAINS = 10  # DNS checks per message
