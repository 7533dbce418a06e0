"""TLS through the pinned connection: certificate and host name checked against the name
in the URL while the connection goes to the checked address; never retried without
verification. Certificates are made with the openssl command for each run."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path

import pytest

from fetch_site import serve
from newsweave.fetch import Fetcher, FetchError, Guard, load_fetch_options

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


@pytest.fixture(scope="module")
def certs(tmp_path_factory) -> dict[str, str]:
    tmp = Path(tmp_path_factory.mktemp("tls"))

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=tmp, check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "1", "-subj", "/CN=newsweave test CA",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=keyCertSign")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr",
        "-subj", "/CN=news.example")
    (tmp / "ext.cnf").write_text("subjectAltName=DNS:news.example\n")
    run("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "leaf.pem", "-days", "1", "-extfile", "ext.cnf")
    return {name: str(tmp / name) for name in ("ca.pem", "leaf.pem", "leaf.key")}


def test_tls_is_verified_on_the_name_while_connecting_to_the_checked_address(certs):
    with serve(tls=(certs["leaf.pem"], certs["leaf.key"])) as site:
        site.set("/a", "<p>secure</p>")
        port = site.base.rsplit(":", 1)[1]
        options = load_fetch_options(fetch_host_delay=0.0, fetch_robots=0)
        trusting = ssl.create_default_context(cafile=certs["ca.pem"])
        guard = Guard(allow_hosts=["news.example", "127.0.0.1"],
                      resolver=lambda host, port: ["127.0.0.1"])
        fetcher = Fetcher(options, guard, tls=trusting)
        assert fetcher.get(f"https://news.example:{port}/a").body == b"<p>secure</p>"
        # The certificate names news.example, not the address: refused.
        with pytest.raises(FetchError, match="TLS verification failed"):
            fetcher.get(f"https://127.0.0.1:{port}/a")
        # Without the private CA (system CAs): refused, and not retried unverified.
        plain = Fetcher(options, guard)
        with pytest.raises(FetchError, match="TLS verification failed"):
            plain.get(f"https://news.example:{port}/a")
        assert site.hits.get("/a") == 1
