"""A small fake news site on 127.0.0.1 for the fetch tests and benches (no internet).

``serve()`` starts a threaded HTTP server in the background; ``site.pages``
maps a path to a route (status, headers, body, or a callable for the odd ones:
a server that drips, one that lies about its length, a gzip bomb). Pages can
be changed between polls. ETag / If-None-Match and Last-Modified /
If-Modified-Since are honoured for every static route.
"""

from __future__ import annotations

import gzip
import hashlib
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LAST_MODIFIED = "Sat, 05 Dec 2026 10:00:00 GMT"


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    handler: Callable[[BaseHTTPRequestHandler], None] | None = None


@dataclass
class Site:
    pages: dict[str, Route] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    user_agents: list[str] = field(default_factory=list)
    host_headers: list[str] = field(default_factory=list)
    base: str = ""

    def set(self, path: str, body: str | bytes, content_type: str = "text/html; charset=utf-8",
            **headers: str) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.pages[path] = Route(data, 200, {"Content-Type": content_type, **headers})


def article_html(title: str, paragraphs: list[str], *, canonical: str | None = None,
                 amp: bool = False, extra_head: str = "") -> str:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!doctype html><html{' amp' if amp else ''}><head><title>{title}</title>{link}"
            f"{extra_head}</head><body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>"
            f"{body}</article><footer>Contact us</footer></body></html>")


def rss(title: str, items: list[dict[str, str]]) -> str:
    parts = []
    for item in items:
        content = (f"<content:encoded><![CDATA[{item['content']}]]></content:encoded>"
                   if item.get("content") else "")
        parts.append(
            f"<item><title>{item['title']}</title><link>{item['link']}</link>"
            f"<guid>{item.get('guid', item['link'])}</guid>"
            f"<pubDate>Sat, 05 Dec 2026 09:00:00 GMT</pubDate>"
            f"<description>{item.get('summary', 'Summary.')}</description>{content}</item>")
    return ('<?xml version="1.0"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
            f"<title>{title}</title><link>http://x/</link><description>d</description>"
            f"{''.join(parts)}</channel></rss>")


class _Handler(BaseHTTPRequestHandler):
    site: Site
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms stall

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        path = self.path
        site = self.site
        site.hits[path] = site.hits.get(path, 0) + 1
        site.user_agents.append(self.headers.get("User-Agent", ""))
        site.host_headers.append(self.headers.get("Host", ""))
        route = site.pages.get(path) or site.pages.get(path.split("?")[0])
        if route is None:
            self._send(404, {"Content-Type": "text/plain"}, b"not found")
            return
        if route.handler is not None:
            route.handler(self)
            return
        etag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
        headers = {"ETag": etag, "Last-Modified": LAST_MODIFIED, **route.headers}
        if route.status == 200 and (self.headers.get("If-None-Match") == etag or
                                    (self.headers.get("If-Modified-Since") == LAST_MODIFIED
                                    and "If-None-Match" not in self.headers)):
            self._send(304, {"ETag": etag}, b"")
            return
        self._send(route.status, headers, route.body)

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)


@contextmanager
def serve(site: Site | None = None, tls: tuple[str, str] | None = None) -> Iterator[Site]:
    """Serve ``site`` on 127.0.0.1 (HTTPS with ``tls=(certfile, keyfile)``)."""
    site = site or Site()
    handler = type("Handler", (_Handler,), {"site": site})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    scheme = "http"
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    site.base = f"{scheme}://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


# -- hostile routes -------------------------------------------------------------

def drip(handler: BaseHTTPRequestHandler) -> None:
    """Headers at once, then one byte a second for a minute."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", "60")
    handler.end_headers()
    try:
        for _ in range(60):
            handler.wfile.write(b"x")
            handler.wfile.flush()
            time.sleep(1)
    except OSError:
        pass


def drip_headers(handler: BaseHTTPRequestHandler) -> None:
    """The status line and headers one byte a second."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Slow: " + b"x" * 120
    try:
        for byte in head:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(1)
    except OSError:
        pass
    handler.close_connection = True


def endless(handler: BaseHTTPRequestHandler) -> None:
    """A body with no Content-Length that never ends (until the client hangs up)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Connection", "close")
    handler.end_headers()
    chunk = b"<p>" + b"a" * 65536 + b"</p>"
    try:
        for _ in range(2000):  # at most ~130 MB
            handler.wfile.write(chunk)
    except OSError:
        pass
    handler.close_connection = True


def lying_length(handler: BaseHTTPRequestHandler) -> None:
    """Claims 100 bytes, sends megabytes."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", "100")
    handler.send_header("Connection", "close")
    handler.end_headers()
    try:
        for _ in range(300):
            handler.wfile.write(b"<p>" + b"b" * 65536 + b"</p>")
    except OSError:
        pass
    handler.close_connection = True


def gzip_bomb(size: int = 200_000_000) -> bytes:
    """A gzip body of a few hundred KB that unpacks to ``size`` zero bytes."""
    return gzip.compress(b"\0" * size, compresslevel=9)


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
              for i in range(1, 10))
    + ']><rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title>'
    "<link>http://x/a</link></item></channel></rss>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    '<rss version="2.0"><channel><title>&xxe;</title><item><title>&xxe;</title>'
    "<link>http://x/a</link><description>&xxe;</description></item></channel></rss>"
)
