"""Name resolution the auditor controls.

``--resolve HOST:PORT:ADDRESS`` pins a name like curl does (staging copies, split-horizon
intranets) and ``--dns-server HOST[:PORT]`` sends every lookup of the crawl to that server
through dnspython. Installed as Scrapy's ``TWISTED_DNS_RESOLVER``, so all of the crawl's
connections go through it.
"""

from __future__ import annotations

import ipaddress

import dns.exception
import dns.resolver
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import IHostnameResolver, IHostResolution, IResolutionReceiver
from twisted.internet.threads import deferToThreadPool
from zope.interface import implementer


class ResolveOverrideError(ValueError):
    pass


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ValueError(f"port must be 1-65535, not {text!r}")
    return int(text)


def parse_resolve(entries) -> dict[tuple[str, int], str]:
    """``["www.demo.gov.cn:80:127.0.0.1", "h:443:[::1]"]`` → {("www.demo.gov.cn", 80): "127.0.0.1", …}."""
    out = {}
    for entry in entries or ():
        try:
            host, port, address = entry.split(":", 2)
            address = address.strip("[]")
            ipaddress.ip_address(address)
            if not host or any(c.isspace() or c in "/@[]" for c in host):
                raise ValueError("bad host")
            out[(host.lower(), _port(port))] = address
        except ValueError:
            raise ResolveOverrideError(f"--resolve {entry!r}: expected HOST:PORT:ADDRESS with a port 1-65535, "
                                       "e.g. www.example.gov.cn:443:127.0.0.1") from None
    return out


def parse_server(server: str | None) -> tuple[str, int] | None:
    """``"127.0.0.1:5353"``, ``"[::1]:53"`` or ``"10.0.0.2"`` → (address, port)."""
    if not server:
        return None
    if server.startswith("["):
        address, _, port = server[1:].partition("]")
        if port and not port.startswith(":"):
            address = ""  # "[::1]x": invalid
        port = port[1:]
    elif server.count(":") == 1:
        address, port = server.split(":")
    else:
        address, port = server, ""
    try:
        ipaddress.ip_address(address)
        return address, _port(port) if port else 53
    except ValueError:
        raise ResolveOverrideError(f"--dns-server {server!r}: expected an IP address with an optional port 1-65535, "
                                   "e.g. 10.0.0.2 or [2001:db8::53]:5353") from None


def make_resolver(server: tuple[str, int], timeout: float = 5.0) -> dns.resolver.Resolver:
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [server[0]]
    resolver.port = server[1]
    resolver.timeout = resolver.lifetime = timeout
    return resolver


def lookup(resolver: dns.resolver.Resolver, name: str) -> list[str]:
    """A and AAAA addresses of ``name`` (CNAMEs followed by the server); [] if none."""
    addresses = []
    for rdtype in ("A", "AAAA"):
        try:
            answer = resolver.resolve(name, rdtype, search=False)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer, dns.resolver.NoNameservers, dns.exception.Timeout):
            continue
        addresses.extend(r.address for r in answer)
    return addresses


@implementer(IHostResolution)
class _Resolution:
    def __init__(self, name: str):
        self.name = name

    def cancel(self) -> None:  # lookups are short and bounded by their timeout
        pass


@implementer(IResolutionReceiver)
class _PolicyReceiver:
    """Collects the addresses of one lookup and hands them on only if the address policy allows
    all of them (a name that resolves to one internal address is refused whole)."""

    def __init__(self, receiver, policy, host: str):
        self.receiver, self.policy, self.host = receiver, policy, host
        self.addresses = []

    def resolutionBegan(self, resolution):
        pass

    def addressResolved(self, address):
        self.addresses.append(address)

    def resolutionComplete(self):
        if self.policy is None or self.policy.check(self.host, [a.host for a in self.addresses]) is None:
            for address in self.addresses:
                self.receiver.addressResolved(address)
        self.receiver.resolutionComplete()


@implementer(IHostnameResolver)
class ControlledResolver:
    def __init__(self, reactor, overrides: dict, server: tuple[str, int] | None, timeout: float, policy=None):
        self.reactor = reactor
        self.original = reactor.nameResolver
        self.overrides = overrides
        self.resolver = make_resolver(server, timeout) if server else None
        self.policy = policy

    @classmethod
    def from_crawler(cls, crawler, reactor):
        from crawler.address_policy import AddressPolicy

        settings = crawler.settings
        return cls(
            reactor,
            parse_resolve(settings.getlist("ZWGK_RESOLVE")),
            parse_server(settings.get("ZWGK_DNS_SERVER")),
            settings.getfloat("DNS_TIMEOUT", 10),
            AddressPolicy.of(crawler),
        )

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def resolveHostName(self, receiver, hostName, portNumber=0, addressTypes=None, transportSemantics="TCP"):
        resolution = _Resolution(hostName)
        receiver.resolutionBegan(resolution)
        receiver = _PolicyReceiver(receiver, self.policy, hostName)
        pinned = self.overrides.get((hostName.lower(), portNumber))
        if pinned is not None:
            self._deliver(receiver, [pinned], portNumber)
            return resolution
        if _is_address(hostName):
            self._deliver(receiver, [hostName.strip("[]")], portNumber)  # an address literal is never looked up
            return resolution
        if self.resolver is None:
            self.original.resolveHostName(receiver, hostName, portNumber, addressTypes, transportSemantics)
            return resolution
        d = deferToThreadPool(self.reactor, self.reactor.getThreadPool(), lookup, self.resolver, hostName)
        d.addCallbacks(
            lambda addresses: self._deliver(receiver, addresses, portNumber),
            lambda _failure: receiver.resolutionComplete(),
        )
        return resolution

    @staticmethod
    def _deliver(receiver, addresses: list[str], port: int) -> None:
        for address in addresses:
            if ipaddress.ip_address(address).version == 6:
                receiver.addressResolved(IPv6Address("TCP", address, port))
            else:
                receiver.addressResolved(IPv4Address("TCP", address, port))
        receiver.resolutionComplete()


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
