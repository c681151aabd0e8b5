"""Which network addresses the auditor may connect to.

zwgk often runs inside a government intranet. A page it audits (or a redirect, or a name that
resolves to an internal address: DNS rebinding) must not make it a way to reach internal
services: private, loopback, link-local, multicast, reserved and cloud-metadata addresses,
IPv4 and IPv6 (IPv4-mapped too), are refused before any connection, with the reason recorded.
Exceptions: addresses of the kind the audited site itself is on (a start URL or ``--allow-host``
on an intranet or loopback address: that network is what is being audited; cloud metadata
never), and ``--allow-private`` (tests, a deliberate audit of everything an intranet links).

The resolver (crawler.dns) checks every resolved name; the downloader middleware below checks
address literals, which Twisted connects to without resolving.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254"), ipaddress.ip_address("100.100.100.200")}


def special_kind(address: str) -> str | None:
    """Why an address is internal ("private", "loopback" …), or None for a public address."""
    try:
        ip = ipaddress.ip_address(address.strip("[]").split("%", 1)[0])
    except ValueError:
        return "invalid"
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA:
        return "metadata"
    for kind in ("loopback", "link_local", "multicast", "unspecified", "reserved", "private"):
        if getattr(ip, f"is_{kind}"):
            return kind
    if ip.version == 4 and ip in ipaddress.ip_network("100.64.0.0/10"):  # carrier-grade NAT
        return "private"
    if not ip.is_global:
        return "reserved"
    return None


_CURRENT: AddressPolicy | None = None


class AddressPolicy:
    def __init__(self, scope_hosts, allow_private: bool = False):
        self.allow_private = allow_private
        self.scope_hosts = {h.lower().strip("[]").rstrip(".") for h in scope_hosts}
        self.allowed: set[str] = set()  # kinds of internal address the audited site itself is on
        self.refused: dict[str, str] = {}  # host → reason, read back when the request fails
        for host in self.scope_hosts:
            self._allow(host)

    def _allow(self, address: str) -> None:
        kind = special_kind(address)
        if kind not in (None, "invalid", "metadata"):
            self.allowed.add(kind)

    @classmethod
    def of(cls, crawler) -> AddressPolicy:
        """The process's one policy, shared by the resolver (which Scrapy builds from the
        CrawlerProcess, not the Crawler) and the middlewares: one crawl runs per process."""
        global _CURRENT
        if _CURRENT is None:
            settings = crawler.settings
            _CURRENT = cls(settings.getlist("ZWGK_SCOPE_HOSTS"), settings.getbool("ZWGK_ALLOW_PRIVATE"))
        return _CURRENT

    def add_scope_host(self, host: str) -> None:
        self.scope_hosts.add(host.lower().strip("[]").rstrip("."))

    def check(self, host: str, addresses: list[str]) -> str | None:
        """None if ``host`` may be reached at ``addresses``, else the reason (and it is recorded)."""
        host = host.lower().strip("[]").rstrip(".")  # Scrapy asks for "name." (absolute)
        if self.allow_private:
            return None
        if host in self.scope_hosts:
            for address in addresses:
                self._allow(address)
            return None
        for address in addresses:
            kind = special_kind(address)
            if kind and kind not in self.allowed:
                reason = f"{host} → {address} ({kind}): internal address refused (--allow-private to permit)"
                self.refused[host] = reason
                return reason
        return None


class AddressPolicyMiddleware:
    """Refuses requests to internal address literals (names are checked by the resolver)."""

    def __init__(self, policy: AddressPolicy):
        self.policy = policy

    @classmethod
    def from_crawler(cls, crawler):
        return cls(AddressPolicy.of(crawler))

    def process_request(self, request, spider=None):
        host = (urlsplit(request.url).hostname or "").lower()
        if host and special_kind(host) != "invalid":
            reason = self.policy.check(host, [host])
            if reason:
                raise IgnoreRequest(f"address policy: {reason}")
        return None
