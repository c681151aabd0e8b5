"""The second look for cloaked hijacks (搜索引擎劫持): after the crawl, the home page and a sample of
pages are fetched again as a search engine's crawler and as a visitor arriving from a search
results page, and compared with the normal view.

A hijacked portal often looks clean to its owner and to every ordinary visitor: the injected
code serves gambling text or links only to Baiduspider, Sogou or 360Spider (so that the site's
ranking carries the spam), or sends a visitor whose Referer is a search page to a casino. Views:

  * ``normal``: the crawl's own User-Agent, no Referer (plain HTTP);
  * ``ua:baidu``, ``ua:sogou``, ``ua:360``: the search engines' crawler User-Agents (plain HTTP:
    what the server sends them);
  * ``referer:baidu``, ``referer:sogou``, ``referer:so``: the crawl's User-Agent with the Referer of
    a search results page (plain HTTP: what the server sends such a visitor);
  * ``render:baidu``, ``render:sogou``, ``render:so``: the page rendered in Chromium opened from a
    search results page (``document.referrer``), its timers run ahead at once — a script that reads
    the referrer and writes spam or navigates away, now or a few seconds later, is caught here.
    Only pages whose own scripts could tell visitors apart are rendered (they read the referrer or
    the User-Agent, navigate, write the page or hide what they do: ``worth_rendering``), once per
    script signature (pages of one template run the same scripts), at most ``render_pages`` of them;
  * ``render:ua:baidu``: the page rendered with Baiduspider's User-Agent (a script sniffing
    ``navigator.userAgent``);
  * ``normal:render``: the page rendered without Referer, only when a ``render:*`` view showed
    something the plain normal view lacks (scripts write dates, counters, recommendation blocks …).

Every view is compared with its normal view (``compared_with``): the text segments and links it
adds, the text it lacks, where it tried to go off the site. A view that adds spam words (the
caller's ``terms``), a link to another organisation's host or an off-site redirect is looked at
once more, and its normal view too: only what the view showed both times and the normal view
neither time is kept (a block rotating on every request is no cloak). Nothing off the site is ever
fetched: a redirect (HTTP, meta refresh, script) to a host outside the crawl's scope is recorded,
not followed, and the browser's requests to other hosts are refused (crawler.render). The crawl's
politeness (--per-host, --delay: crawler.ipv6.HostPacer), its name resolution (--dns-server,
--resolve) and its address policy hold. Rows go to ``cloak_views``; a view that could not be
fetched is stored with its error. The check ``content.cloaked_hijack`` (checks/cloak.py) judges them.
"""

from __future__ import annotations

import hashlib
import http.client
import ipaddress
import json
import re
import socket
import sqlite3
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from urllib.parse import quote, urljoin, urlsplit

import dns.exception
import dns.resolver
import lxml.html

from crawler.address_policy import AddressPolicy
from crawler.dns import make_resolver, parse_resolve, parse_server
from crawler.encoding import decode_html
from crawler.ipv6 import HostPacer
from crawler.pinned import over_socket
from crawler.scope import Scope, bare_host, registered_domain
from crawler.text import clean
from storage.sqlite import ensure_schema as ensure_tables

# the crawlers' own User-Agent strings, as the search engines document them
SPIDERS = {
    "ua:baidu": "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
    "ua:sogou": "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
    "ua:360": "Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/50.0.2661.102 "
              "Safari/537.36; 360Spider",
}
# a results page of each engine, searching for the site's name
SEARCHES = {
    "baidu": "https://www.baidu.com/s?wd={q}",
    "sogou": "https://www.sogou.com/web?query={q}",
    "so": "https://www.so.com/s?q={q}",
}
TIMER_SECONDS = 10.0  # a rendered page's clock is run this far at once: a redirect delayed by a timer happens too
MAX_BODY = 3 * 1024 * 1024
MAX_HOPS = 5
MAX_TEXT = 20_000  # characters of differing text kept per view
MAX_PAGE_TEXT = 200_000  # characters of a normal view's text kept (the check looks for a term in it)
MAX_LINKS = 200
SKIP_TAGS = {"script", "style", "template"}
REFRESH_RE = re.compile(r"url\s*=\s*['\"]?([^'\";]+)", re.I)
DIGITS_RE = re.compile(r"\d+")
JS_TYPES = {"text/javascript", "application/javascript", "module", "text/ecmascript", "application/ecmascript", "text/jscript"}
# what a script that treats search visitors differently does, or how it hides it
SUSPECT_JS = re.compile(r"referrer|useragent|location|document\.write|\bwrite(?:ln)?\s*\(|\beval\b|atob|unescape|fromcharcode|"
                        r"\\x[0-9a-f]{2}|\\u00[0-9a-f]{2}|window\.open|iframe|innerhtml|outerhtml|insertadjacenthtml|"
                        r"createelement|\bfunction\s*\(\s*['\"]|\bnew\s+function|\[\s*['\"][^'\"\]]*['\"]\s*[+\]]", re.I)
