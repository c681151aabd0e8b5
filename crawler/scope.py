"""What the crawl may fetch and parse: the start hosts plus ``--allow-host``; links to other
hosts are recorded and probed (for the link check) but never crawled."""

from __future__ import annotations

from urllib.parse import urlsplit

from crawler.urls import DEFAULT_PORTS


def netloc(url: str) -> str:
    parts = urlsplit(url)
    default = DEFAULT_PORTS.get(parts.scheme)
    if "@" not in parts.netloc and "[" not in parts.netloc and "%" not in parts.netloc:
        # the common case read directly, as urllib's hostname and port read it (every link of every page)
        host, _, port = parts.netloc.partition(":")
        if not port:
            return host.lower()
        if port.isdigit() and port.isascii() and int(port) <= 65535:
            return host.lower() if int(port) == default else f"{host.lower()}:{int(port)}"
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    return host if parts.port in (None, default) else f"{host}:{parts.port}"


def site_relative(url: str, site_hosts: set[str]) -> str:
    """How a URL is compared across scans: path and query for the audited site (its port may
    differ between runs), scheme, host and path for other sites."""
    parts = urlsplit(url)
    if netloc(url) in site_hosts:
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return f"{parts.scheme}://{(parts.hostname or '').lower()}{parts.path}" + (f"?{parts.query}" if parts.query else "")


class Scope:
    def __init__(self, start_urls: list[str], allow_hosts: tuple[str, ...] = ()):
        self.hosts = {netloc(u) for u in start_urls} | {h.lower() for h in allow_hosts}
        self.bare_hosts = {h for h in allow_hosts if ":" not in h.strip("[]") or h.startswith("[") and h.endswith("]")}

    def __contains__(self, url: str) -> bool:
        loc = netloc(url)
        if loc in self.hosts:
            return True
        host = (urlsplit(url).hostname or "").lower()
        return host in self.bare_hosts or f"[{host}]" in self.bare_hosts


def bare_host(host_port: str) -> str:
    """``example.gov.cn:8080`` / ``[::1]:80`` / ``example.gov.cn`` → the host alone."""
    return urlsplit(f"http://{host_port}").hostname or host_port


SECOND_LEVEL = {"gov", "edu", "com", "org", "net", "ac", "mil"}


def registered_domain(host: str) -> str:
    """The organisation's domain: www.example.gov.cn and jyj.example.gov.cn → example.gov.cn;
    www.example.com → example.com; an address → itself."""
    host = host.lower().strip("[]").rstrip(".")
    labels = host.split(".")
    if host.replace(".", "").isdigit() or ":" in host or len(labels) <= 2:
        return host
    keep = 3 if labels[-2] in SECOND_LEVEL else 2
    return ".".join(labels[-keep:])
