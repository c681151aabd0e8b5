"""One timed visit of a home page, as the 指标 counts a visit for 站点无法访问: did the page open
within the limit (15 s)?

"Opened" means: within the limit, counted from the first connection attempt, the site gave a final
answer with status 2xx and a body of at least one byte, received whole (or the first 2 MB of it).
Redirects (3xx) are followed, at most 5, inside the same limit, as a visitor's browser follows them:
the page is open only once the page at their end has arrived. A 4xx/5xx answer is the server's
error page, not the site; an empty 200 is a blank page; a redirect that leads nowhere (a loop, too
many hops, a refused address) never opens. The visit is made over IPv4 and, when the host has an
AAAA record, over IPv6 as well, each over a connection to exactly one address of that family.

Names are resolved like the crawl does (``--dns-server``, ``--resolve``; crawler.dns) and every
address passes the crawl's address policy (crawler.address_policy): the site's own host is in scope,
a redirect to an internal address is refused. A machine with no IPv6 route cannot test a site's
IPv6: such a visit is stored as not measured (ok null), never as the site's failure.
"""

from __future__ import annotations

import errno
import http.client
import ipaddress
import socket
import ssl
from time import monotonic
from urllib.parse import urljoin, urlsplit

import dns.exception
import dns.resolver

from crawler.address_policy import AddressPolicy
from crawler.dns import make_resolver, parse_resolve, parse_server
from crawler.pinned import over_socket

LIMIT = 15.0  # seconds: 指标2019, a visit fails if the site has not opened after 15 s
MAX_BODY = 2 * 1024 * 1024
MAX_REDIRECTS = 5
NO_ROUTE = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT}


class Names:
    """A and AAAA of a host with the auditor's --dns-server and --resolve (as for the crawl)."""

    def __init__(self, dns_server: str | None = None, resolve=(), timeout: float = 5.0):
        server = parse_server(dns_server)
        self.pins = parse_resolve(resolve)
        # without --dns-server the system's resolver, as the crawl's (it reads /etc/hosts too)
        self.resolver = make_resolver(server, timeout) if server else None

    def addresses(self, host: str, port: int) -> tuple[list[str], list[str], str | None]:
        """(IPv4 addresses, IPv6 addresses, why there are none or None)."""
        try:
            literal = ipaddress.ip_address(host.strip("[]"))
            return ([str(literal)], [], None) if literal.version == 4 else ([], [str(literal)], None)
        except ValueError:
            pass
        pinned = self.pins.get((host.lower(), port))
        if pinned:
            return ([pinned], [], None) if ipaddress.ip_address(pinned).version == 4 else ([], [pinned], None)
        if self.resolver is None:
            return _system(host, port)
        found, errors = {"A": [], "AAAA": []}, []
        for rdtype in found:
            try:
                found[rdtype] = [r.address for r in self.resolver.resolve(host, rdtype, search=False)]
            except dns.resolver.NXDOMAIN:
                errors.append("域名不存在 the name does not exist (NXDOMAIN)")
            except dns.resolver.NoAnswer:
                pass
            except dns.resolver.NoNameservers:
                errors.append("域名服务器不应答 no name server answered")
            except dns.exception.Timeout:
                errors.append("域名解析超时 name resolution timed out")
        if not found["A"] and not found["AAAA"]:
            return [], [], errors[0] if errors else "域名没有地址记录 the name has no address record"
        return found["A"], found["AAAA"], None


def _system(host: str, port: int) -> tuple[list[str], list[str], str | None]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        return [], [], f"系统解析失败 the system resolver failed ({getattr(exc, 'strerror', None) or exc})"
    v4 = list(dict.fromkeys(i[4][0] for i in infos if i[0] == socket.AF_INET))
    v6 = list(dict.fromkeys(i[4][0].split("%", 1)[0] for i in infos if i[0] == socket.AF_INET6))
    return v4, v6, None if v4 or v6 else "域名没有地址记录 the name has no address record"


def visit(url: str, names: Names, policy: AddressPolicy, limit: float = LIMIT, user_agent: str = "zwgk-audit") -> list[dict]:
    """The visit of ``url``: one result per IP family the host has (IPv4 first), each
    ``{family, address, status, ttfb_ms, total_ms, ok, error, final_url}``; a name that does not
    resolve is one failed visit (a visitor could not open the site either)."""
    parts = urlsplit(url)
    v4, v6, problem = names.addresses(parts.hostname or "", _port(parts))
    if problem:
        return [_result(4, None, error=f"域名无法解析 the name does not resolve: {problem}")]
    return [open_page(url, addresses[0], family, names, policy, limit, user_agent)
            for family, addresses in ((4, v4), (6, v6)) if addresses]


