"""A test certificate authority and a certificate for 127.0.0.1, made once per process with openssl.

The fake Slack serves its Web API and files over HTTPS with it, so the app's rule "files only
from Slack's hosts over HTTPS" is exercised for real; the app is given the CA, nothing else is.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
import tempfile
from functools import cache
from pathlib import Path


@cache
def files() -> tuple[Path, Path, Path]:
    """(ca.pem, server.pem, server.key) in a temporary directory kept for the process."""
    if shutil.which("openssl") is None:
        raise RuntimeError("openssl is needed for the test CA (apt-get install -y openssl)")
    d = Path(tempfile.mkdtemp(prefix="mxcheck-ca-"))
    ca_key, ca, key, csr, cert = (
        d / n for n in ("ca.key", "ca.pem", "server.key", "server.csr", "server.pem")
    )
    ext = d / "ext.cnf"
    ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n")

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(ca_key), "-out", str(ca),
        "-days", "2", "-subj", "/CN=mxcheck test CA")  # fmt: skip
    run(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        str(key),
        "-out",
        str(csr),
        "-subj",
        "/CN=127.0.0.1",
    )
    run("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key), "-CAcreateserial",
        "-out", str(cert), "-days", "2", "-extfile", str(ext))  # fmt: skip
    return ca, cert, key


def server_context() -> ssl.SSLContext:
    """The fake's TLS context: the 127.0.0.1 certificate signed by the test CA."""
    _, cert, key = files()
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


def client_context() -> ssl.SSLContext:
    """What the app is given: verify certificates, trusting the test CA only."""
    ca, _, _ = files()
    return ssl.create_default_context(cafile=str(ca))
