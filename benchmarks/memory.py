"""Peak memory of whole `mxcheck bounce --no-dns` processes on 10 MB inputs and on big mboxes.

    python benchmarks/memory.py [--mbox-sizes 2000,20000] [--huge] [--keep DIR] [--root CHECKOUT]

Generates the inputs (nothing from the corpus): (a) a bounce .eml whose returned message carries
a ~10 MB base64 attachment, (b) a 10 MB plain-text paste, mostly ASCII with Japanese lines (also in UTF-16),
(c) a 10 MB paste that is mostly one line, and (a) again with CRLF line ends; each is run as a file, with --json, and on standard
input. Then mboxes of 2,000 and 20,000 bounces (--huge adds 200,000, the input bound) with
--json. Peak memory is each child's own ru_maxrss (os.wait4, benchmarks/proc.py), printed
beside the input size, the ratio and the interpreter's floor (`python -c pass` and mxcheck on a
one-line bounce). Target: a 10 MB paste peaks under 4x its size (PASS/FAIL per case); an mbox's
peak must not grow with the number of messages. Exit status 1 when a target is missed.
`--root CHECKOUT` measures another checkout (run from it as `python -m bot.cli`), for a before/after.

Figures on this 2-core machine (other sessions running alongside), floor 23.1-23.4 MiB:
before this work (c1acc1a): bounce 61.6 MiB (6.20x), CRLF bounce 71.0 (7.15x), paste 67.3
(6.77x), UTF-16 paste 53.1 (5.34x), one-line paste 51.6 (5.19x), alike for file, --json and stdin;
after: 33.4 (3.36x), 34.3 (3.45x), 34.8 (3.50x), 37.2 (3.74x), 33.8 (3.40x); mboxes of 2,000 /
20,000 / 200,000 messages 25.2 / 25.2 / 25.4 MiB (200,000 in 105 s).
"""

from __future__ import annotations

import argparse
import base64
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.proc import Run, byte_compile, mxcheck_command, run

TARGET_RATIO = 4.0  # peak RSS over input size for a 10 MB paste
SIZE = 10 * 1024 * 1024 - 64 * 1024  # just under limits.MAX_INPUT_BYTES, headers included
MBOX_GROWTH_MIB = 8.0  # an mbox's peak may differ this much from the smallest mbox's and still be flat

_REPORT = """\
From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
To: sender@example.org
Subject: Undelivered Mail Returned to Sender
Date: Mon, 2 Mar 2026 10:00:00 +0900
Message-ID: <report-{n}@mx.example.net>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY-{n}"

--BOUNDARY-{n}
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.net.
I'm sorry to have to inform you that your message could not be delivered.

<user{n}@example.jp>: host mx.example.jp[192.0.2.10] said: 550 5.1.1
    <user{n}@example.jp>: Recipient address rejected: User unknown in virtual
    mailbox table (in reply to RCPT TO command)

--BOUNDARY-{n}
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; user{n}@example.jp
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.example.jp
Diagnostic-Code: smtp; 550 5.1.1 <user{n}@example.jp>: Recipient address rejected: User unknown

--BOUNDARY-{n}
Content-Type: message/rfc822

From: sender@example.org
To: user{n}@example.jp
Subject: Invoice {n}
Date: Mon, 2 Mar 2026 09:59:00 +0900
Message-ID: <orig-{n}@example.org>
MIME-Version: 1.0
Content-Type: {inner_type}

{inner_body}
--BOUNDARY-{n}--
"""


