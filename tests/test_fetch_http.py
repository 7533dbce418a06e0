"""The HTTP client against local servers: limits, redirects, robots.txt, conditional GET."""

from __future__ import annotations

import time

import pytest

from fetch_site import Route, Site, drip, drip_headers, endless, gzip_bomb, lying_length, serve
from newsweave.fetch import BlockedURL, Fetcher, FetchError, Guard, load_fetch_options


def make_fetcher(**overrides: object) -> Fetcher:
    values = {"fetch_allow_private": 1, "fetch_host_delay": 0.0, "fetch_contact": "ops@example.org"}
    values.update(overrides)
    return Fetcher(load_fetch_options(**values))


@pytest.fixture
def site():
    with serve() as running:
        running.set("/robots.txt", "User-agent: *\nDisallow: /private/\n", "text/plain")
        running.set("/page", "<html><body><p>Hello</p></body></html>")
        running.set("/private/x", "<html><body><p>secret</p></body></html>")
        yield running


def test_get_sends_a_user_agent_with_the_contact_and_the_original_host(site: Site):
    fetcher = make_fetcher()
    response = fetcher.get(site.base + "/page")
    assert response.status == 200 and b"Hello" in response.body
    assert "newsweave/" in site.user_agents[-1] and "ops@example.org" in site.user_agents[-1]
    assert site.host_headers[-1] == site.base.removeprefix("http://")


def test_robots_txt_is_honoured_and_can_be_switched_off(site: Site):
    with pytest.raises(FetchError, match=r"robots\.txt"):
        make_fetcher().get(site.base + "/private/x")
    assert b"secret" in make_fetcher(fetch_robots=0).get(site.base + "/private/x").body


def test_redirects_are_followed_up_to_five_and_each_is_checked(site: Site):
    for i in range(7):
        site.pages[f"/r{i}"] = Route(status=302, headers={"Location": f"/r{i + 1}"})
    site.set("/r7", "<p>end</p>")
    response = make_fetcher().get(site.base + "/r2")  # five hops to /r7
    assert response.body == b"<p>end</p>" and len(response.redirects) == 5
    with pytest.raises(FetchError, match="more than 5 redirects"):
        make_fetcher().get(site.base + "/r0")


def test_a_redirect_to_a_refused_target_is_refused(site: Site):
    site.pages["/meta"] = Route(status=301, headers={"Location": "http://169.254.169.254/latest"})
    site.pages["/file"] = Route(status=302, headers={"Location": "file:///etc/passwd"})
    # Only the test server's address is allowed (a per-source allow-list), not all private ones.
    fetcher = Fetcher(load_fetch_options(fetch_host_delay=0.0),
                      Guard(allow_hosts=["127.0.0.1"]))
    assert fetcher.get(site.base + "/page").status == 200
    with pytest.raises(BlockedURL, match="link-local"):
        fetcher.get(site.base + "/meta")
    with pytest.raises(BlockedURL, match="scheme 'file'"):
        fetcher.get(site.base + "/file")


def test_private_addresses_are_refused_by_default(site: Site):
    with pytest.raises(BlockedURL, match="loopback"):
        Fetcher(load_fetch_options(fetch_host_delay=0.0)).get(site.base + "/page")
    assert site.hits.get("/page") is None  # refused before connecting


def test_a_dripping_server_hits_the_total_time_out(site: Site):
    site.pages["/drip"] = Route(handler=drip)
    start = time.monotonic()
    with pytest.raises(FetchError, match="time-out"):
        make_fetcher(fetch_total_timeout=2.0, fetch_read_timeout=5.0).get(site.base + "/drip")
    assert time.monotonic() - start < 5


def test_headers_dripping_hit_the_total_time_out(site: Site):
    site.pages["/slow-head"] = Route(handler=drip_headers)
    start = time.monotonic()
    with pytest.raises(FetchError, match="total time-out"):
        make_fetcher(fetch_total_timeout=2.0, fetch_read_timeout=5.0).get(
            site.base + "/slow-head")
    assert time.monotonic() - start < 5


def test_size_cap_with_honest_missing_and_lying_content_length(site: Site):
    site.set("/big", b"<p>" + b"x" * 3_000_000 + b"</p>")
    site.pages["/endless"] = Route(handler=endless)
    site.pages["/lying"] = Route(handler=lying_length)
    fetcher = make_fetcher(fetch_max_bytes=1_000_000)
    with pytest.raises(FetchError, match="over the size limit"):
        fetcher.get(site.base + "/big")
    start = time.monotonic()
    with pytest.raises(FetchError, match="over the size limit"):
        fetcher.get(site.base + "/endless")
    assert time.monotonic() - start < 5
    # A Content-Length smaller than the body: never more than it declared is read.
    assert len(fetcher.get(site.base + "/lying").body) == 100


def test_a_gzip_bomb_stops_at_the_cap(site: Site):
    site.pages["/bomb"] = Route(gzip_bomb(50_000_000), headers={
        "Content-Type": "text/html", "Content-Encoding": "gzip"})
    site.set("/small.gz", __import__("gzip").compress(b"<p>fine</p>"), "text/html",
             **{"Content-Encoding": "gzip"})
    fetcher = make_fetcher(fetch_max_bytes=1_000_000)
    assert fetcher.get(site.base + "/small.gz").body == b"<p>fine</p>"
    with pytest.raises(FetchError, match="decompresses to over the size limit"):
        fetcher.get(site.base + "/bomb")


def test_conditional_get_returns_304(site: Site):
    fetcher = make_fetcher()
    first = fetcher.get(site.base + "/page")
    again = fetcher.get(site.base + "/page", headers={"If-None-Match": first.headers["etag"]})
    assert again.status == 304 and again.body == b""


def test_http_errors_carry_their_status(site: Site):
    with pytest.raises(FetchError, match="HTTP 404") as caught:
        make_fetcher().get(site.base + "/missing")
    assert caught.value.status == 404


def test_per_host_delay_spaces_requests(site: Site):
    fetcher = make_fetcher(fetch_host_delay=0.3, fetch_robots=0)
    start = time.monotonic()
    for _ in range(3):
        fetcher.get(site.base + "/page")
    assert time.monotonic() - start >= 0.6


def test_robots_crawl_delay_is_honoured(site: Site):
    site.set("/robots.txt", "User-agent: *\nCrawl-delay: 1\n", "text/plain")
    fetcher = make_fetcher()
    start = time.monotonic()
    for _ in range(2):
        fetcher.get(site.base + "/page")
    assert time.monotonic() - start >= 1.0
