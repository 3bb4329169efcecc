"""A real validating resolver for DNSSEC and DANE tests: knotd serves zones signed at test time,
unbound validates them with the test's own trust anchors. Both are Debian's binaries.

    with ValidatingResolver() as dns:   # starts knotd and unbound on free loopback ports
        Resolver([dns.address])          # unbound: answers with AD for signed.test, SERVFAIL for bogus.test

Zones (tests/dns/signed/): signed.test (signed, TLSA on its MX host), bogus.test (signed, then its
apex address changed so the signature no longer matches), insecure.test (unsigned, with TLSA), and the root
name for the control query. The signing keys are made afresh each run (ECDSA P-256, dnspython).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import dns.dnssec
import dns.message
import dns.name
import dns.query
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.DNSKEY
import dns.rdtypes.IN.A
import dns.zone
from cryptography.hazmat.primitives.asymmetric import ec

SIGNED_DIR = Path(__file__).parent / "signed"
SIGNED = ("signed.test", "bogus.test")
UNSIGNED = ("insecure.test", ".")


def _binary(name: str) -> str:
    # Never a silent skip: CI installs knot and unbound (.ci/run); a missing one is a failure.
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin")
    if found is None:
        raise RuntimeError(f"{name} is not installed (apt-get install knot unbound)")
    return found


def free_port() -> int:
    """A loopback port free for both UDP and TCP right now."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = udp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
            return port
    raise OSError("no free port")


def _sign(origin: str, out: Path, *, break_address: bool = False) -> str:
    """Sign one zone file into `out`; returns the trust anchor line (its KSK) for unbound."""
    zone = dns.zone.from_file(str(SIGNED_DIR / f"{origin}.zone"), origin=origin, relativize=False)
    key = ec.generate_private_key(ec.SECP256R1())
    dnskey = dns.dnssec.make_dnskey(key.public_key(), dns.dnssec.Algorithm.ECDSAP256SHA256, flags=257)
    with zone.writer() as txn:
        dns.dnssec.sign_zone(zone, txn=txn, keys=[(key, dnskey)], lifetime=86400 * 7)
    if break_address:  # the signature stays, the data it signed does not: a bogus answer
        name = dns.name.from_text(origin)
        rdataset = zone.find_rdataset(name, dns.rdatatype.A)
        rdataset.clear()
        rdataset.add(dns.rdtypes.IN.A.A(dns.rdataclass.IN, dns.rdatatype.A, "192.0.32.99"))
    zone.to_file(str(out), relativize=False)
    return f'trust-anchor: "{origin}. DNSKEY {dnskey.to_text()}"'


class ValidatingResolver:
    """knotd (authoritative) behind unbound (validating), both on loopback."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="mxcheck-dnssec-")
        self.root = Path(self._dir.name)
        self.knot_port = free_port()
        self.port = free_port()
        self._procs: list[subprocess.Popen[bytes]] = []

    @property
    def address(self) -> tuple[str, int]:
        """(host, port) of the validating resolver."""
        return ("127.0.0.1", self.port)

    def start(self) -> ValidatingResolver:
        """Sign the zones, start knotd then unbound, and wait until both answer."""
        anchors = [_sign(o, self.root / f"{o}.zone", break_address=o == "bogus.test") for o in SIGNED]
        for origin in UNSIGNED:
            name = "root" if origin == "." else origin
            shutil.copy(SIGNED_DIR / f"{name}.zone", self.root / f"{name}.zone")
        self._start_knot()
        self._wait(self.knot_port, "signed.test", dns.rdatatype.SOA)
        self._start_unbound(anchors)
        self._wait(self.port, "signed.test", dns.rdatatype.MX)
        return self

    def _start_knot(self) -> None:
        zones = "".join(
            f'  - domain: "{o}"\n    file: "{self.root / ("root" if o == "." else o)}.zone"\n'
            for o in (*SIGNED, *UNSIGNED)
        )
        conf = self.root / "knot.conf"
        conf.write_text(
            "server:\n"
            f'    rundir: "{self.root}"\n'
            f"    listen: 127.0.0.1@{self.knot_port}\n"
            "log:\n  - target: stderr\n    any: warning\n"
            f'database:\n    storage: "{self.root}/knotdb"\n'
            f'template:\n  - id: default\n    storage: "{self.root}"\n    zonefile-sync: -1\n'
            "    journal-content: none\n"
            "zone:\n" + zones
        )
        self._spawn([_binary("knotd"), "-c", str(conf)])

    def _start_unbound(self, anchors: list[str]) -> None:
        stubs = "".join(
            f'stub-zone:\n  name: "{o}"\n  stub-addr: 127.0.0.1@{self.knot_port}\n'
            for o in (*SIGNED, *UNSIGNED)
        )
        conf = self.root / "unbound.conf"
        conf.write_text(
            "server:\n"
            "  interface: 127.0.0.1\n"
            f"  port: {self.port}\n"
            "  do-ip6: no\n"
            '  username: ""\n  chroot: ""\n'
            f'  directory: "{self.root}"\n  pidfile: "{self.root}/unbound.pid"\n'
            '  use-syslog: no\n  logfile: ""\n  verbosity: 0\n'
            "  do-not-query-localhost: no\n"
            '  module-config: "validator iterator"\n'
            '  local-zone: "test." nodefault\n'
            "  access-control: 127.0.0.0/8 allow\n"
            "  num-threads: 1\n"
            "  qname-minimisation: no\n"
            "  val-permissive-mode: no\n"
            + "".join(f"  {a}\n" for a in anchors)
            + "remote-control:\n  control-enable: no\n"
            + stubs
        )
        checked = subprocess.run([_binary("unbound-checkconf"), str(conf)], capture_output=True, text=True)
        if checked.returncode != 0:
            raise RuntimeError(f"unbound.conf: {checked.stdout}{checked.stderr}")
        self._spawn([_binary("unbound"), "-d", "-c", str(conf)])

    def _spawn(self, argv: list[str]) -> None:
        self._procs.append(
            subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=open(self.root / "stderr.log", "ab"))
        )

    def _wait(self, port: int, name: str, rdtype: dns.rdatatype.RdataType) -> None:
        query = dns.message.make_query(name, rdtype)
        end = time.monotonic() + 15
        while time.monotonic() < end:
            for proc in self._procs:
                if proc.poll() is not None:
                    raise RuntimeError(
                        f"{proc.args[0]} exited: {(self.root / 'stderr.log').read_text()[-2000:]}"
                    )
            try:
                dns.query.udp(query, "127.0.0.1", port=port, timeout=0.5)
                return
            except (dns.exception.Timeout, OSError):
                time.sleep(0.1)
        raise RuntimeError(f"no answer on port {port}: {(self.root / 'stderr.log').read_text()[-2000:]}")

    def stop(self) -> None:
        """End both servers (each by its own process) and remove the files."""
        for proc in reversed(self._procs):
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        self._procs.clear()
        self._dir.cleanup()

    def __enter__(self) -> ValidatingResolver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
