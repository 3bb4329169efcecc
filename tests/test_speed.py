"""What makes mxcheck fast, as behaviour: lazy imports, the knowledge cache, the pool, batch DNS, streaming.

No timing here (figures come from benchmarks/): each test checks what is imported, built,
asked or read.
"""

from __future__ import annotations

import dataclasses
import io
import json
import mailbox
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest
from dnsserver import DnsServer

from bot.cli.inputs import sources
from bot.cli.offline import POOL_OVER, printed
from bot.cli.output import Options, Output
from bot.reading import kcache
from bot.vocab import Lang

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "samples"
HEAVY = ("dns", "aiohttp", "asyncio", "concurrent", "multiprocessing", "slack_bolt")


def _probe(code: str, args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`python -c code args...` from the project root, with its own cache and no MXCHECK_ settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MXCHECK_")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
    )


def _modules_after(args: list[str], tmp_path: Path, *, whole: bool = False) -> set[str]:
    """The top-level modules (every module's full name when whole) loaded once `mxcheck ARGS` ran afresh."""
    name = "m" if whole else "m.split('.')[0]"
    code = (
        "import sys\nfrom bot.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        f"sys.stderr.write('MODULES ' + ' '.join(sorted({{{name} for m in sys.modules}})) + '\\n')\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MXCHECK_")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
    )
    line = next(x for x in proc.stderr.splitlines() if x.startswith("MODULES "))
    return set(line.split()[1:])


@pytest.mark.parametrize(
    "args", [["--help"], ["bounce", "--no-dns", str(SAMPLES / "gmail_en_address_not_found.txt")]]
)
def test_help_and_offline_bounce_import_no_dns_stack(args: list[str], tmp_path: Path) -> None:
    """`mxcheck --help` and `bounce --no-dns` load neither dnspython, aiohttp, asyncio nor a pool."""
    loaded = _modules_after(args, tmp_path)
    assert "bot" in loaded
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_bounce_with_dns_imports_the_dns_stack(tmp_path: Path) -> None:
    """The check above can fail: a run that asks the DNS does load dnspython and asyncio."""
    args = [
        "bounce",
        "--nameserver",
        "127.0.0.1:9",
        "--timeout",
        "0.3",
        str(SAMPLES / "gmail_en_address_not_found.txt"),
    ]
    assert {"dns", "asyncio"} <= _modules_after(args, tmp_path)


def test_help_loads_words_only(tmp_path: Path) -> None:
    """`mxcheck --help` and `--version` load no value types, rulebook, email package or importlib.metadata."""
    _modules_after(["--help"], tmp_path)  # the first run builds the knowledge cache (tempfile, shutil)
    for args in (["--help"], ["--version"]):
        loaded = _modules_after(args, tmp_path, whole=True)
        assert "bot.render.messages" in loaded
        unwanted = {
            "bot.models",
            "bot.reading.rulebook",
            "dataclasses",
            "email",
            "importlib.metadata",
            "shutil",
        }
        assert not loaded & unwanted, sorted(loaded & unwanted)


def test_pasted_text_loads_no_email_package_nor_dns_tables(tmp_path: Path) -> None:
    """A pasted one-liner without DNS loads neither the email package nor bot.dnscheck's tables and types."""
    paste = tmp_path / "paste.txt"
    paste.write_text("550 5.1.1 <kenji@example.jp>: Recipient address rejected: User unknown\n")
    _modules_after(["bounce", "--no-dns", str(paste)], tmp_path)  # builds the knowledge cache
    loaded = _modules_after(["bounce", "--no-dns", str(paste)], tmp_path, whole=True)
    assert "bot.reading.parsers.postfix" in loaded
    assert not {m for m in loaded if m == "email" or m.startswith("email.")}
    unwanted = {
        "bot.dnscheck.rules",
        "bot.dnscheck.leads",
        "bot.dnscheck.evidence",
        "bot.dnscheck.dnsbl",
        "bot.dnscheck.result",
        "json",
        "traceback",
        "tomllib",
    }
    assert not loaded & unwanted, sorted(loaded & unwanted)