FRAME = "[iframe]"  # the "anchor" of a frame's address among a view's links

COLUMNS = ("scan_id", "url", "view", "status", "final_url", "redirect_to", "text_hash", "added_text", "removed_text",
           "added_links", "compared_with", "page_text", "error", "elapsed_ms")


@dataclass
class View:
    """One look at a page: what the checks compare."""
    name: str
    status: int | None = None
    final_url: str = ""
    redirect_to: str | None = None  # an off-scope place the page sent this visitor (not followed)
    segments: list[str] = field(default_factory=list)  # visible text pieces, title and meta keywords/description
    links: dict[str, str] = field(default_factory=dict)  # absolute URL → anchor text
    error: str | None = None
    elapsed_ms: int = 0
    scripts: list = field(default_factory=list)  # (absolute src or None, inline code) of each script that runs

    def text_hash(self) -> str | None:
        return hashlib.sha1("\n".join(self.segments).encode()).hexdigest()[:16] if not self.error else None


def read_html(html: str, base: str) -> tuple[list[str], dict[str, str], str | None, list]:
    """(text segments, links, meta refresh target, scripts) of an HTML page; scripts: (absolute src
    or None, inline code) of each script a browser would run (not type="text/xml" data blocks)."""
    try:
        root = lxml.html.fromstring(html or "<html></html>")
    except (ValueError, lxml.etree.ParserError):
        return [], {}, None, []
    scripts = []
    for el in root.iter("script"):
        kind = (el.get("type") or "").lower().split(";")[0].strip()
        if kind and kind not in JS_TYPES:
            continue
        src = (el.get("src") or "").strip()
        try:
            scripts.append((urljoin(base, src) if src else None, el.text or ""))
        except ValueError:
            continue
    segments: list[str] = []
    refresh = None
    for el in root.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "meta":
            name = (el.get("name") or "").lower()
            if name in ("keywords", "description") and el.get("content"):
                segments.append(f"meta:{name} {clean(el.get('content'))}")
            if (el.get("http-equiv") or "").lower() == "refresh":
                found = REFRESH_RE.search(el.get("content") or "")
                refresh = urljoin(base, found[1].strip()) if found else refresh
            continue
        if tag and tag.lower() not in SKIP_TAGS and el.text and el.text.strip():
            segments.append(clean(el.text))
        if el.tail and el.tail.strip() and el.getparent() is not None:
            segments.append(clean(el.tail))
    links: dict[str, str] = {}
    for a in root.iter("a", "area"):
        href = (a.get("href") or "").strip()
        if href and not href.lower().startswith(("javascript:", "mailto:", "tel:", "#")):
            try:
                links.setdefault(urljoin(base, href), clean(a.text_content() or "")[:200])
            except ValueError:
                continue
    for frame in root.iter("iframe", "frame"):
        src = (frame.get("src") or "").strip()
        if src.lower().startswith(("http://", "https://", "//", "/")):
            try:
                links.setdefault(urljoin(base, src), FRAME)
            except ValueError:
                continue
    return list(dict.fromkeys(segments)), links, refresh, scripts


def signature(scripts: list) -> str:
    """The page's scripts (addresses and code) with digits removed (ids, dates, version numbers): pages
    with one signature — one template — react to a Referer or a User-Agent alike."""
    parts = sorted({DIGITS_RE.sub("", f"{src or ''} {' '.join(code.split())}") for src, code in scripts})
    return hashlib.sha1("\n".join(parts).encode()).hexdigest()[:16]


