"""HTTP(S) GET with the limits a crawler of hostile sites needs.

Every hop goes through the :class:`~newsweave.fetch.guard.Guard` and the
connection is made to the address the guard checked (urllib3 pool on the IP,
with the Host header, TLS SNI and certificate check on the original name), so
DNS is asked once per hop. Time-outs: connect, read (per wait) and total (the
whole fetch, redirects included). The body is capped while it streams and again
after decompression (we decompress ourselves with a bounded ``zlib``), so a
gzip bomb or a lying Content-Length stops at the cap. TLS is always verified.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import urllib3
import urllib3.connection

from newsweave.errors import InputError
from newsweave.fetch.guard import Guard, Target
from newsweave.fetch.options import MAX_REDIRECTS, FetchOptions

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 65536
_ROBOTS_MAX = 512_000


_DEADLINE = threading.local()  # the total deadline of the fetch running on this thread


class _DeadlineMixin:
    """Cuts the connection when the fetch's total deadline passes while the status line and
    headers are still arriving: the read time-out is per wait, so a server sending one
    byte a second would otherwise hold a fetch for as long as it likes."""

    sock: socket.socket | None

    def getresponse(self) -> urllib3.response.HTTPResponse:
        deadline = getattr(_DEADLINE, "value", None)
        timer = None
        if deadline is not None:
            timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._cut)
            timer.daemon = True
            timer.start()
        try:
            return super().getresponse()  # type: ignore[misc]
        finally:
            if timer is not None:
                timer.cancel()

    def _cut(self) -> None:
        sock = self.sock
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed: nothing to cut
                sock.shutdown(socket.SHUT_RDWR)


class _HTTPConnection(_DeadlineMixin, urllib3.connection.HTTPConnection):
    pass


class _HTTPSConnection(_DeadlineMixin, urllib3.connection.HTTPSConnection):
    pass


class FetchError(InputError):
    """A URL could not be fetched; ``status`` is the HTTP status when there was one."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(slots=True)