def test_whole_message_is_read_without_the_email_object_model(tmp_path: Path) -> None:
    """A whole message loads the MIME reader (the check above can fail) but not email's parser or Message."""
    loaded = _modules_after(
        ["bounce", "--no-dns", str(ROOT / "examples" / "bounce-ja.eml")], tmp_path, whole=True
    )
    assert "bot.reading.mimetree" in loaded
    assert not loaded & {"email.message", "email.feedparser", "email.parser", "email.utils"}


# ----------------------------------------------------------------------------- knowledge cache
def _table_root(tmp_path: Path) -> Path:
    root = tmp_path / "kn"
    root.mkdir()
    (root / "a.toml").write_text("x = 1\n")
    return root


def test_cache_is_built_once_and_again_when_a_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The compiled form is reused while knowledge/ is unchanged and rebuilt when a file changes."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("MXCHECK_CACHE", raising=False)
    root = _table_root(tmp_path)
    builds: list[str] = []

    def build() -> dict[str, object]:
        text = (root / "a.toml").read_text()
        builds.append(text)
        return {"text": text}

    kcache._fingerprint.cache_clear()
    assert kcache.cached(root, "t", build) == {"text": "x = 1\n"}
    assert kcache.cached(root, "t", build) == {"text": "x = 1\n"}
    assert len(builds) == 1
    (root / "a.toml").write_text("x = 2\n")
    kcache._fingerprint.cache_clear()  # a new process: the fingerprint is taken again
    assert kcache.cached(root, "t", build) == {"text": "x = 2\n"}
    assert len(builds) == 2
    assert (
        len(list((tmp_path / "cache" / "mxcheck").glob("t-*.pickle"))) == 2
    )  # the old key's file stays a week


@pytest.mark.parametrize(
    "garbage", [b"", b"not a pickle", pickle.dumps({"key": "other", "value": {}}), pickle.dumps([1])]
)
def test_corrupt_cache_is_ignored_and_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, garbage: bytes
) -> None:
    """A truncated, foreign or wrong-key cache file is not trusted: the knowledge is built and stored again."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("MXCHECK_CACHE", raising=False)
    root = _table_root(tmp_path)
    kcache._fingerprint.cache_clear()
    kcache.cached(root, "t", lambda: {"v": 1})
    [path] = (tmp_path / "cache" / "mxcheck").glob("t-*.pickle")
    path.write_bytes(garbage)
    assert kcache.cached(root, "t", lambda: {"v": 2}) == {"v": 2}
    assert kcache.cached(root, "t", lambda: {"v": 3}) == {"v": 2}  # the rebuilt file is read back


def test_a_build_that_fails_stores_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Broken knowledge raises on every run; no cache file hides it."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = _table_root(tmp_path)
    kcache._fingerprint.cache_clear()

    def broken() -> dict[str, object]:
        raise ValueError("knowledge/ is broken")

    with pytest.raises(ValueError):
        kcache.cached(root, "t", broken)
    assert not list((tmp_path / "cache").rglob("*.pickle"))


def test_cached_knowledge_gives_the_same_answers(tmp_path: Path) -> None:
    """A run from a cold cache, a warm one and a corrupted one print the same JSON."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MXCHECK_")}
    env.update(XDG_CACHE_HOME=str(tmp_path / "cache"), MXCHECK_LANG="en")
    command = [sys.executable, "-m", "bot.cli", "bounce", "--json", "--no-dns", str(SAMPLES)]

    def run() -> str:
        return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, timeout=120).stdout

    cold = run()
    files = list((tmp_path / "cache" / "mxcheck").glob("*.pickle"))
    parts = {f.name.split("-")[0] for f in files}
    assert {p for p in parts if not p.startswith("table_")} == {"knowledge", "regex", "classcode", "retree"}
    assert {"table_messages", "table_reading"} <= parts  # a table per file: a run loads those it reads
    warm = run()
    for f in files:
        f.write_bytes(f.read_bytes()[:100])
    assert cold == warm == run() and cold.count("\n") > 50