def bounce_eml(size: int) -> bytes:
    """(a) A Postfix-style DSN whose returned original carries a big base64 PDF attachment."""
    blob = random.Random(1).randbytes((size - 4096) * 57 // 77)  # 57 bytes a 77-character line
    b64 = base64.encodebytes(blob).decode("ascii")
    inner = (
        "--INNER\nContent-Type: text/plain\n\nSee the attached invoice.\n\n"
        "--INNER\nContent-Type: application/pdf; name=invoice.pdf\n"
        "Content-Transfer-Encoding: base64\nContent-Disposition: attachment; filename=invoice.pdf\n\n"
        f"{b64}--INNER--\n"
    )
    text = _REPORT.format(n=1, inner_type='multipart/mixed; boundary="INNER"', inner_body=inner)
    return text.encode("ascii")


def bounce_eml_crlf(size: int) -> bytes:
    """(a') The same bounce with CRLF line ends, as Windows mail clients save a .eml."""
    return bounce_eml(size * 76 // 77).replace(b"\n", b"\r\n")


def plain_paste(size: int) -> bytes:
    """(b) A pasted bounce followed by megabytes of pasted mail text, a line in eight Japanese."""
    head = (
        "メールが届きませんでした。以下のエラーです。\n"
        "<tanaka@example.jp>: host mx.example.jp[192.0.2.10] said: 550 5.1.1 <tanaka@example.jp>:\n"
        "    Recipient address rejected: User unknown in virtual mailbox table\n\n"
    )
    ascii_line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt.\n"
    ja_line = "お世話になっております。添付の請求書をご確認ください。何卒よろしくお願いいたします。\n"
    out = [head]
    total = len(head.encode())
    i = 0
    while total < size:
        line = ja_line if i % 8 == 7 else ascii_line
        out.append(line)
        total += len(line.encode())
        i += 1
    return "".join(out).encode("utf-8")[:size].rsplit(b"\n", 1)[0] + b"\n"


def utf16_paste(size: int) -> bytes:
    """(b') The paste as Windows PowerShell's `Get-Clipboard > x.txt` writes it: UTF-16 with a BOM."""
    return b"\xff\xfe" + plain_paste(size).decode("utf-8")[: size // 2 - 1].encode("utf-16-le")


def one_line_paste(size: int) -> bytes:
    """(c) A bounce line, then one line of nearly 10 MB (a minified log, base64 without breaks)."""
    head = b"550 5.1.1 <tanaka@example.jp>: Recipient address rejected: User unknown\n"
    body = base64.b64encode(random.Random(2).randbytes((size - len(head)) * 3 // 4))
    return head + body[: size - len(head) - 1] + b"\n"


def mbox(path: Path, messages: int) -> int:
    """An mbox of small DSNs (no attachment) written to path; its size in bytes."""
    with path.open("w", encoding="ascii") as fh:
        for n in range(messages):
            fh.write("From MAILER-DAEMON Mon Mar  2 10:00:00 2026\n")
            fh.write(_REPORT.format(n=n, inner_type="text/plain", inner_body="Hello.\n"))
            fh.write("\n")
    return path.stat().st_size


_PIPE = ["sh", "-c", 'f=$1; shift; cat "$f" | "$@"', "sh"]  # then the file, then the command
INPUTS = {"bounce.eml": bounce_eml, "bounce-crlf.eml": bounce_eml_crlf, "paste.txt": plain_paste, "paste-utf16.txt": utf16_paste, "oneline.txt": one_line_paste}


def _generate(where: Path) -> int:
    """Write the three 10 MB inputs into a folder, or an mbox when where is named mbox-N."""
    if where.name.startswith("mbox-"):
        mbox(where, int(where.name.removeprefix("mbox-")))
        return 0
    for name, make in INPUTS.items():
        (where / name).write_bytes(make(SIZE))
    return 0


def _mib(kib: int) -> str:
    return f"{kib / 1024:6.1f} MiB"


def _row(name: str, size: int, r: Run, *, target: bool) -> tuple[str, bool]:
    ratio = r.peak_kib * 1024 / size
    ok = ratio < TARGET_RATIO
    verdict = f"   target < {TARGET_RATIO:.0f}x: {'PASS' if ok else 'FAIL'}" if target else ""
    text = f"{name:<40} input {size / 2**20:7.1f} MiB   peak {_mib(r.peak_kib)}   {ratio:5.2f}x   wall {r.wall:6.2f} s{verdict}"
    return text, ok or not target


def main(argv: list[str] | None = None) -> int:
    """Generate the inputs, run each in its own process and print the peaks; 1 when a target is missed."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mbox-sizes", default="2000,20000", help="messages per mbox, comma-separated")
    ap.add_argument("--huge", action="store_true", help="also the 200,000-message mbox (minutes)")
    ap.add_argument("--keep", type=Path, help="write the inputs to this folder and keep them")
    ap.add_argument("--root", type=Path, help="another checkout to measure (run from it as python -m bot.cli)")
    ap.add_argument("--generate", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.generate:
        return _generate(args.generate)
    byte_compile()
    mx = mxcheck_command(args.root)
    cwd = args.root
    with tempfile.TemporaryDirectory() as tmp:
        where = args.keep or Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        tiny = where / "tiny.txt"
        tiny.write_text("550 5.1.1 <kenji@example.jp>: Recipient address rejected: User unknown\n")
        run([*mx, "bounce", "--no-dns", str(tiny)], cwd=cwd)  # warms the knowledge cache
        floor = run([sys.executable, "-c", "pass"])
        small = run([*mx, "bounce", "--no-dns", "--json", str(tiny)], cwd=cwd)
        print("peak resident memory of whole processes (ru_maxrss via os.wait4)")
        print(f"{'floor: python -c pass':<40} peak {_mib(floor.peak_kib)}")
        print(f"{'floor: mxcheck bounce --no-dns (tiny)':<40} peak {_mib(small.peak_kib)}")
        ok = True
        # Written by a child: a parent that held them would lend its peak to every child it forks.
        run([sys.executable, __file__, "--generate", str(where)])
        for name in INPUTS:
            path = where / name
            size = path.stat().st_size
            for label, extra, stdin in (("", [], None), (" --json", ["--json"], None), (" < stdin", ["--json"], path)):
                command = [*mx, "bounce", "--no-dns", *extra, "-" if stdin else str(path)]
                if label == " < stdin":  # a pipe too: the shell's wait4 figure is the peak of cat and mxcheck
                    text, passed = _row(f"{name} | stdin", size, run([*_PIPE, str(path), *command], cwd=cwd), target=True)
                    ok &= passed
                    print(text)
                text, passed = _row(f"{name}{label}", size, run(command, stdin=stdin, cwd=cwd), target=True)
                ok &= passed
                print(text)
        sizes = [int(s) for s in args.mbox_sizes.split(",") if s] + ([200_000] if args.huge else [])
        peaks: list[int] = []
        for messages in sizes:
            path = where / f"mbox-{messages}"
            run([sys.executable, __file__, "--generate", str(path), "--mbox-sizes", str(messages)])
            size = path.stat().st_size
            started = time.perf_counter()
            r = run([*mx, "bounce", "--no-dns", "--json", str(path)], cwd=cwd)
            peaks.append(r.peak_kib)
            text, _ = _row(f"mbox {messages:,} messages --json", size, r, target=False)
            print(f"{text}   ({messages / (time.perf_counter() - started):,.0f} msg/s)")
            path.unlink()
        if peaks and (max(peaks) - min(peaks)) / 1024 > MBOX_GROWTH_MIB:
            print(f"mbox peaks grow with the mbox by {(max(peaks) - min(peaks)) / 1024:.1f} MiB: FAIL")
            ok = False
        elif len(peaks) > 1:
            print(f"mbox peaks flat within {MBOX_GROWTH_MIB:.0f} MiB: PASS")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
