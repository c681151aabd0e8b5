"""One page rendered in headless Chromium, with the JSON its scripts fetched.

For list pages that show their items only through script (issue 13, "script-only lists, whatever
the CMS"): the crawler renders such a page once and reads the links of the rendered HTML, or,
failing that, the list items of the captured XHR/fetch JSON (``items_from_json``).

Threads. A process has one Chromium (``crawler.browser``), driven by Playwright's async API on one
private thread, shared by all its renderers: each render is a fresh browser context in it.
``render(url)`` may be called from any thread; it posts the job to that thread's loop and waits for
it, never longer than about ``timeout`` seconds once a page of the browser is free (``submit`` does not
wait: a future of the result); it never raises. At most ``concurrency`` (1 or 2) pages of one renderer
render at once, and at most ``crawler.browser.PAGES_AT_ONCE`` of the whole process.

Network. Chromium itself has no network: it is started with a proxy that is a bound but never
listening local port, so anything Chromium would send on its own (preconnect, DNS prefetch,
background services, a WebSocket, a request some interception missed) fails at once. Every request
of the page goes through one route handler that
  * aborts what is not http(s), what is not a document, script, XHR or fetch (images, media, fonts,
    stylesheets, websockets, event streams, beacons, prefetches …), and every URL ``may_fetch``
    refuses (the crawler's scope and address-policy answer; it is asked again for each redirect);
  * fetches the rest itself (through Playwright's request client, redirects followed one by one here
    so that each hop is asked for) and hands the answer to the page; the JSON bodies (and JSONP) of
    XHR/fetch answers are kept, bounded in count and size.
A fresh browser context serves each render (no cookies or storage kept), with service workers
blocked, downloads refused, no permissions, dialogs dismissed, popups closed and WebRTC removed.

Limits. A render that overruns its time is abandoned and its context closed; if that hangs too (a
script in an endless loop) the browser's process groups are killed and a new browser is started for
the next render; the renders of other sites caught in that browser run once more. ``close()`` ends
the renderer's renders (the last renderer of the process stops the browser); it is idempotent and
also runs at interpreter exit, so no Chromium process outlives the crawler.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import importlib.util
import json as jsonlib
import os
import re
import shutil
import threading
import time
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable
from urllib.parse import urljoin, urlsplit

from crawler.browser import LAUNCH_SECONDS, Browser
from crawler.browser import quietly as _quietly
from crawler.browser import short_error as _short
from crawler.browser import shared as browser_of
from crawler.dates import DATE_RE

ALLOWED_TYPES = {"document", "script", "xhr", "fetch"}
JSON_TYPES = {"xhr", "fetch", "script"}  # script: JSONP only
MAX_REDIRECTS = 5
MAX_REFUSED = 50
BEIJING = timezone(timedelta(hours=8))

# WebRTC would let a script reach addresses over UDP, outside any HTTP interception
_INIT_SCRIPT = """(() => {
  for (const name of ["RTCPeerConnection", "webkitRTCPeerConnection", "RTCDataChannel"]) {
    try { delete window[name]; } catch (e) {}
    try { Object.defineProperty(window, name, {value: undefined, configurable: false}); } catch (e) {}
  }
})();"""
QUEUE_SECONDS = 300.0  # the longest a render waits for a page of the process's browser
CLICK_SECONDS = 5.0  # the longest wait for a click's requests to settle
SETTLE_SECONDS = 0.15  # quiet after a click's last answer: its script has written the page
# The next-page control a reader would click: 下一页 / 加载更多 …, else the page number 2 (the
# innermost visible element with that text; an element that is not a link or button but holds
# other elements is a container, not the control).
_CLICK_NEXT = r"""() => {
  const words = ["下一页", "下页", "后一页", "下一頁", "下一页>", "下一页 >", "下一页>>", "下一页»", "加载更多", "查看更多",
                 "点击加载更多", "点击查看更多", "Next", "next", "›", "»", ">", ">>"];
  const all = Array.from(document.querySelectorAll("a, button, span, li, input[type=button], div, em, i, font, b"));
  const visible = (e) => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length) && !e.disabled
      && !/disabled/i.test(e.className || "");
  const label = (e) => ((e.tagName === "INPUT" ? e.value : e.innerText) || "").replace(/\s+/g, "");
  const control = (e) => /^(A|BUTTON|INPUT)$/.test(e.tagName) || e.onclick || e.getAttribute("onclick") || e.children.length === 0;
  for (const want of [...words, "2"]) {
    for (const e of all) {
      if (label(e) === want && visible(e) && control(e)) { e.click(); return want; }
    }
  }
  return null;
}"""
_OUTER_HTML = "(n) => { const e = document.documentElement; const h = e ? e.outerHTML : ''; return h.length > n ? h.slice(0, n) : h; }"
_JSONP_RE = re.compile(r"^\s*(?:/\*\*/\s*)?[A-Za-z_$][\w$.]*\s*\(\s*([\[{].*[\]}])\s*\)\s*;?\s*$", re.S)


@dataclass
class Call:
    """One request a rendered page's scripts made, and its answer."""
    method: str
    url: str
    body: str  # the request body as text ('' for GET)
    content_type: str  # the request's Content-Type
    answer: str  # the answer's text (JSON, JSONP or HTML)
    answer_type: str  # the answer's Content-Type
    phase: int = 0  # 0: while loading; n: after the n-th click of the next-page control