# ----------------------------------------------------------------------------- process pool
def _printed(paths: list[str], *, workers: int, json_lines: bool = True) -> tuple[str, str, int]:
    """What `bounce --no-dns` prints for the paths (stdout, stderr, failures) with that many processes."""
    out, err = io.StringIO(), io.StringIO()
    output = Output(Options(lang=Lang.EN, json=json_lines, dns=False), total=0, out=out, err=err)
    printed(sources(paths, stdin=io.BytesIO()), output, workers=workers)
    output.done()
    return out.getvalue(), err.getvalue(), output.failed


def _batch(tmp_path: Path) -> list[str]:
    files = sorted(p for p in SAMPLES.rglob("*") if p.is_file())
    assert len(files) > POOL_OVER * 2
    (tmp_path / "empty.txt").write_bytes(b"")
    return [str(f) for f in files] + [str(tmp_path / "empty.txt"), str(tmp_path / "missing.txt")]


@pytest.mark.parametrize("json_lines", [True, False])
def test_pool_prints_the_serial_answers_in_input_order(tmp_path: Path, json_lines: bool) -> None:
    """Decoded by this process and forked workers, a batch prints what the serial run prints, in input order."""
    paths = _batch(tmp_path)
    serial = _printed(paths, workers=1, json_lines=json_lines)
    for workers in (2, 3):
        assert _printed(paths, workers=workers, json_lines=json_lines) == serial
    assert serial[2] == 2 and "missing.txt" in serial[1]
    if json_lines:
        assert [json.loads(line)["source"] for line in serial[0].splitlines()] == paths


def test_pool_forks_workers_that_decode_part_of_the_batch(tmp_path: Path) -> None:
    """The check above can fail: with two processes, a worker (another pid) rendered some of the answers."""
    import bot.cli.offline as offline

    parent, seen = os.getpid(), []
    real = offline.rendered

    def tagged(item: object, options: Options) -> object:
        r = real(item, options)  # type: ignore[arg-type]
        return dataclasses.replace(r, err=(*r.err, f"pid {os.getpid()}"))

    offline.rendered = tagged  # type: ignore[assignment]
    try:
        _out, err, _failed = _printed(_batch(tmp_path), workers=2)
    finally:
        offline.rendered = real
    seen = {line for line in err.splitlines() if line.startswith("pid ")}
    assert f"pid {parent}" in seen and len(seen) == 2, seen


def test_workers_are_forked_loaded_and_before_any_message_is_decoded(tmp_path: Path) -> None:
    """A big batch forks its worker once the decoding stack and knowledge are loaded, before any message is decoded."""
    code = (
        "import io, os, sys\n"
        "import bot.cli.offline as offline\n"
        "from bot.cli.inputs import sources\n"
        "from bot.cli.output import Options, Output\n"
        "from bot.reading import knowledge\n"
        "from bot.vocab import Lang\n"
        "decoded, seen = [], []\n"
        "real = offline.rendered\n"
        "offline.rendered = lambda item, options: decoded.append(1) or real(item, options)\n"
        "os.register_at_fork(before=lambda: seen.append(\n"
        "    ('bot.diagnose' in sys.modules, knowledge.knowledge.cache_info().currsize, len(decoded))))\n"
        "out = Output(Options(lang=Lang.EN, json=True, dns=False), total=0)\n"
        "offline.printed(sources(sys.argv[1:], stdin=io.BytesIO()), out, workers=2)\n"
        "sys.stderr.write(f'FORKS {seen}\\n')\n"
    )
    paths = _batch(tmp_path)[: POOL_OVER + 8]
    proc = _probe(code, paths, tmp_path)
    line = next(x for x in proc.stderr.splitlines() if x.startswith("FORKS "))
    assert line == "FORKS [(True, 1, 0)]", line
    assert [json.loads(x)["source"] for x in proc.stdout.splitlines()] == paths