def worth_rendering(net: Network, scripts: list, cache: dict) -> bool:
    """Whether the page's scripts could show a search visitor something else: code of its own (inline,
    or a script file of the site, fetched once) that reads the referrer or the User-Agent, navigates,
    writes the page or hides what it does (SUSPECT_JS). Script files of other hosts never run in the
    auditor's browser (refused), so they cannot be looked at this way."""
    for src, code in scripts:
        if src is None:
            text = code
        elif src in net.scope:
            if src not in cache:
                cache[src] = _script_text(net, src)
            text = cache[src]
        else:
            continue
        if text is None or SUSPECT_JS.search(text):
            return True  # a script file that could not be read may do anything: rendered
    return False


def _script_text(net: Network, url: str) -> str | None:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    found = net.addresses(parts.hostname or "", port)
    if isinstance(found, str):
        return ""  # not reachable by the browser either
    try:
        with net.turn(url):
            status, _location, content_type, body = _get(url, found[0], port, {"User-Agent": net.user_agent}, net.timeout)
    except (OSError, http.client.HTTPException, ValueError):
        return None
    return body.decode("utf-8", "replace") if status == 200 else ""


class Network:
    """Name resolution, address policy, scope and pacing shared by the plain fetches and the browser."""

    def __init__(self, start_urls, allow_hosts, dns_server, resolve, allow_private, timeout, per_host, delay):
        self.scope = Scope(start_urls, allow_hosts)
        self.policy = AddressPolicy({urlsplit(u).hostname for u in start_urls if urlsplit(u).hostname}
                                    | {bare_host(h) for h in allow_hosts}, allow_private)
        server = parse_server(dns_server)
        self.dns = make_resolver(server, min(timeout, 5.0)) if server else None
        self.pins = parse_resolve(resolve or [])
        self.timeout = timeout
        self.user_agent = "zwgk-audit"
        self.pacer = HostPacer(per_host, delay)  # the crawl's --per-host and --delay
        self.lock = threading.Lock()
        self.cache: dict[tuple[str, int], list[str] | str] = {}

    def addresses(self, host: str, port: int) -> list[str] | str:
        """The addresses the crawl would connect to, or why none may be used (a string)."""
        key = (host.lower(), port)
        with self.lock:
            if key not in self.cache:
                self.cache[key] = self._resolve(*key)
            return self.cache[key]

    def _resolve(self, host: str, port: int) -> list[str] | str:
        try:
            found = [str(ipaddress.ip_address(host.strip("[]")))]
        except ValueError:
            pinned = self.pins.get((host, port))
            try:
                if pinned:
                    found = [pinned]
                elif self.dns is not None:
                    found = [r.address for kind in ("A", "AAAA") for r in _answers(self.dns, host, kind)]
                else:
                    found = list(dict.fromkeys(i[4][0] for i in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)))
            except (OSError, dns.exception.DNSException) as exc:
                return "dns: nxdomain" if isinstance(exc, dns.resolver.NXDOMAIN) else "dns: no answer"
        if not found:
            return "dns: no address"
        refused = self.policy.check(host, found)
        return f"address policy: {refused}" if refused else found

    def may_fetch(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or url not in self.scope:
            return False
        return not isinstance(self.addresses(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)), str)

    def pin(self, host: str, port: int) -> str | None:
        found = self.addresses(host, port)
        return None if isinstance(found, str) else found[0]

    def turn(self, url: str):
        """A request to ``url``'s host in the crawl's politeness (context manager)."""
        return self.pacer.slot((urlsplit(url).hostname or "").lower())


def _answers(resolver, host: str, kind: str):
    try:
        return list(resolver.resolve(host, kind, search=False))
    except (dns.resolver.NoAnswer, dns.resolver.NXDOMAIN):
        return []