@dataclass
class RenderResult:
    url: str  # the URL rendered
    final_url: str  # after redirects (each hop allowed by may_fetch)
    html: str  # document.documentElement.outerHTML after the scripts ran and the network went idle (bounded)
    json: list[tuple[str, str]]  # (url, JSON text) of XHR/fetch answers (and JSONP scripts), in arrival order
    error: str | None  # None, or one of: unavailable, closed, busy, timeout, crashed, refused, network,
    #                    not_html, http_status, error; html may still hold what was rendered before it
    elapsed_ms: int
    status: int | None = None  # HTTP status of the page itself
    detail: str = ""  # what went wrong, in words, when error is set
    refused: list[str] = field(default_factory=list)  # requests of the page refused by may_fetch (first 50)
    calls: list = field(default_factory=list)  # crawler.list_api.Call: every XHR/fetch (and JSONP) request with its answer
    pages_after: list[str] = field(default_factory=list)  # the page's HTML after each click of its next-page control
    left_for: str | None = None  # where the page itself tried to go (script, meta refresh, redirect) that may_fetch refused
    frames_refused: list[str] = field(default_factory=list)  # frames and popups the page tried to open that may_fetch refused


def default_executable(executable: str | None = None) -> str:
    """The Chromium used: the one given, $ZWGK_CHROMIUM, `chromium` on PATH, else /usr/bin/chromium."""
    return executable or os.environ.get("ZWGK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


class _Job:
    def __init__(self, url: str, budget: float, started: float, referer: str | None = None, user_agent: str | None = None,
                 timers: float = 0.0, clicks: int = 0):
        self.url = url
        self.budget = budget  # seconds the render may take once a page of the browser is its own
        self.started = started  # when it was asked for
        self.deadline = started + budget  # set again when it begins
        self.referer = referer  # the page is opened as if from this page (Referer, document.referrer)
        self.user_agent = user_agent  # instead of the renderer's
        self.timers = timers  # seconds of the page's clock run at once after loading (its setTimeout callbacks fire)
        self.clicks = clicks  # how many clicks the caller asked for
        self.left_for: str | None = None
        self.frames_refused: list[str] = []
        self.json: list[tuple[str, str]] = []
        self.refused: list[str] = []
        self.redirect: str | None = None  # where the main document redirects (followed by a new goto)
        self.status: int | None = None
        self.not_html: str | None = None
        self.network: str | None = None  # why the main document could not be fetched
        self.crashed = False
        self.main_frame = None
        self.calls: list = []
        self.pending = 0  # requests of the page being fetched now
        self.phase = 0  # clicks of the next-page control so far
        self.pages_after: list[str] = []

    def begin(self) -> None:
        self.deadline = time.monotonic() + self.budget

    def again(self) -> _Job:
        """The same render from the start (its first try was caught in a browser restart)."""
        return _Job(self.url, self.budget, self.started, self.referer, self.user_agent, self.timers, self.clicks)

    def remaining(self) -> float:
        return self.deadline - time.monotonic()


class Renderer:
    """Renders pages one (or two) at a time, each in a fresh context of the process's one Chromium."""

    def __init__(self, may_fetch: Callable[[str], bool], timeout: float = 15.0, user_agent: str | None = None,
                 executable: str | None = None, *, concurrency: int = 1, max_json: int = 50,
                 max_json_bytes: int = 2 * 1024 * 1024, max_html_chars: int = 5 * 1024 * 1024,
                 pin: Callable[[str, int], str | None] | None = None):
        self.may_fetch = may_fetch
        self.pin = pin  # (host, port) → the address the crawl pinned it to (--resolve), or None
        self.timeout = float(timeout)
        self.user_agent = user_agent
        self.executable = default_executable(executable)
        self.concurrency = max(1, min(2, int(concurrency)))
        self.max_json = max_json
        self.max_json_bytes = max_json_bytes
        self.max_html_chars = max_html_chars
        self._lock = threading.Lock()
        self._closed = False
        self._browser: Browser | None = None  # the process's, once this renderer first renders
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots: asyncio.Semaphore | None = None
        self._tasks: set[asyncio.Task] = set()  # this renderer's renders under way
        self._asker = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="zwgk-render-may-fetch")
        _LIVE.add(self)

    # ---- public ----

    @staticmethod
    def available(executable: str | None = None) -> bool:
        """Chromium is present and executable, and Playwright can be imported (nothing is launched)."""
        exe = default_executable(executable)
        return os.path.isfile(exe) and os.access(exe, os.X_OK) and importlib.util.find_spec("playwright") is not None

    def render(self, url: str, clicks: int = 0, referer: str | None = None, user_agent: str | None = None,
               timers: float = 0.0) -> RenderResult:
        """Render ``url``; then click its next-page control (下一页, 加载更多, page 2 …) up to ``clicks``
        times, keeping the HTML after each click (``pages_after``) and the requests it made. With
        ``referer`` the page is opened as a visitor coming from that page; ``user_agent`` replaces the
        renderer's for this render. ``timers``: after loading, the page's clock is run forward that many
        seconds at once, so that what its timers would do later (a delayed redirect) happens now.
        Waits for a page of the browser (other renders of the process may hold them all) at most
        QUEUE_SECONDS; the render itself takes about ``timeout`` seconds at most."""
        started = time.monotonic()
        answer = self.submit(url, clicks, referer, user_agent, timers)
        try:
            return answer.result(timeout=QUEUE_SECONDS * 2 + 2 * (LAUNCH_SECONDS + self._budget(clicks) + 8))
        except concurrent.futures.TimeoutError:  # the browser's loop itself did not answer
            return _result(url, started, error="timeout", detail="abandoned after the time limit")
        except concurrent.futures.CancelledError:
            return _result(url, started, error="closed", detail="the renderer was closed during the render")

    def submit(self, url: str, clicks: int = 0, referer: str | None = None, user_agent: str | None = None,
               timers: float = 0.0) -> concurrent.futures.Future:
        """``render`` without waiting: a future of its RenderResult (never of an exception)."""
        started = time.monotonic()
        answer: concurrent.futures.Future = concurrent.futures.Future()
        try:
            self._submit(answer, _Job(url, self._budget(clicks), started, referer, user_agent, timers, clicks))
        except Exception as exc:
            _answer(answer, _result(url, started, error="error", detail=f"{type(exc).__name__}: {exc}"))
        return answer

    def close(self) -> None:
        """End this renderer's renders; the last renderer of the process stops the browser. Idempotent;
        also run at interpreter exit."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            loop, browser = self._loop, self._browser
        if loop is not None and browser is not None:
            try:
                asyncio.run_coroutine_threadsafe(self._cancel_renders(), loop).result(15)
            except Exception:
                pass
            browser.detach()
        self._asker.shutdown(wait=False, cancel_futures=True)
        _LIVE.discard(self)

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- caller's side ----

    def _budget(self, clicks: int) -> float:
        return self.timeout * (1 + min(clicks, 1)) + CLICK_SECONDS * max(0, clicks - 1)

    def _submit(self, answer: concurrent.futures.Future, job: _Job) -> None:
        if urlsplit(job.url).scheme not in ("http", "https"):
            return _answer(answer, _result(job.url, job.started, error="refused", detail="not an http(s) URL"))
        if not self.available(self.executable):
            return _answer(answer, _result(job.url, job.started, error="unavailable",
                                           detail=f"no Chromium at {self.executable} or no Playwright"))
        with self._lock:
            if self._closed:
                return _answer(answer, _result(job.url, job.started, error="closed", detail="the renderer is closed"))
            if self._loop is None:
                self._browser = browser_of(self.executable)
                self._loop = self._browser.attach()
            loop, browser = self._loop, self._browser
        if browser.launch_error:
            return _answer(answer, _result(job.url, job.started, error="unavailable", detail=browser.launch_error))
        asyncio.run_coroutine_threadsafe(self._job(job, answer), loop)

    # ---- the browser's thread ----

    async def _job(self, job: _Job, answer: concurrent.futures.Future) -> None:
        task = asyncio.current_task()
        self._tasks.add(task)
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.concurrency)
        browser = self._browser
        try:
            async with _within(self._slots, QUEUE_SECONDS) as mine, _within(browser.pages, QUEUE_SECONDS) as page:
                if not (mine and page):
                    _answer(answer, _result(job.url, job.started, error="busy",
                                            detail="no page of the browser free within the time limit"))
                    return
                for attempt in range(2):
                    generation = browser.generation
                    result = await self._attempt(browser, job)
                    if result.error and browser.generation != generation and attempt == 0 and not self._closed:
                        job = job.again()  # killed with a page of another render that hung: once more
                        continue
                    break
                _answer(answer, result)
        except asyncio.CancelledError:  # the renderer is closing
            _answer(answer, _result(job.url, job.started, error="closed", detail="the render was stopped", job=job))
            raise
        finally:
            self._tasks.discard(task)

    async def _attempt(self, browser: Browser, job: _Job) -> RenderResult:
        context = None
        browser.began()
        try:
            chromium = await browser.ready(LAUNCH_SECONDS)
            if chromium is None:
                return _result(job.url, job.started, error="unavailable", detail=browser.launch_error or "")
            job.begin()  # starting the process's browser is not the page's time
            context = await chromium.new_context(
                user_agent=job.user_agent or self.user_agent, service_workers="block", accept_downloads=False, permissions=[],
                ignore_https_errors=True, java_script_enabled=True, locale="zh-CN", timezone_id="Asia/Shanghai",
                viewport={"width": 1366, "height": 900})
            try:
                return await asyncio.wait_for(self._visit(context, job), timeout=max(0.1, job.remaining() + 1.0))
            except TimeoutError:
                return _result(job.url, job.started, error="timeout", detail="abandoned after the time limit", job=job)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            kind = "crashed" if job.crashed or _is_closed(exc) else "timeout" if isinstance(exc, TimeoutError) else "error"
            return _result(job.url, job.started, error=kind, detail=_short(exc), job=job)
        finally:
            if context is not None:
                await self._dispose(browser, context)
            browser.ended()

    async def _cancel_renders(self) -> None:
        tasks = [t for t in self._tasks if not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=10)

    async def _visit(self, context, job: _Job) -> RenderResult:
        started = job.started
        context.set_default_timeout(max(1000, job.remaining() * 1000))
        await context.add_init_script(_INIT_SCRIPT)
        await context.route("**/*", lambda route: self._route(route, job))
        await context.route_web_socket("**/*", _refuse_websocket)
        if job.timers:
            await context.clock.install()
        page = await context.new_page()
        page.on("dialog", lambda dialog: asyncio.ensure_future(_quietly(dialog.dismiss())))
        page.on("crash", lambda _page: setattr(job, "crashed", True))
        context.on("page", lambda other: other is page or asyncio.ensure_future(_quietly(other.close())))
        job.main_frame = page.main_frame

        error = detail = None
        target = job.url
        for _hop in range(MAX_REDIRECTS + 1):
            job.redirect = None
            try:
                await page.goto(target, wait_until="load", timeout=max(1.0, job.remaining() - 1.0) * 1000, referer=job.referer)
            except Exception as exc:
                if job.redirect:
                    target = job.redirect
                    continue
                error, detail = self._navigation_error(exc, job)
            break
        else:
            error, detail = "network", "too many redirects"
        if error is None:
            try:
                await page.wait_for_load_state("networkidle", timeout=max(0.5, job.remaining() - 1.0) * 1000)
            except Exception as exc:
                error, detail = ("crashed", _short(exc)) if job.crashed else ("timeout", "the network did not go idle in time")
        if error is None and job.timers:
            try:
                await asyncio.wait_for(page.clock.run_for(int(job.timers * 1000)), timeout=max(0.5, min(3.0, job.remaining() - 1.0)))
                await asyncio.sleep(0.2)  # a navigation the timers started reaches the route handler
                await page.wait_for_load_state("networkidle", timeout=max(0.5, min(3.0, job.remaining() - 1.0)) * 1000)
            except Exception:
                pass  # what the page shows now is read below; a page that navigated away is left_for
        html = ""
        if error not in ("not_html", "refused", "network"):
            try:
                html = await asyncio.wait_for(page.evaluate(_OUTER_HTML, self.max_html_chars),
                                              timeout=max(0.5, min(3.0, job.remaining())))
            except Exception as exc:
                if error is None:
                    error, detail = ("crashed", _short(exc)) if job.crashed or _is_closed(exc) else ("timeout", "the page's script does not yield")
        if error is None and html and job.clicks:
            await self._click_through(page, job)
        if error is None and job.status is not None and job.status >= 400:
            error, detail = "http_status", f"HTTP {job.status}"
        final_url = page.url if urlsplit(page.url or "").scheme in ("http", "https") else target
        return _result(job.url, started, final_url=final_url, html=html or "", error=error, detail=detail or "", job=job)

    async def _click_through(self, page, job: _Job) -> None:
        """Click the next-page control up to ``job.clicks`` times while the page changes."""
        last = None
        for _ in range(job.clicks):
            if job.remaining() < 2:
                return
            job.phase += 1
            try:
                before = len(job.calls)
                clicked = await asyncio.wait_for(page.evaluate(_CLICK_NEXT), timeout=3)
                if not clicked:
                    return
                await _settle(job, before, min(CLICK_SECONDS, max(0.5, job.remaining() - 1.0)))
                html = await asyncio.wait_for(page.evaluate(_OUTER_HTML, self.max_html_chars), timeout=3)
            except Exception:
                return
            if html == last:
                return
            job.pages_after.append(html)
            last = html

    def _navigation_error(self, exc: Exception, job: _Job) -> tuple[str, str]:
        text = _short(exc)
        if job.not_html:
            return "not_html", f"the page is {job.not_html}"
        if job.crashed or _is_closed(exc):
            return "crashed", text
        if "ERR_BLOCKED_BY_CLIENT" in text:
            return "refused", "may_fetch refused the page or a redirect of it"
        if job.network:
            return "network", job.network
        if "Timeout" in type(exc).__name__ or "Timeout" in text:
            return "timeout", "the page did not load in time"
        return "network", text

    async def _route(self, route, job: _Job) -> None:
        job.pending += 1
        try:
            await self._route_one(route, job)
        finally:
            job.pending -= 1

    async def _route_one(self, route, job: _Job) -> None:
        """Every request of the page: refuse, or fetch here (redirects asked for hop by hop) and answer."""
        main = False
        try:
            request = route.request
            kind = request.resource_type
            url = request.url
            main = request.is_navigation_request() and _frame(request) is job.main_frame
            if urlsplit(url).scheme not in ("http", "https") or kind not in ALLOWED_TYPES:
                await route.abort("blockedbyclient")
                return
            if not await self._allowed(url, job):
                if main and job.left_for is None and url != job.url:
                    job.left_for = url
                elif not main and kind == "document" and len(job.frames_refused) < MAX_REFUSED:
                    job.frames_refused.append(url)
                await route.abort("blockedbyclient")
                return
            method, data = request.method, request.post_data_buffer
            response = None
            for _hop in range(MAX_REDIRECTS + 1):
                target, headers = self._pinned(url, request)
                response = await route.fetch(url=target, method=method, post_data=data, max_redirects=0, headers=headers,
                                             timeout=max(0.5, job.remaining()) * 1000)
                location = response.headers.get("location")
                if not (300 <= response.status < 400 and location):
                    break
                url = urljoin(url, location.strip())
                if response.status in (301, 302, 303) and method != "HEAD":
                    method, data = ("GET", None) if method == "POST" or response.status == 303 else (method, data)
                if main:
                    job.redirect = url  # a new navigation, so that the document gets its own URL
                    await route.abort("aborted")
                    return
                if urlsplit(url).scheme not in ("http", "https") or not await self._allowed(url, job):
                    await route.abort("blockedbyclient")
                    return
            else:
                await route.abort("failed")
                return
            content_type = (response.headers.get("content-type") or "").lower()
            if main:
                job.status = response.status
                if content_type and not any(t in content_type for t in ("html", "xml")):
                    job.not_html = content_type.split(";")[0].strip()
                    await route.abort("aborted")
                    return
            body = await response.body()
            if kind in JSON_TYPES and len(job.json) < self.max_json and len(body) <= self.max_json_bytes:
                text = _json_text(body, content_type, jsonp=(kind == "script"))
                if text is not None:
                    job.json.append((url, text))
                if text is not None or kind != "script":
                    job.calls.append(Call(request.method, request.url, _decode(data or b"", ""),
                                          request.headers.get("content-type") or "", _decode(body, content_type),
                                          content_type, job.phase))
            await route.fulfill(response=response, body=body)
        except Exception as exc:
            if main:
                job.network = _short(exc)
            await _quietly(route.abort("failed"))

    def _pinned(self, url: str, request) -> tuple[str, dict | None]:
        """The crawl's own name pins (--resolve) hold for the rendered page too: an http URL of a
        pinned host is fetched from the pinned address with the name in the Host header."""
        parts = urlsplit(url)
        address = self.pin(parts.hostname or "", parts.port or 80) if self.pin and parts.scheme == "http" else None
        if not address:
            return url, None
        host = f"[{address}]" if ":" in address else address
        netloc = f"{host}:{parts.port}" if parts.port else host
        return parts._replace(netloc=netloc).geturl(), {**request.headers, "host": parts.netloc}

    async def _allowed(self, url: str, job: _Job) -> bool:
        """may_fetch's answer, asked in a helper thread so that a slow answer cannot stall the loop."""
        try:
            allowed = bool(await asyncio.wait_for(asyncio.get_running_loop().run_in_executor(self._asker, self.may_fetch, url),
                                                  timeout=max(0.1, job.remaining())))
        except Exception:
            allowed = False
        if not allowed and len(job.refused) < MAX_REFUSED:
            job.refused.append(url)
        return allowed

    async def _dispose(self, browser: Browser, context) -> None:
        try:
            await asyncio.wait_for(context.close(), timeout=5)
        except asyncio.CancelledError:
            raise
        except Exception:  # a page whose script does not yield: only killing the browser ends it
            await browser.restart("a page did not close")


