"""The SSRF guard: which URLs newsweave may fetch, and at which address.

A URL from a feed, a sitemap or a redirect is hostile input: it may point at
the machine itself, the local network or a cloud metadata service. The guard
refuses every scheme but http(s), user-info in the authority, and any address
that is not a public unicast one (IPv4, IPv6, IPv4-mapped or -embedded IPv6,
and the legacy numeric spellings ``2130706433``, ``0x7f000001``, ``0177.0.0.1``,
``127.1``). A name is resolved **once**: the caller connects to the address
that was checked, so a second DNS answer (rebinding) never counts.

>>> guard = Guard(resolver=lambda host, port: ["93.184.216.34"])
>>> guard.check("https://news.example/a?b=1").address
'93.184.216.34'
>>> try:
...     guard.check("http://0x7f000001/")
... except BlockedURL as exc:
...     print(exc)
http://0x7f000001/: address 127.0.0.1 is loopback (refused; --allow-private opens the local network)
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from newsweave.errors import InputError

Resolver = Callable[[str, int], list[str]]
"""``resolver(host, port)`` -> the host's addresses, as strings, best first."""

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_SCHEMES = {"http": 80, "https": 443}
# Networks an attacker reaches through an IPv6 address that embeds an IPv4 one.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


class BlockedURL(InputError):
    """A URL the guard refuses to fetch; the message names the URL and the rule."""


@dataclass(frozen=True, slots=True)
class Target:
    """A checked URL: connect to ``address`` and speak to ``host`` (Host header, TLS SNI)."""

    url: str
    scheme: str
    host: str  # the name as written (lower case, no trailing dot); IPs unbracketed
    port: int
    address: str  # the checked address to connect to
    path: str  # path and query, what goes on the request line


def system_resolver(host: str, port: int) -> list[str]:
    """The system's answers for ``host`` (IPv4 and IPv6), in its preferred order."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError(f"cannot resolve host {host!r} ({exc})") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class Guard:
    """Checks URLs and pins each to one checked address.

    ``allow_private`` opens every non-public address (intranet feeds, tests);
    ``allow_hosts`` opens named hosts only (a per-source allow-list).
    """

    def __init__(
        self,
        *,
        allow_private: bool = False,
        allow_hosts: Iterable[str] = (),
        resolver: Resolver | None = None,
    ) -> None:
        self.allow_private = allow_private
        self.allow_hosts = frozenset(_normal_host(h) for h in allow_hosts)
        self.resolver = resolver or system_resolver

    def allow_host(self, host: str) -> None:
        """Open one more host to private addresses (a source marked allow-private)."""
        self.allow_hosts = self.allow_hosts | {_normal_host(host)}

    def check(self, url: str) -> Target:
        """The target to connect to for ``url``; raises :class:`BlockedURL` if refused."""
        parts = _split(url)
        scheme = parts.scheme.lower()
        if scheme not in _SCHEMES:
            raise BlockedURL(f"{url}: scheme {scheme or '(none)'!r} refused (only http, https)")
        netloc = parts.netloc
        if "@" in netloc:
            raise BlockedURL(f"{url}: user-info in the address ('...@') refused")
        raw_host = parts.hostname or ""
        if not raw_host:
            raise BlockedURL(f"{url}: no host name")
        try:
            port = parts.port or _SCHEMES[scheme]
        except ValueError:
            raise BlockedURL(f"{url}: invalid port") from None
        host = _normal_host(raw_host)
        open_host = self.allow_private or host in self.allow_hosts
        if (host == "localhost" or host.endswith(".localhost")) and not open_host:
            raise BlockedURL(f"{url}: host {host!r} is this machine (refused)")
        literal = parse_ip(host)
        addresses = [str(literal)] if literal is not None else self.resolver(host, port)
        if not addresses:
            raise InputError(f"{url}: host {host!r} has no address")
        if not open_host:
            for address in addresses:
                problem = refusal(ipaddress.ip_address(address.split("%")[0]))
                if problem:
                    raise BlockedURL(
                        f"{url}: address {address} is {problem} (refused; --allow-private "
                        "opens the local network)"
                    )
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        return Target(url, scheme, str(literal) if literal else host, port, addresses[0], path)


def refusal(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a public unicast address, or None if it is one.

    >>> refusal(ipaddress.ip_address("::ffff:10.0.0.1"))
    'private'
    >>> refusal(ipaddress.ip_address("8.8.8.8")) is None
    True
    """
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and (ip in _NAT64 or ip in _NAT64_LOCAL):
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return refusal(embedded)
    for name in ("loopback", "unspecified", "link_local", "multicast", "private", "reserved"):
        if getattr(ip, f"is_{name}"):
            return name.replace("_", "-")
    if isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local:
        return "site-local"
    if not ip.is_global:
        return "not a public address"
    return None


def parse_ip(host: str) -> IPAddress | None:
    """``host`` as an IP address if it is one in any spelling a browser accepts.

    IPv4 is read as the URL standard does: one to four dot-separated numbers,
    each decimal, ``0x`` hex or ``0``-prefixed octal, the last filling the
    remaining bytes.

    >>> [str(parse_ip(h)) for h in ("2130706433", "0177.0.0.1", "127.1", "[::1]")]
    ['127.0.0.1', '127.0.0.1', '127.0.0.1', '::1']
    >>> parse_ip("news.example") is None
    True
    """
    host = host.strip("[]")
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host.split("%")[0])
        except ValueError:
            return None
    parts = host.split(".")
    if parts and parts[-1] == "":
        parts = parts[:-1]
    if not 1 <= len(parts) <= 4:
        return None
    numbers: list[int] = []
    for part in parts:
        value = _ipv4_number(part)
        if value is None:
            return None
        numbers.append(value)
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        raise BlockedURL(f"{host}: malformed numeric address")
    value = last
    for index, number in enumerate(head):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _ipv4_number(part: str) -> int | None:
    text = part.lower()
    try:
        if text.startswith("0x"):
            return int(text[2:] or "0", 16)
        if len(text) > 1 and text.startswith("0"):
            return int(text[1:], 8)
        return int(text, 10) if text.isdigit() else None
    except ValueError:
        return None


def _normal_host(host: str) -> str:
    host = host.strip().lower().rstrip(".")
    try:
        return host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        raise BlockedURL(f"{host}: not a valid host name") from None


def _split(url: str) -> SplitResult:
    if any(c in url for c in "\r\n\t\x00") or any(ord(c) < 32 for c in url):
        raise BlockedURL(f"{url!r}: control characters in the URL")
    try:
        return urlsplit(url.strip())
    except ValueError as exc:
        raise BlockedURL(f"{url}: not a valid URL ({exc})") from None


__all__ = ["BlockedURL", "Guard", "Resolver", "Target", "parse_ip", "refusal", "system_resolver"]