def fetch(net: Network, url: str, name: str, headers: dict) -> View:
    """GET ``url`` with ``headers``, following redirects within the crawl's scope (at most MAX_HOPS);
    a redirect or meta refresh leaving the scope is recorded as ``redirect_to``."""
    view = View(name, final_url=url)
    started = time.monotonic()
    try:
        for _hop in range(MAX_HOPS + 1):
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
            found = net.addresses(parts.hostname or "", port)
            if isinstance(found, str):
                view.error = found
                return view
            with net.turn(url):
                status, location, content_type, body = _get(url, found[0], port, headers, net.timeout)
            view.status, view.final_url = status, url
            if 300 <= status < 400 and location:
                target = urljoin(url, location.strip())
                if target not in net.scope:
                    view.redirect_to = target
                    return view
                url = target
                continue
            if "html" not in content_type and "xml" not in content_type and content_type:
                view.error = f"not html: {content_type.split(';')[0]}"
                return view
            text = decode_html(body, content_type).text
            view.segments, view.links, refresh, view.scripts = read_html(text, url)
            if refresh and refresh not in net.scope and refresh.startswith(("http://", "https://")):
                view.redirect_to = refresh
            return view
        view.error = "too many redirects"
        return view
    except (OSError, http.client.HTTPException, ValueError) as exc:
        view.error = _failure(exc)
        return view
    finally:
        view.elapsed_ms = int((time.monotonic() - started) * 1000)


def _failure(exc: Exception) -> str:
    """The kind of failure, as crawler.ipv6 names them (refused, timeout, tls, reset, connect, other)."""
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "timeout"
    if isinstance(exc, ssl.SSLError):
        return "tls"
    if isinstance(exc, (ConnectionResetError, http.client.HTTPException)):
        return "reset"
    return "connect" if isinstance(exc, OSError) else f"other: {exc}"[:200]


def _get(url: str, address: str, port: int, headers: dict, timeout: float) -> tuple[int, str | None, str, bytes]:
    sock = socket.create_connection((address, port), timeout=timeout)
    try:
        conn, path, sock = over_socket(sock, url, port, timeout)
        conn.request("GET", path, headers={"Host": urlsplit(url).netloc, "Accept": "text/html,*/*", **headers})
        response = conn.getresponse()
        body = response.read(MAX_BODY)
        return response.status, response.getheader("Location"), (response.getheader("Content-Type") or "").lower(), body
    finally:
        sock.close()


def rendered(net: Network, renderer, url: str, name: str, referer: str | None, user_agent: str | None = None) -> View:
    with net.turn(url):
        result = renderer.render(url, referer=referer, user_agent=user_agent, timers=TIMER_SECONDS)
    view = View(name, status=result.status, final_url=result.final_url, elapsed_ms=result.elapsed_ms)
    if result.left_for:
        view.redirect_to = result.left_for  # the page then shows Chromium's "blocked" page: its text is not the site's
        return view
    if result.error:
        view.error = f"render: {result.error} {result.detail}".strip()[:200]
        return view
    view.segments, view.links, *_ = read_html(result.html, result.final_url)
    for frame in result.frames_refused:  # an off-site frame or popup the page opened (refused, not fetched)
        view.links.setdefault(frame, FRAME)
    return view


def compare(view: View, normal: View) -> dict:
    """What ``view`` shows that ``normal`` does not (and the reverse), as stored."""
    if view.error or normal.error or view.redirect_to:
        return {"added_text": None, "removed_text": None, "added_links": None}
    have, shown = set(normal.segments), set(view.segments)
    added = [s for s in view.segments if s not in have]
    removed = [s for s in normal.segments if s not in shown]
    hosts = {(urlsplit(u).hostname or "").lower() for u in normal.links}
    links = [{"url": u, "anchor": a, "new_host": (urlsplit(u).hostname or "").lower() not in hosts, "frame": a == FRAME}
             for u, a in view.links.items() if u not in normal.links][:MAX_LINKS]
    return {"added_text": "\n".join(added)[:MAX_TEXT], "removed_text": "\n".join(removed)[:MAX_TEXT],
            "added_links": json.dumps(links, ensure_ascii=False)}


def _suspicious(view: View, normal: View, terms, own: set[str]) -> bool:
    """Whether a rendered view differs from the plain normal view in a way worth a normal render."""
    if view.redirect_to:
        return True
    added = compare(view, normal)
    if added["added_links"] and any(_foreign(link["url"], own) for link in json.loads(added["added_links"])):
        return True
    text = (added["added_text"] or "").lower()
    return terms is None or any(t in text for t in terms)