def test_a_worker_that_dies_leaves_its_chunks_to_the_parent(tmp_path: Path) -> None:
    """A worker that dies on its first message loses nothing: the parent decodes what it did not answer."""
    import bot.cli.offline as offline

    paths = _batch(tmp_path)
    serial = _printed(paths, workers=1)
    real = offline._render

    def dying(item: tuple[str, object], options: Options) -> object:
        if os.getpid() != parent:
            os._exit(3)
        return real(item, options)  # type: ignore[arg-type]

    parent = os.getpid()
    offline._render = dying  # type: ignore[assignment]
    try:
        assert _printed(paths, workers=2) == serial
    finally:
        offline._render = real


def test_a_workers_pipe_holds_its_queued_chunks() -> None:
    """The pipe to a worker is widened (Linux) so a chunk sent while the worker is busy does not block this process."""
    import fcntl

    import bot.cli.offline as offline

    worker = offline._Worker(Options(lang=Lang.EN, json=True, dns=False), inherited=[])
    try:
        size = fcntl.fcntl(worker.fd, getattr(fcntl, "F_GETPIPE_SZ", 1032))
        cap = int(Path("/proc/sys/fs/pipe-max-size").read_text())
        assert size >= min(offline.PIPE_BYTES, cap) > 64 * 1024
    finally:
        worker.start_reading()
        worker.stop()


