"""The process's one headless Chromium, shared by every ``crawler.render.Renderer`` in it.

A process that audits many sites (zwgk.site_host) renders for all of them; a browser per site costs
~150 MiB each, a browser context (what each render gets: its own cookies, storage, User-Agent and
route handler) a few. So a process starts at most one Chromium per executable, lazily, on the first
render, and every render is a fresh context in it; at most ``PAGES_AT_ONCE`` pages are open at once
(a page is a renderer process of its own: the memory that grows with renders).

Threads. Playwright objects belong to the event loop that created them: the browser lives on one
private thread running an asyncio loop, started with the first renderer and ended with the last.
Renderers post their jobs to that loop.

Lifetime. A browser no render used for ``IDLE_SECONDS`` is stopped (the next render starts one): a
crawl renders a few pages early, the cloak step a few at the end, and in between the browser would
only hold memory. When a page cannot be closed (a script in an endless loop) the browser's process
groups are killed and ``generation`` moves on; renders of other renderers caught in it run again
(crawler.render). When the last renderer closes, or the interpreter exits, no Chromium is left.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import signal
import socket
import threading
import time

# as tests/browser.py drives the report tests, plus what keeps Chromium off the network by itself
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
         "--disable-domain-reliability", "--disable-client-side-phishing-detection", "--disable-breakpad",
         "--no-pings", "--mute-audio", "--metrics-recording-only", "--disable-dev-shm-usage",
         "--force-webrtc-ip-handling-policy=disable_non_proxied_udp"]
IDLE_SECONDS = 20.0
PAGES_AT_ONCE = 4  # pages open at once in the process's browser, whichever renderers asked
LAUNCH_SECONDS = 30.0


class Browser:
    """One Chromium and the thread whose loop drives it; shared by the renderers of one executable."""

    def __init__(self, executable: str):
        self.executable = executable
        self.generation = 0  # moves on whenever the browser is killed or stopped
        self.launch_error: str | None = None
        self._lock = threading.Lock()
        self._users = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._pw = None
        self._browser = None
        self._launching: asyncio.Lock | None = None
        self.pages: asyncio.Semaphore | None = None
        self._busy = 0
        self._last_used = 0.0
        self._pgids: set[int] = set()
        self._dead_proxy: socket.socket | None = None

    # ---- any thread ----

    def attach(self) -> asyncio.AbstractEventLoop:
        """One more renderer uses this browser: its loop (started with the first)."""
        with self._lock:
            self._users += 1
            if self._loop is None:
                # Chromium has no network of its own: its proxy is a reserved port nobody listens on
                self._dead_proxy = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                self._dead_proxy.bind(("127.0.0.1", 0))
                loop = asyncio.new_event_loop()
                ready = threading.Event()

                def run() -> None:
                    asyncio.set_event_loop(loop)
                    self._launching = asyncio.Lock()
                    self.pages = asyncio.Semaphore(PAGES_AT_ONCE)
                    loop.call_soon(ready.set)
                    try:
                        loop.run_forever()
                    finally:
                        loop.close()

                self._thread = threading.Thread(target=run, name="zwgk-browser", daemon=True)
                self._thread.start()
                ready.wait(10)
                self._loop = loop
            return self._loop

    def detach(self) -> None:
        """A renderer closed; the last one stops the browser, its driver and the thread."""
        with self._lock:
            self._users -= 1
            if self._users > 0 or self._loop is None:
                return
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
            self._stop(loop, thread)

    def _stop(self, loop, thread) -> None:
        if thread is not None and thread.is_alive():
            try:
                asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(15)
            except Exception:
                pass
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
        self._kill_groups()
        if self._dead_proxy is not None:
            self._dead_proxy.close()
            self._dead_proxy = None

    # ---- the browser's thread ----

    async def ready(self, seconds: float):
        """The running browser, launched if need be; None when Chromium cannot start (``launch_error``)."""
        async with self._launching:
            if self._browser is not None and self._browser.is_connected():
                return self._browser
            self._browser = None
            try:
                if self._pw is None:
                    from playwright.async_api import async_playwright
                    self._pw = await async_playwright().start()
                before = chromium_groups()
                proxy = self._dead_proxy.getsockname()[1]
                browser = await self._pw.chromium.launch(
                    executable_path=self.executable, headless=True, timeout=max(1.0, min(LAUNCH_SECONDS, seconds)) * 1000,
                    args=[*FLAGS, f"--proxy-server=http://127.0.0.1:{proxy}", "--proxy-bypass-list=<-loopback>"])
            except Exception as exc:
                if "Timeout" in type(exc).__name__:
                    raise TimeoutError("Chromium did not start in time") from exc
                self.launch_error = f"Chromium could not be started: {short_error(exc)}"
                return None
            self._pgids |= chromium_groups() - before
            self._browser = browser
            return browser

    def began(self) -> None:
        self._busy += 1

    def ended(self) -> None:
        self._busy -= 1
        self._last_used = time.monotonic()
        asyncio.get_running_loop().call_later(IDLE_SECONDS + 0.1, self._maybe_idle)

    async def restart(self, why: str) -> None:
        """Kill the browser (a page that cannot be closed); the next render launches a new one."""
        browser, self._browser = self._browser, None
        self.generation += 1
        self._kill_groups()
        if browser is not None:
            await quietly(asyncio.wait_for(browser.close(), timeout=3))

    def _maybe_idle(self) -> None:
        if not self._busy and self._browser is not None and time.monotonic() - self._last_used >= IDLE_SECONDS:
            asyncio.ensure_future(self._close_idle())

    async def _close_idle(self) -> None:
        async with self._launching:  # never while one is being launched
            if self._busy or self._browser is None:
                return
            await self.restart("idle")
            if self._pw is not None:
                await quietly(asyncio.wait_for(self._pw.stop(), timeout=5))
                self._pw = None

    async def _shutdown(self) -> None:
        for task in asyncio.all_tasks():
            if task is not asyncio.current_task():
                task.cancel()
        browser, self._browser = self._browser, None
        self.generation += 1
        if browser is not None:
            await quietly(asyncio.wait_for(browser.close(), timeout=5))
        self._kill_groups()
        if self._pw is not None:
            await quietly(asyncio.wait_for(self._pw.stop(), timeout=5))
            self._pw = None

    def _kill_groups(self) -> None:
        for pgid in list(self._pgids):
            try:
                os.killpg(pgid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self._pgids.discard(pgid)


_BROWSERS: dict[str, Browser] = {}
_BROWSERS_LOCK = threading.Lock()


def shared(executable: str) -> Browser:
    """This process's browser for ``executable``."""
    with _BROWSERS_LOCK:
        if executable not in _BROWSERS:
            _BROWSERS[executable] = Browser(executable)
        return _BROWSERS[executable]