def _confirmed(look, normal: View, views: list[View], terms, own) -> tuple[View, list[View]]:
    """A view that differs suspiciously is looked at once more (``look(view name)``), and the normal
    view too: what counts is what the view showed both times and the normal view neither time (a
    block rotating on every request, the site's own or not, is not what a search engine alone is
    shown)."""
    if normal.error or not any(not v.error and _suspicious(v, normal, terms, own) for v in views):
        return normal, views
    again = look(normal.name)
    if not again.error:
        normal = replace(normal, segments=normal.segments + [s for s in again.segments if s not in set(normal.segments)],
                         links={**again.links, **normal.links})
    out = []
    for view in views:
        if view.error or not _suspicious(view, normal, terms, own):
            out.append(view)
            continue
        repeat = look(view.name)
        if repeat.error:
            out.append(replace(view, error=f"repeat: {repeat.error}"))  # not seen twice: not judged
            continue
        same_target = (urlsplit(repeat.redirect_to or "").hostname or "") == (urlsplit(view.redirect_to or "").hostname or "")
        kept = set(repeat.segments)
        out.append(replace(view, redirect_to=view.redirect_to if same_target else None,
                           segments=[s for s in view.segments if s in kept or s in set(normal.segments)],
                           links={u: a for u, a in view.links.items() if u in repeat.links or u in normal.links}))
    return normal, out


def _foreign(url: str, own: set[str]) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return bool(host) and registered_domain(host) not in own and not host.endswith(".gov.cn")


def sample(conn, scan_id: int, limit: int) -> list[str]:
    """The home pages, then up to ``limit`` fetched HTML pages: first those the home page links (the
    pages a search engine ranks highest, which a hijack aims at), then the others; within each, one
    per kind and column in turn (URL order), so that different templates and columns come first."""
    home_rows = conn.execute("select url, coalesce(final_url, url) from pages where scan_id = ? and depth = 0 "
                             "and status = 200 order by url", (scan_id,)).fetchall()
    home = list(dict.fromkeys(final for _, final in home_rows))
    sources = sorted({u for row in home_rows for u in row})
    linked = {u for (u,) in conn.execute(
        f"select target_url from links where scan_id = ? and tag = 'a' and source_url in ({', '.join('?' * len(sources))})",
        (scan_id, *sources))} if sources else set()
    rows = conn.execute("select url, coalesce(final_url, url), kind, coalesce(column_url, '') from pages where scan_id = ? "
                        "and status = 200 and kind in ('column', 'document', 'interpretation', 'other') and probe = 0 "
                        "and coalesce(request_body, '') = '' and (content_type is null or content_type like '%html%') "
                        "order by kind, column_url, url", (scan_id,)).fetchall()
    tiers: list[dict[tuple, list[str]]] = [{}, {}]
    for url, final, kind, column in rows:
        if final not in home:
            tiers[url not in linked].setdefault((kind, column), []).append(final)
    picked: list[str] = []
    for groups in tiers:
        queues = list(groups.values())
        depth = 0
        while len(picked) < limit and any(len(q) > depth for q in queues):
            for queue in queues:
                if depth < len(queue) and len(picked) < limit and queue[depth] not in picked:
                    picked.append(queue[depth])
            depth += 1
    return home + picked