class Response:
    """A fetched resource: final URL, status (200 or 304), headers (lower-case keys), body."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: str
    redirects: list[str] = field(default_factory=list)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


class Fetcher:
    """Fetches URLs under one set of :class:`FetchOptions`; reuse it for keep-alive.

    The per-host delay is the larger of the setting and the site's robots.txt
    ``Crawl-delay`` (at most a minute).

    Thread-safe for use from one thread at a time per host (the per-host delay
    is kept under a lock).
    """

    def __init__(self, options: FetchOptions | None = None, guard: Guard | None = None,
                 *, tls: ssl.SSLContext | None = None) -> None:
        self.options = options or FetchOptions()
        self.guard = guard or Guard(
            allow_private=bool(self.options.fetch_allow_private),
            allow_hosts=self.options.allow_hosts,
        )
        self._pools: dict[tuple[str, str, int, str], urllib3.HTTPConnectionPool] = {}
        self._robots: dict[str, RobotFileParser | None] = {}
        self._last: dict[str, float] = {}
        self._crawl_delay: dict[str, float] = {}  # robots.txt Crawl-delay, per host
        self._lock = threading.Lock()
        # System CAs unless a context is given (a private CA); verification is always on.
        self._tls = tls or ssl.create_default_context()
        self._tls.check_hostname = True
        self._tls.verify_mode = ssl.CERT_REQUIRED

    def get(self, url: str, *, headers: Mapping[str, str] | None = None) -> Response:
        """GET ``url`` following at most 5 redirects (each re-checked); 200 or 304 only.

        Raises :class:`FetchError` (or :class:`~newsweave.fetch.guard.BlockedURL`)
        with the URL and the reason.
        """
        deadline = time.monotonic() + self.options.fetch_total_timeout
        redirects: list[str] = []
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            target = self.guard.check(current)
            if self.options.fetch_robots and not self._robots_allow(target, deadline):
                raise FetchError(f"{current}: disallowed by the site's robots.txt "
                                 "(set NEWSWEAVE_FETCH_ROBOTS=0 to ignore it)")
            status, head, body = self._request(target, headers or {}, deadline,
                                               self.options.fetch_max_bytes)
            if status in _REDIRECTS and head.get("location"):
                redirects.append(current)
                current = urljoin(current, head["location"].strip())
                continue
            if 200 <= status < 300 or status == 304:
                now = datetime.now(UTC).isoformat(timespec="seconds")
                return Response(current, status, head, body, now, redirects)
            raise FetchError(f"{current}: HTTP {status}", status)
        raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")

    def close(self) -> None:
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()

    # -- internals ------------------------------------------------------------

    def _request(
        self, target: Target, headers: Mapping[str, str], deadline: float, cap: int
    ) -> tuple[int, dict[str, str], bytes]:
        self._wait_turn(target.host)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(f"{target.url}: total time-out reached")
        send = {
            "Host": _host_header(target),
            "User-Agent": self.options.user_agent,
            "Accept-Encoding": "gzip, deflate",
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            **headers,
        }
        timeout = urllib3.Timeout(
            connect=min(self.options.fetch_connect_timeout, remaining),
            read=min(self.options.fetch_read_timeout, remaining),
        )
        _DEADLINE.value = deadline
        try:
            response = self._pool(target).urlopen(
                "GET", target.path, headers=send, redirect=False, retries=False,
                timeout=timeout, preload_content=False, decode_content=False,
                assert_same_host=False,
            )
        except urllib3.exceptions.SSLError as exc:
            raise FetchError(f"{target.url}: TLS verification failed ({exc})") from None
        except urllib3.exceptions.ConnectTimeoutError:
            raise FetchError(f"{target.url}: connect time-out") from None
        except urllib3.exceptions.ReadTimeoutError:
            raise FetchError(f"{target.url}: read time-out") from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            if time.monotonic() >= deadline:
                raise FetchError(f"{target.url}: total time-out reached") from None
            raise FetchError(f"{target.url}: cannot connect ({_reason(exc)})") from None
        finally:
            _DEADLINE.value = None
        head = {k.lower(): v for k, v in response.headers.items()}
        try:
            if response.status in _REDIRECTS or response.status == 304:
                body = b""
                if response.status != 304:
                    response.close()  # never read a redirect's body: it may not end
            else:
                body = self._read_body(target.url, response, head, deadline, cap)
        except BaseException:
            # A body left half-read must not go back to the pool: the next request on
            # that connection would read its rest as a response.
            response.close()
            raise
        finally:
            response.release_conn()
        return response.status, head, body

    def _read_body(
        self, url: str, response: urllib3.BaseHTTPResponse, head: dict[str, str],
        deadline: float, cap: int,
    ) -> bytes:
        declared = head.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise FetchError(f"{url}: body of {int(declared):,} bytes is over the size limit "
                             f"of {cap:,} (NEWSWEAVE_FETCH_MAX_BYTES)")
        decoder = _decoder(url, head.get("content-encoding", ""))
        out = bytearray()
        received = 0
        try:
            while True:
                if time.monotonic() > deadline:
                    raise FetchError(f"{url}: total time-out reached while reading the body")
                chunk = response.read1(_CHUNK, decode_content=False)  # type: ignore[attr-defined]
                if not chunk:
                    break
                received += len(chunk)
                if received > cap:
                    raise FetchError(f"{url}: body over the size limit of {cap:,} bytes")
                out += decoder.feed(chunk, cap - len(out))
            out += decoder.finish(cap - len(out))
        except urllib3.exceptions.ReadTimeoutError:
            raise FetchError(f"{url}: read time-out") from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise FetchError(f"{url}: connection broken ({_reason(exc)})") from None
        return bytes(out)

    def _pool(self, target: Target) -> urllib3.HTTPConnectionPool:
        key = (target.scheme, target.address, target.port, target.host)
        pool = self._pools.get(key)
        if pool is None:
            if target.scheme == "https":
                pool = urllib3.HTTPSConnectionPool(
                    target.address, target.port, maxsize=2, cert_reqs="CERT_REQUIRED",
                    ssl_context=self._tls, assert_hostname=target.host,
                    server_hostname=target.host,
                )
                pool.ConnectionCls = _HTTPSConnection
            else:
                pool = urllib3.HTTPConnectionPool(target.address, target.port, maxsize=2)
                pool.ConnectionCls = _HTTPConnection
            self._pools[key] = pool
        return pool

    def _wait_turn(self, host: str) -> None:
        delay = max(self.options.fetch_host_delay, self._crawl_delay.get(host, 0.0))
        with self._lock:
            now = time.monotonic()
            wait = self._last.get(host, -1e9) + delay - now
            self._last[host] = now + max(0.0, wait)
        if wait > 0:
            time.sleep(wait)

    def _robots_allow(self, target: Target, deadline: float) -> bool:
        origin = f"{target.scheme}://{_host_header(target)}"
        if origin not in self._robots:
            self._robots[origin] = rules = self._load_robots(origin, deadline)
            wanted = rules.crawl_delay(self.options.user_agent) if rules else None
            if wanted:
                self._crawl_delay[target.host] = min(float(wanted), 60.0)
        rules = self._robots[origin]
        return True if rules is None else rules.can_fetch(self.options.user_agent, target.url)

    def _load_robots(self, origin: str, deadline: float) -> RobotFileParser | None:
        """The site's rules; None (allow all) when it has none or they cannot be read."""
        url = origin + "/robots.txt"
        parser = RobotFileParser(url)
        try:
            target = self.guard.check(url)
            status, _head, body = self._request(target, {}, deadline, _ROBOTS_MAX)
        except InputError:
            return None
        if status in (401, 403):
            parser.disallow_all = True
            return parser
        if status != 200:
            return None
        parser.parse(body.decode("utf-8", "replace").splitlines())
        return parser


class _Decoder:
    """Bounded decompression: never produces more than the room it is given."""

    def __init__(self, url: str, wbits: int | None) -> None:
        self.url = url
        self.inflate = zlib.decompressobj(wbits) if wbits is not None else None

    def feed(self, chunk: bytes, room: int) -> bytes:
        if self.inflate is None:
            return chunk
        try:
            out = self.inflate.decompress(chunk, room + 1)
        except zlib.error as exc:
            raise FetchError(f"{self.url}: corrupt compressed body ({exc})") from None
        if len(out) > room or self.inflate.unconsumed_tail:
            raise FetchError(f"{self.url}: body decompresses to over the size limit")
        return out

    def finish(self, room: int) -> bytes:
        if self.inflate is None:
            return b""
        out = self.inflate.flush()
        if len(out) > room:
            raise FetchError(f"{self.url}: body decompresses to over the size limit")
        return out


def _decoder(url: str, encoding: str) -> _Decoder:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return _Decoder(url, None)
    if encoding in ("gzip", "x-gzip"):
        return _Decoder(url, 16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return _Decoder(url, zlib.MAX_WBITS)
    raise FetchError(f"{url}: unsupported content encoding {encoding!r}")


def _host_header(target: Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = 443 if target.scheme == "https" else 80
    return host if target.port == default else f"{host}:{target.port}"


def _reason(exc: BaseException) -> str:
    inner = getattr(exc, "reason", None)
    return str(inner or exc)[:200]


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