def _port(parts) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


def _result(family: int, address: str | None, **fields) -> dict:
    out = {"family": family, "address": address, "status": None, "ttfb_ms": None, "total_ms": None, "ok": 0,
           "error": None, "final_url": None}
    out.update(fields)
    return out


def open_page(url: str, address: str, family: int, names: Names, policy: AddressPolicy, limit: float,
              user_agent: str) -> dict:
    started = monotonic()
    deadline = started + limit
    result = _result(family, address)
    ms = lambda: int((monotonic() - started) * 1000)  # noqa: E731
    current, target = url, address
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            parts = urlsplit(current)
            refused = policy.check(parts.hostname or "", [target])
            if refused:
                result.update(error=f"地址策略拒绝访问内部地址 internal address refused: {refused.split(': internal')[0]}")
                return result
            status, location, body_bytes = _get(current, target, family, deadline, user_agent)
            result.update(status=status, final_url=current)
            if result["ttfb_ms"] is None:
                result["ttfb_ms"] = ms()
            if 300 <= status < 400 and location:
                current = urljoin(current, location)
                nxt = urlsplit(current)
                if nxt.scheme not in ("http", "https") or not nxt.hostname:
                    result.update(error=f"重定向到无效地址 redirect to an invalid address: {location[:200]}", total_ms=ms())
                    return result
                v4, v6, problem = names.addresses(nxt.hostname, _port(nxt))
                same_family = v4 if family == 4 else v6
                if problem or not same_family:
                    result.update(error=f"重定向后的域名无法解析 the redirect's host does not resolve over IPv{family}: "
                                        f"{nxt.hostname}", total_ms=ms())
                    return result
                target = same_family[0]
                continue
            result["total_ms"] = ms()
            if not 200 <= status < 300:
                result["error"] = f"HTTP {status}"
            elif body_bytes == 0:
                result["error"] = "页面为空 empty page"
            else:
                result["ok"] = 1
            return result
        result.update(error=f"重定向超过 {MAX_REDIRECTS} 次 more than {MAX_REDIRECTS} redirects", total_ms=ms())
    except TimeoutError:
        result.update(error=f"{limit:g} 秒内未打开 not opened within {limit:g} s", total_ms=ms())
    except ConnectionRefusedError:
        result.update(error="连接被拒绝 connection refused", total_ms=ms())
    except ssl.SSLError:
        result.update(error="TLS 握手失败 TLS handshake failed", total_ms=ms())
    except (ConnectionResetError, BrokenPipeError, http.client.HTTPException):
        result.update(error="连接被重置或应答无效 connection reset or invalid answer", total_ms=ms())
    except OSError as exc:
        if family == 6 and exc.errno in NO_ROUTE:  # this machine cannot reach IPv6: not the site's failure
            result.update(ok=None, error="本机没有 IPv6 路由，未测量 no IPv6 route here, not measured")
        else:
            result.update(error=f"无法连接 cannot connect ({errno.errorcode.get(exc.errno, 'error')})", total_ms=ms())
    except (ValueError, UnicodeError):
        result.update(error="网址或应答头无效 invalid address or header", total_ms=ms())
    return result


def _left(deadline: float) -> float:
    left = deadline - monotonic()
    if left <= 0:
        raise TimeoutError
    return left


def _get(url: str, address: str, family: int, deadline: float, user_agent: str) -> tuple[int, str | None, int]:
    """GET over a connection to exactly ``address``: (status, Location, body bytes read); TimeoutError
    once ``deadline`` passes, whichever step it is in."""
    parts = urlsplit(url)
    port = _port(parts)
    sock = socket.socket(socket.AF_INET6 if family == 6 else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.settimeout(_left(deadline))
        sock.connect((address, port, 0, 0) if family == 6 else (address, port))
        sock.settimeout(_left(deadline))
        conn, path, sock = over_socket(sock, url, port)  # availability, not certificate validity, is measured
        sock.settimeout(_left(deadline))
        conn.request("GET", path, headers={"Host": parts.netloc, "User-Agent": user_agent, "Accept": "text/html,*/*",
                                           "Connection": "close"})
        response = conn.getresponse()
        read = 0
        while read < MAX_BODY:
            sock.settimeout(_left(deadline))
            chunk = response.read1(65536) if hasattr(response, "read1") else response.read(65536)
            if not chunk:
                break
            read += len(chunk)
        _left(deadline)
        return response.status, response.getheader("Location"), read
    except socket.timeout:
        raise TimeoutError from None
    finally:
        sock.close()