def measure(db_path: str, scan_id: int, *, pages: int = 20, render_pages: int = 8, render: bool = True, terms=None, dns_server=None,
            resolve=None, allow_hosts=(), allow_private: bool = False, timeout: float = 15.0, per_host: int = 2, delay: float = 0.5,
            user_agent: str = "zwgk-audit") -> dict:
    """Look at the sample again in every view and store the comparisons; a summary. Of the pages
    whose scripts are worth rendering, one per script signature is rendered (at most
    ``render_pages``: pages built from one template behave alike).
    ``terms`` (lower case): spam words whose appearance in a rendered view asks for a normal
    render to compare with (None: always render the normal view too)."""
    conn = sqlite3.connect(db_path, timeout=60)
    renderer = None
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="zwgk-cloak")
    try:
        with conn:  # a database written before this table existed
            ensure_tables(conn)
        (start_urls,) = conn.execute("select start_urls from scans where id = ?", (scan_id,)).fetchone()
        start_urls = json.loads(start_urls)
        start_urls += [u for (u,) in conn.execute("select final_url from pages where scan_id = ? and depth = 0 and "
                                                  "final_url is not null", (scan_id,)) if u not in start_urls]
        net = Network(start_urls, tuple(allow_hosts), dns_server, resolve, allow_private, timeout, per_host, delay)
        net.user_agent = user_agent
        own = {registered_domain(urlsplit(u).hostname or "") for u in start_urls} | {registered_domain(bare_host(h)) for h in allow_hosts}
        (title,) = conn.execute("select coalesce(max(title), '') from pages where scan_id = ? and depth = 0", (scan_id,)).fetchone()
        query = quote((title or urlsplit(start_urls[0]).hostname or "")[:30])
        urls = sample(conn, scan_id, pages)
        plain = {**{name: {"User-Agent": ua} for name, ua in SPIDERS.items()},
                 **{f"referer:{engine}": {"User-Agent": user_agent, "Referer": search.format(q=query)}
                    for engine, search in SEARCHES.items()},
                 "normal": {"User-Agent": user_agent}}
        # rendered views: (Referer, User-Agent); render:ua:baidu catches a script that sniffs navigator.userAgent
        browsers = {**{f"render:{engine}": (search.format(q=query), None) for engine, search in SEARCHES.items()},
                    "render:ua:baidu": (None, SPIDERS["ua:baidu"]), "normal:render": (None, None)}
        rows: list[tuple] = []
        rendered_scripts: set[str] = set()
        script_texts: dict[str, str | None] = {}
        not_rendered = None
        if render:
            from crawler.render import Renderer

            if Renderer.available():
                renderer = Renderer(net.may_fetch, timeout=timeout, user_agent=user_agent, pin=net.pin,
                                    concurrency=min(2, max(1, per_host)))
            else:
                not_rendered = "render: no Chromium"
        for url in urls:
            first = fetch(net, url, "normal", {"User-Agent": user_agent})
            views = [fetch(net, url, name, headers) for name, headers in plain.items() if name != "normal"]
            normal, views = _confirmed(lambda name: fetch(net, url, name, plain[name]), first, views, terms, own)
            rows.append(_row(scan_id, url, normal, None, page_text=True))
            rows += [_row(scan_id, url, v, normal) for v in views]
            # the scripts of every plain view: a server may answer a search visitor with a script of its own
            scripts = list(dict.fromkeys(s for v in [normal, *views] for s in v.scripts))
            kind = signature(scripts) if scripts else ""
            if not (render and kind and not normal.error) or kind in rendered_scripts:
                continue  # no script, or the same scripts as a page already rendered
            if not worth_rendering(net, scripts, script_texts):
                continue  # its scripts neither read the referrer or User-Agent, nor navigate, write or hide
            if len(rendered_scripts) >= render_pages:
                rows.append(_row(scan_id, url, View("render:baidu", error="render: limit reached"), normal))
                continue
            rendered_scripts.add(kind)
            if renderer is None:
                rows.append(_row(scan_id, url, View("render:baidu", error=not_rendered or "render: switched off"), normal))
                continue
            def look(name: str) -> View:
                return rendered(net, renderer, url, name, *browsers[name])

            shown = list(pool.map(look, [name for name in browsers if name.startswith("render:")]))
            base = normal
            if any(_suspicious(v, normal, terms, own) for v in shown if not v.error):
                base, shown = _confirmed(look, look("normal:render"), shown, terms, own)
                rows.append(_row(scan_id, url, base, None, page_text=True))
            rows += [_row(scan_id, url, v, base) for v in shown]
        with conn:
            conn.execute("delete from cloak_views where scan_id = ?", (scan_id,))
            conn.executemany(f"insert into cloak_views ({', '.join(COLUMNS)}) values ({', '.join('?' * len(COLUMNS))})", rows)
        return {"pages": len(urls), "views": len(rows), "failed": sum(1 for r in rows if r[COLUMNS.index("error")])}
    finally:
        pool.shutdown(wait=True)
        if renderer is not None:
            renderer.close()
        conn.close()


def _row(scan_id: int, url: str, view: View, normal: View | None, page_text: bool = False) -> tuple:
    diff = compare(view, normal) if normal is not None else {"added_text": None, "removed_text": None, "added_links": None}
    return (scan_id, url, view.name, view.status, view.final_url, view.redirect_to, view.text_hash(), diff["added_text"],
            diff["removed_text"], diff["added_links"], normal.name if normal is not None else None,
            "\n".join(view.segments)[:MAX_PAGE_TEXT] if page_text and not view.error else None, view.error, view.elapsed_ms)