@atexit.register
def _stop_all() -> None:
    for browser in list(_BROWSERS.values()):
        with browser._lock:
            loop, thread = browser._loop, browser._thread
            browser._loop = browser._thread = None
            browser._users = 0
            if loop is not None:
                browser._stop(loop, thread)


async def quietly(awaitable) -> None:
    """Await it; what it raises does not matter (closing something already gone)."""
    try:
        await awaitable
    except Exception:
        pass


def short_error(exc: Exception) -> str:
    """An exception's first line, bounded (for a render's or a launch's ``detail``)."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]


def chromium_groups() -> set[int]:
    """Process groups led by a Chromium descendant of this process (Playwright gives each browser its own)."""
    procs: dict[int, tuple[str, int, int]] = {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as handle:
                stat = handle.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1: stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z":
            procs[int(entry)] = (comm, int(fields[1]), int(fields[2]))  # comm, ppid, pgrp
    me = os.getpid()
    groups = set()
    for pid, (comm, _ppid, pgrp) in procs.items():
        if pgrp != pid or "chrom" not in comm.lower():
            continue
        parent, seen = procs.get(pid, ("", 0, 0))[1], 0
        while parent and parent != me and seen < 64:
            parent, seen = procs.get(parent, ("", 0, 0))[1], seen + 1
        if parent == me:
            groups.add(pid)
    return groups