# ---- helpers ----

async def _settle(job: _Job, calls_before: int, limit: float) -> None:
    """After a click: wait until its requests have been answered and nothing new came for
    SETTLE_SECONDS (a load state would not do: the page reached "networkidle" before the click),
    at most ``limit`` seconds; a click that asks for nothing (paging in the page) settles as fast."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    seen, quiet_since = len(job.calls), loop.time()
    while loop.time() < deadline:
        await asyncio.sleep(0.05)
        if len(job.calls) != seen or job.pending:
            seen, quiet_since = len(job.calls), loop.time()
        elif loop.time() - quiet_since >= SETTLE_SECONDS and (len(job.calls) > calls_before or loop.time() - quiet_since >= 0.5):
            return

class _within:
    """``async with _within(semaphore, seconds) as held``: acquired within the time (held is True) or not."""

    def __init__(self, semaphore: asyncio.Semaphore, seconds: float):
        self.semaphore, self.seconds, self.held = semaphore, seconds, False

    async def __aenter__(self) -> bool:
        try:
            await asyncio.wait_for(self.semaphore.acquire(), timeout=self.seconds)
            self.held = True
        except TimeoutError:
            pass
        return self.held

    async def __aexit__(self, *exc) -> None:
        if self.held:
            self.semaphore.release()


_LIVE: "weakref.WeakSet[Renderer]" = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for renderer in list(_LIVE):
        renderer.close()


def _result(url: str, started: float, *, final_url: str | None = None, html: str = "", error: str | None = None,
            detail: str = "", job: _Job | None = None) -> RenderResult:
    return RenderResult(url=url, final_url=final_url or url, html=html, json=list(job.json) if job else [],
                        error=error, elapsed_ms=int((time.monotonic() - started) * 1000),
                        status=job.status if job else None, detail=detail, refused=list(job.refused) if job else [],
                        calls=list(job.calls) if job else [], pages_after=list(job.pages_after) if job else [],
                        left_for=job.left_for if job else None, frames_refused=list(job.frames_refused) if job else [])


def _answer(future: concurrent.futures.Future, result: RenderResult) -> None:
    if not future.done():
        future.set_result(result)


async def _refuse_websocket(ws) -> None:
    await _quietly(ws.close())


def _frame(request):
    try:
        return request.frame
    except Exception:  # service-worker requests have none
        return None


def _is_closed(exc: Exception) -> bool:
    text = str(exc)
    return "TargetClosed" in type(exc).__name__ or "has been closed" in text or "crashed" in text.lower()


def _json_text(body: bytes, content_type: str, jsonp: bool = False) -> str | None:
    """The body as JSON text if it is JSON (or, for scripts, JSONP: the JSON inside the call)."""
    text = _decode(body, content_type).strip()
    if not jsonp and ("json" in content_type or text[:1] in ("{", "[")):
        candidate = text
    elif jsonp or "javascript" in content_type or "json" in content_type:
        match = _JSONP_RE.match(text)
        if not match:
            return None
        candidate = match.group(1)
    else:
        return None
    try:
        jsonlib.loads(candidate)
    except ValueError:
        return None
    return candidate


def _decode(body: bytes, content_type: str) -> str:
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    match = re.search(r"charset=[\"']?([\w.-]+)", content_type)
    codecs = [match.group(1)] if match else []
    for codec in [*codecs, "utf-8", "gb18030"]:
        try:
            return body.decode("gb18030" if codec.lower() in ("gbk", "gb2312", "cp936") else codec)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", "replace")


# ---- list items in JSON of unknown shape ----

_URL_KEYS = ["url", "link", "href", "docpuburl", "chnldocurl", "posturl", "docurl", "linkurl", "detailurl",
             "articleurl", "infourl", "contenturl", "pageurl", "weburl", "visiturl", "redirecturl", "path"]
_URL_SKIP = ("pic", "img", "image", "thumb", "icon", "logo", "cover", "video", "audio", "photo", "avatar")
_TITLE_KEYS = ["title", "doctitle", "articletitle", "infotitle", "fulltitle", "maintitle", "listtitle", "subject",
               "headline", "name", "topic", "wtitle", "showtitle"]
_DATE_KEYS = ["publishdate", "publishtime", "pubdate", "pubtime", "docpubtime", "releasedate", "releasetime",
              "docreltime", "reltime", "firstpublishtime", "publishedat", "published", "createtime", "createdate",
              "created", "createdat", "crtime", "writetime", "date", "time", "updatetime", "modifytime"]
_TAG_RE = re.compile(r"<[^>]*>")


def _norm(key: str) -> str:
    return re.sub(r"[_\-\s]", "", str(key)).lower()


def _pick(item: dict, names: list[str], suffixes: tuple[str, ...] = (), skip: tuple[str, ...] = ()) -> Any:
    keys = {_norm(k): k for k in item}
    for name in names:
        if name in keys and item[keys[name]] not in (None, ""):
            return item[keys[name]]
    for norm, key in keys.items():
        if suffixes and norm.endswith(suffixes) and not any(s in norm for s in skip) and item[key] not in (None, ""):
            return item[key]
    return None


def _url_value(value: Any, base_url: str) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or any(c.isspace() for c in value) or value.lower().startswith(("javascript:", "mailto:", "#", "data:")):
        return None
    if not (re.match(r"(?i)https?://", value) or value.startswith(("/", "./", "../"))
            or re.search(r"\.(s?html?|jsp|aspx?|php|do)(\?|#|$)|/", value)):
        return None
    absolute = urljoin(base_url, value)
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


def _date_text(value: Any) -> str | None:
    """A written date as written; epoch seconds or milliseconds as Beijing time 'YYYY-MM-DD HH:MM:SS'."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{10}|\d{13}", text):
            value = int(text)
        elif DATE_RE.search(text):
            return text
        else:
            return None
    if isinstance(value, (int, float)):
        seconds = value / 1000 if value >= 1e11 else value
        if not 3.2e8 <= seconds <= 4.2e9:  # 1980 … 2103
            return None
        return datetime.fromtimestamp(seconds, BEIJING).strftime("%Y-%m-%d %H:%M:%S")
    return None


