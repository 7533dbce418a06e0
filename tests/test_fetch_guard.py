"""The SSRF guard: every refused form, through a resolver stub (no DNS, no network)."""

from __future__ import annotations

import pytest

from fetch_site import serve
from newsweave.fetch import BlockedURL, Fetcher, Guard, load_fetch_options
from newsweave.fetch.guard import parse_ip

PUBLIC = "93.184.216.34"


def resolving_to(*answers: str):
    calls: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        return list(answers)

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


@pytest.mark.parametrize("url", [
    "ftp://news.example/a", "file:///etc/passwd", "gopher://news.example/", "javascript:x",
    "http://public@127.0.0.1/", "http://news.example@10.0.0.1/", "http://user:pw@news.example/",
    "http://127.0.0.1/", "http://127.1/", "http://2130706433/", "http://0177.0.0.1/",
    "http://0x7f000001/", "http://0x7f.1/", "http://017700000001/", "http://localhost/",
    "http://localhost./", "http://LOCALHOST:8080/", "http://app.localhost/",
    "http://10.1.2.3/", "http://172.16.0.1/", "http://192.168.1.1/", "http://169.254.169.254/",
    "http://100.64.0.1/", "http://0.0.0.0/", "http://224.0.0.1/", "http://240.0.0.1/",
    "http://255.255.255.255/", "http://[::1]/", "http://[::]/", "http://[fe80::1]/",
    "http://[fc00::1]/", "http://[fd12:3456::1]/", "http://[ff02::1]/",
    "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/", "http://[::ffff:10.0.0.1]/",
    "http://[2002:7f00:1::]/", "http://[64:ff9b::a00:1]/", "http://[fec0::1]/",
    "http://news.example\n.evil/", "http://999.1.1.1/",
])
def test_refused(url: str):
    guard = Guard(resolver=resolving_to(PUBLIC))
    with pytest.raises(BlockedURL):
        guard.check(url)


@pytest.mark.parametrize("url", [
    "http://news.example/a", "https://news.example:8443/a?b=1", f"http://{PUBLIC}/",
    "http://[2606:2800:220:1:248:1893:25c8:1946]/", "HTTPS://NEWS.EXAMPLE./x",
])
def test_allowed(url: str):
    target = Guard(resolver=resolving_to(PUBLIC)).check(url)
    assert target.scheme in ("http", "https") and target.address


def test_a_public_looking_name_that_resolves_to_loopback_is_refused():
    with pytest.raises(BlockedURL, match=r"127\.0\.0\.1 is loopback"):
        Guard(resolver=resolving_to("127.0.0.1")).check("http://news.example/")


def test_any_refused_answer_among_several_refuses_the_name():
    with pytest.raises(BlockedURL, match="private"):
        Guard(resolver=resolving_to(PUBLIC, "10.0.0.7")).check("http://news.example/")


def test_numeric_forms_parse_to_the_same_address():
    forms = ["2130706433", "0177.0.0.1", "0x7f000001", "127.1", "0x7f.0.0.1", "127.0.1"]
    assert {str(parse_ip(f)) for f in forms} == {"127.0.0.1"}


def test_allow_private_and_allow_hosts_open_only_what_they_say():
    assert Guard(allow_private=True).check("http://127.0.0.1:8080/").address == "127.0.0.1"
    assert Guard(allow_hosts=["intranet.local"], resolver=resolving_to("10.0.0.5")).check(
        "http://intranet.local/feed").address == "10.0.0.5"
    with pytest.raises(BlockedURL):
        Guard(allow_hosts=["intranet.local"], resolver=resolving_to("10.0.0.5")).check(
            "http://other.local/feed")


def test_the_name_is_resolved_once_and_the_checked_address_is_used():
    """DNS rebinding: the stub answers 127.0.0.1 first and something else afterwards; the
    fetch connects to the first (checked) answer, keeps the name in the Host header, and
    never asks again."""
    answers = iter([["127.0.0.1"], ["192.0.2.1"], ["192.0.2.1"]])
    calls: list[str] = []

    def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)
        return next(answers)

    with serve() as site:
        site.set("/a", "<p>pinned</p>")
        port = site.base.rsplit(":", 1)[1]
        fetcher = Fetcher(load_fetch_options(fetch_host_delay=0.0, fetch_robots=0),
                          Guard(allow_hosts=["news.example"], resolver=rebinding))
        response = fetcher.get(f"http://news.example:{port}/a")
    assert response.body == b"<p>pinned</p>"
    assert calls == ["news.example"]
    assert site.host_headers[-1] == f"news.example:{port}"
