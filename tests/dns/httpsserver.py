"""A real HTTPS server on loopback for MTA-STS policy fetches, with a test CA made at start.

    server = PolicyServer({"mta-sts.a.test": (200, "version: STSv1\\n...")}).start()
    server.port, server.cafile        # give both to PolicyFetcher(port=..., cafile=...)
    server.stop()

The CA and the server's certificate (every served host name as a SAN) are generated with the
`cryptography` package into a temporary directory: nothing is committed, nothing is trusted
outside the test. Answers are chosen by the Host header, like a name-based virtual host.
"""

from __future__ import annotations

import asyncio
import datetime
import ssl
import tempfile
import threading
from pathlib import Path

from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_certificates(directory: Path, hosts: list[str]) -> tuple[Path, Path, Path]:
    """(CA certificate, server certificate, server key) files for the hosts, signed by a fresh CA."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("mxcheck test CA"))
        .issuer_name(_name("mxcheck test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name(hosts[0]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in hosts]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = directory / "ca.pem", directory / "server.pem", directory / "server.key"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return ca_file, cert_file, key_file


class PolicyServer:
    """Serves /.well-known/mta-sts.txt over HTTPS per Host, from a daemon thread."""

    def __init__(self, answers: dict[str, tuple[int, str]], *, delay: float = 0.0) -> None:
        self.answers = answers
        self.delay = delay
        self.port = 0
        self.requests: list[str] = []  # Host of each request, in order
        self._dir = tempfile.TemporaryDirectory(prefix="mxcheck-https-")
        self.cafile, cert, key = make_certificates(Path(self._dir.name), list(answers))
        self._ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._ssl.load_cert_chain(cert, key)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    async def _handle(self, request: web.Request) -> web.Response:
        host = request.host.partition(":")[0].lower()
        self.requests.append(host)
        if self.delay:
            await asyncio.sleep(self.delay)
        status, body = self.answers.get(host, (404, "not found"))
        if request.path != "/.well-known/mta-sts.txt":
            status, body = 404, "not found"
        return web.Response(status=status, text=body, content_type="text/plain")

    def start(self) -> PolicyServer:
        """Listen on an ephemeral loopback port; returns self."""
        ready = threading.Event()

        async def serve() -> None:
            app = web.Application()
            app.router.add_get("/{tail:.*}", self._handle)
            self._runner = web.AppRunner(app, access_log=None)
            await self._runner.setup()
            site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self._ssl)
            await site.start()
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            ready.set()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(serve())
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="test-https-server", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the HTTPS test server did not start")
        return self

    def stop(self) -> None:
        """Close the server and remove the certificates."""
        if self._loop is not None and self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(5)
            self._loop.call_soon_threadsafe(self._loop.stop)
            assert self._thread is not None
            self._thread.join(5)
        self._dir.cleanup()