def _item(obj: dict, base_url: str) -> tuple[str, str, str | None] | None:
    url = _url_value(_pick(obj, _URL_KEYS, ("url", "link", "href"), _URL_SKIP), base_url)
    title = _pick(obj, _TITLE_KEYS, ("title",))
    if url is None or not isinstance(title, str):
        return None
    title = re.sub(r"\s+", " ", _TAG_RE.sub("", title)).strip()  # search answers mark hits with <em>
    if not title:
        return None
    date = None
    keys = {_norm(k): k for k in obj}
    for name in _DATE_KEYS + sorted(k for k in keys if k.endswith(("time", "date")) and k not in _DATE_KEYS):
        if name in keys:
            date = _date_text(obj[keys[name]])
            if date:
                break
    return url, title, date


def _arrays(node: Any, depth: int = 0) -> Iterable[list]:
    if depth > 12:
        return
    if isinstance(node, list):
        if any(isinstance(x, dict) for x in node):
            yield node
        for x in node:
            yield from _arrays(x, depth + 1)
    elif isinstance(node, dict):
        for x in node.values():
            yield from _arrays(x, depth + 1)


def items_from_json(json_list: Iterable[tuple[str, str]], base_url: str) -> list[tuple[str, str, str | None]]:
    """List items found in captured JSON of unknown shape, as (absolute url, title, date text or None).

    Every array of objects anywhere in each body is looked at; an object is an item when it has a
    URL-like field (url, link, href, docpuburl, chnldocurl, post_url …, or any key ending in url/link/href
    that is not an image's) holding an http(s) URL or a path, and a title-like field (title, doctitle,
    name …; HTML tags such as search-hit <em> removed). The date is the first date-like field
    (publish/release, then rel, then create, then any *time/*date key) holding a written date
    (2026-03-11, 2026年3月11日 …, returned as written) or epoch seconds/milliseconds (returned as Beijing
    time). URLs are resolved against ``base_url`` (the page that fetched them: its script inserts them
    there). Items are returned in order, each URL once. Navigation arrays ({name, url} menus) qualify
    too: call it for pages whose rendered HTML has no list items.
    """
    found: list[tuple[str, str, str | None]] = []
    seen: set[str] = set()
    for _source, text in json_list:
        try:
            data = jsonlib.loads(text)
        except (ValueError, TypeError):
            continue
        for array in _arrays(data):
            for obj in array:
                item = _item(obj, base_url) if isinstance(obj, dict) else None
                if item and item[0] not in seen:
                    seen.add(item[0])
                    found.append(item)
    return found