def test_no_fork_to_be_had_decodes_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When fork fails (EAGAIN under a process or memory limit), the batch is decoded here, whole."""
    paths = _batch(tmp_path)
    serial = _printed(paths, workers=1)
    before = set(os.listdir("/proc/self/fd"))

    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    assert _printed(paths, workers=2) == serial
    assert set(os.listdir("/proc/self/fd")) <= before | {str(n) for n in range(3)}  # no pipe left open


# ----------------------------------------------------------------------------- batch DNS
def test_batch_asks_each_domain_once_without_windows(dns_server: DnsServer, tmp_path: Path) -> None:
    """Sixty bounces to thirty domains: each domain's MX is asked once, and all in the first wave.

    The server answers half a second late, far longer than decoding sixty lines takes, so a batch
    that asked in windows of messages would need a wave of questions per window.
    """
    domains = [f"nx{i}.healthy.test" for i in range(30)]
    for i in range(60):
        (tmp_path / f"{i:02d}.txt").write_text(
            f"550 5.1.1 <user{i}@{domains[i % 30]}>: Recipient address rejected: User unknown\n"
        )
    host, port = dns_server.address
    dns_server.fault("delay", seconds=0.5)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MXCHECK_")}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "bounce",
            "--json",
            "--nameserver",
            f"{host}:{port}",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    rows = [json.loads(x) for x in proc.stdout.splitlines()]
    assert [Path(r["source"]).name for r in rows] == sorted(p.name for p in tmp_path.iterdir())
    assert all(r["domains"] and r["domains"][0]["exists"] is False for r in rows), [
        r.get("domains") for r in rows
    ][:2]
    assert all(dns_server.count(d, "MX") == 1 for d in domains)
    first_wave = [a for a in dns_server.arrivals() if a.answered_before == 0]
    assert {a.name for a in first_wave} >= set(domains)


# ----------------------------------------------------------------------------- streaming
def test_mbox_is_read_as_the_batch_goes(tmp_path: Path) -> None:
    """An mbox is split while it is read: a message appended after the first was handed out is seen."""
    path = tmp_path / "box.mbox"
    box = mailbox.mbox(path)
    for i in range(200):
        box.add(f"From: a@example.jp\nSubject: {i}\n\n550 5.1.1 <u{i}@example.jp>: User unknown\n".encode())
    box.flush()
    box.close()
    found = sources([str(path)], stdin=io.BytesIO())
    first = next(found)
    with path.open("ab") as fh:
        fh.write(b"\nFrom late Mon Jan  1 00:00:00 2024\nSubject: late\n\n550 5.1.1 <late@example.jp>\n")
    rest = list(found)
    assert first.name.endswith("#1") and len(rest) == 200
    assert rest[-1].read().endswith(b"<late@example.jp>\n")


def test_mbox_split_matches_the_mailbox_module(tmp_path: Path) -> None:
    """Messages come out byte for byte as mailbox.mbox gives them (From-quoting, blank lines, a loose From)."""
    path = tmp_path / "box.mbox"
    box = mailbox.mbox(path)
    for body in (
        b"Subject: a\n\nFrom the start\n>From quoted\n",
        b"Subject: b\n\n\n\nend\n",
        b"Subject: c\n\nx",
    ):
        box.add(body)
    box.flush()
    box.close()
    with path.open("ab") as fh:
        fh.write(b"From glued Mon Jan  1 00:00:00 2024\nSubject: d\n\n\n")
    expected = [mailbox.mbox(path).get_bytes(k) for k in mailbox.mbox(path).iterkeys()]
    assert [s.read() for s in sources([str(path)], stdin=io.BytesIO())] == expected


def test_knowledge_records_pickle_by_their_fields() -> None:
    """Cause records, rules and phrase sets come back from a pickle equal, derived parts rebuilt."""
    from bot.reading.knowledge import knowledge

    kn = knowledge()
    cause = next(iter(kn.causes.values()))
    assert pickle.loads(pickle.dumps(cause)) == cause
    record = kn.rules.phrases[0]
    again = pickle.loads(pickle.dumps(record))
    assert again == record and again.phrases.phrases == record.phrases.phrases
    regexes = [p for r in kn.rules.phrases for p in r.phrases.phrases if p.regex is not None]
    assert regexes, "knowledge/ has {re = ...} phrases"
    assert pickle.loads(pickle.dumps(regexes[0])).regex.pattern == regexes[0].regex.pattern


def test_a_cache_file_in_use_is_not_forgotten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading a part marks it used, so the week-old sweep of another checkout's run keeps it."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    kcache.store_part("t", "k1", {"v": 1})
    [path] = (tmp_path / "mxcheck").glob("t-k1.pickle")
    old = path.stat().st_mtime - 10 * 86400
    os.utime(path, (old, old))
    assert kcache.load_part("t", "k1") == {"v": 1}
    kcache.store_part("t", "k2", {"v": 2})  # sweeps this part's files unused for a week
    assert path.exists() and path.stat().st_mtime > old + 86400


def test_a_retired_parts_files_are_forgotten_after_a_week(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The one-file tables of older versions go with the week-old sweep; a recent one stays (an older
    checkout may still use it), and so do other parts' files."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = tmp_path / "mxcheck"
    folder.mkdir()
    time_now = time.time()
    old = time_now - 10 * 86400
    for name in ("tables-aaa.pickle", "tables-bbb.pickle", "knowledge-aaa.pickle"):
        (folder / name).write_bytes(b"x")
        os.utime(folder / name, (old, old))
    os.utime(folder / "tables-bbb.pickle", (time_now, time_now))
    kcache.store_part("table_messages", "k1", {"v": 1})
    assert sorted(p.name for p in folder.glob("*.pickle")) == [
        "knowledge-aaa.pickle", "table_messages-k1.pickle", "tables-bbb.pickle"
    ]


def test_a_run_defers_inspect_until_something_asks_it(tmp_path: Path) -> None:
    """`mxcheck bounce` never imports inspect, typing or email; a dataclass without a docstring still
    gets its signature from inspect."""
    probe = (
        "import sys\n"
        "from bot.cli import main\n"
        "status = main(['bounce', '--json', '--no-dns', sys.argv[1]])\n"
        "print(type(sys.modules['inspect']).__name__, 'ast' in sys.modules, status)\n"
        "print(sorted(m for m in ('typing', 'email', 'email.header') if m in sys.modules))\n"
        "import dataclasses\n"
        "@dataclasses.dataclass\n"
        "class NoDoc:\n"
        "    n: int\n"
        "print(NoDoc.__doc__, type(sys.modules['inspect']).__name__)\n"
    )
    sample = tmp_path / "one.txt"
    sample.write_text("550 5.1.1 <kenji@example.jp>: Recipient address rejected: User unknown\n")
    for _ in range(2):  # the first run fills the knowledge cache (its TOML reader imports typing)
        run = subprocess.run(
            [sys.executable, "-c", probe, str(sample)], capture_output=True, text=True, cwd=ROOT, timeout=120,
            env={"PATH": "/usr/bin:/bin", "XDG_CACHE_HOME": str(tmp_path / "cache"), "MXCHECK_LANG": "en"},
        )
    lines = run.stdout.splitlines()
    assert lines[-3] == "_Deferred False 0", run.stderr
    assert lines[-2] == "[]"
    assert lines[-1] == "NoDoc(n: int) module"


def test_the_deferred_module_loads_once_for_threads_and_then_answers_directly() -> None:
    """Threads asking the stand-in at once all get the real functions; afterwards it holds them itself."""
    probe = (
        "import sys, threading\n"
        "from bot.cli.deferred import defer\n"
        "defer()\n"
        "import inspect as standin\n"
        "sys.setswitchinterval(1e-6)\n"
        "got = []\n"
        "threads = [threading.Thread(target=lambda: got.append(standin.signature)) for _ in range(16)]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\n"
        "import inspect\n"
        "print(len(got), all(g is inspect.signature for g in got), 'signature' in vars(standin),\n"
        "      standin is not inspect)\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert run.stdout.split() == ["16", "True", "True", "True"], run.stderr


def test_every_dataclass_has_a_docstring() -> None:
    """A dataclass without one makes dataclasses import inspect to write its signature there."""
    import ast

    missing = []
    for path in sorted((ROOT / "bot").rglob("*.py")) + sorted((ROOT / "handlers").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and not ast.get_docstring(node):
                if any("dataclass" in ast.unparse(d) for d in node.decorator_list):
                    missing.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert missing == []


def test_the_collector_waits_out_start_up_and_runs_while_the_batch_decodes(tmp_path: Path) -> None:
    """`mxcheck bounce` starts with the collector paused; it runs again in the parent once its worker is
    forked and in the worker after its first chunk, in a second run in the same process too, and
    after the run; one that was off stays off."""
    probe = (
        "import gc, json, os, sys\n"
        "import bot.cli.offline as offline\n"
        "from bot.cli import main\n"
        "offline._cores = lambda: 2  # a parent and one worker, whatever this machine has\n"
        "real = offline._render\n"
        "def seen(item, options):\n"
        "    r = real(item, options)\n"
        "    sys.stderr.write(f'GC {os.getpid()} {gc.isenabled()}\\n')\n"
        "    return r\n"
        "offline._render = seen\n"
        "sys.stderr.write(f'PARENT {os.getpid()}\\n')\n"
        "for run in ('FIRST', 'SECOND'):\n"
        "    sys.stderr.write(run + '\\n')\n"
        "    main(['bounce', '--json', '--no-dns', *sys.argv[1:]])\n"
        "sys.stderr.write(f'AFTER {gc.isenabled()}\\n')\n"
        "gc.disable()\n"
        "main(['bounce', '--json', '--no-dns', sys.argv[1]])\n"
        "sys.stderr.write(f'STAYS {gc.isenabled()}\\n')\n"
    )
    proc = _probe(probe, _batch(tmp_path), tmp_path)
    for run in ("FIRST", "SECOND"):
        lines = proc.stderr.split(run + "\n", 1)[1].split("SECOND\n")[0].split("AFTER")[0].splitlines()
        states: dict[str, list[bool]] = {}
        for line in lines:
            if line.startswith("GC "):
                _, pid, on = line.split()
                states.setdefault(pid, []).append(on == "True")
        shown = {p: "".join("01"[x] for x in v) for p, v in states.items()}
        parent = proc.stderr.split("PARENT ", 1)[1].split()[0]
        assert len(states) == 2 and parent in states, shown  # the parent and its worker both decoded
        [worker] = set(states) - {parent}
        # The parent runs its collector from the fork on (the knowledge is loaded and frozen by then);
        # the worker after its first chunk.
        assert all(states[parent]), shown
        assert not states[worker][0] and all(states[worker][8:]) and len(states[worker]) > 8, shown
    assert "AFTER True" in proc.stderr and "STAYS False" in proc.stderr, proc.stderr


def test_a_parent_that_only_hands_out_chunks_runs_its_collector(tmp_path: Path) -> None:
    """With many workers the parent may decode nothing itself: its collector runs once they are forked."""
    probe = (
        "import gc, sys\n"
        "import bot.cli.offline as offline\n"
        "from bot.cli import collector\n"
        "from bot.cli.inputs import sources\n"
        "from bot.cli.output import Options, Output\n"
        "from bot.vocab import Lang\n"
        "import io\n"
        "real = offline._Worker.start_reading\n"
        "def started(self):\n"
        "    sys.stderr.write(f'AT FORK {gc.isenabled()}\\n')\n"
        "    real(self)\n"
        "offline._Worker.start_reading = started\n"
        "collector.pause()\n"
        "out = Output(Options(lang=Lang.EN, json=True, dns=False), total=0)\n"
        "offline.printed(sources(sys.argv[1:], stdin=io.BytesIO()), out, workers=3)\n"
    )
    proc = _probe(probe, _batch(tmp_path)[: POOL_OVER + 8], tmp_path)
    assert proc.stderr.count("AT FORK True") == 2, proc.stderr  # each worker's reader starts after the resume


@pytest.mark.parametrize("command", ["bounce", "domain"])
def test_the_collector_runs_again_before_dns_work(command: str) -> None:
    """The DNS commands resume the collector before their event loop starts (asyncio makes cycles)."""
    import asyncio
    import gc

    from bot.cli import batch, collector

    was = gc.isenabled()
    gc.enable()
    collector.pause()
    calls: list[bool] = []
    real = asyncio.run

    def run(coro: object) -> int:
        calls.append(gc.isenabled())
        coro.close()  # type: ignore[attr-defined]
        return 0

    asyncio.run = run  # type: ignore[assignment]
    try:
        options = Options(lang=Lang.EN, json=True, dns=True)
        if command == "bounce":
            batch.bounce_command(["-"], options, stdin=io.BytesIO(b"x"))
        else:
            batch.domain_command(["example.org"], options)
        assert calls == [True]
    finally:
        asyncio.run = real
        collector.resume()
        if not was:
            gc.disable()


def test_a_warm_run_loads_only_the_tables_it_reads(tmp_path: Path) -> None:
    """With a current cache, a bounce without DNS loads a few of knowledge/'s tables, each from its own file."""
    probe = (
        "import sys\n"
        "from bot.cli import main\n"
        "from bot.reading import datafiles\n"
        "main(['bounce', '--json', '--no-dns', sys.argv[1]])\n"
        "print(datafiles.load_table.cache_info().currsize)\n"
    )
    sample = tmp_path / "one.txt"
    sample.write_text("550 5.1.1 <kenji@example.jp>: Recipient address rejected: User unknown\n")
    env = {"PATH": "/usr/bin:/bin", "XDG_CACHE_HOME": str(tmp_path / "cache"), "MXCHECK_LANG": "en"}
    counts = [
        subprocess.run([sys.executable, "-c", probe, str(sample)], capture_output=True, text=True, cwd=ROOT,
                       timeout=120, env=env).stdout.split()[-1]
        for _ in range(2)
    ]
    everything = len(list((ROOT / "knowledge").glob("*.toml")))
    assert everything > 10 and 2 <= int(counts[1]) <= 4  # the words, the reading rules, perhaps codes
    tables = sorted(p.name.split("-")[0] for p in (tmp_path / "cache" / "mxcheck").glob("table_*.pickle"))
    assert {"table_messages", "table_reading"} <= set(tables) and len(tables) == len(set(tables)) == int(counts[0])
