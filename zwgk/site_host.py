"""Many site audits in one process: each site's crawl is one Scrapy crawler on the process's one
reactor — its own settings, politeness, scope, scan database and request queue — and the rest of
its audit (IPv6, checks, publishing) runs in a thread of its own, so a site costs a few MiB, not a
process tree. `zwgk batch` and `zwgk worker` start such processes (zwgk.site_pool) and hand them
sites while the machine has room.

Talk: one JSON line per site on stdin ``{"id", "job", "batch_id", "site_key", "worker"}``; one JSON
line per site on stdout ``{"id", "result"}`` (the result of :func:`zwgk.batch.audit_for_batch`).
Anything else the process prints goes to stderr. stdin closed: the sites running are finished,
then the process exits. SIGTERM/SIGINT: every crawl writes what it fetched and is marked
interrupted (as a lone ``zwgk audit`` does), sites still checking are told interrupted (their
next attempt checks the stored crawl), and the process exits; a second signal exits at once.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from concurrent.futures import Future

WAIT_AFTER_STOP = 5.0  # seconds the audits of a stopped process have to say how they ended


class SiteHost:
    def __init__(self, reactor, out):
        self.reactor, self.out = reactor, out
        self.said = threading.Lock()
        self.runner = None
        self.crawls: dict = {}  # crawler → its PreparedCrawl, while it runs on the reactor
        self.waiting: set[Future] = set()  # crawls an audit thread waits for
        self.audits: dict[int, threading.Thread] = {}
        self.answered: set[int] = set()
        self.lock = threading.Lock()
        self.closing = False

    # ---- stdin: the sites --------------------------------------------------------------------

    def read_sites(self, stream) -> None:
        for line in stream:
            if not line.strip():
                continue
            message = json.loads(line)
            thread = threading.Thread(target=self.audit, args=(message,), name=f"zwgk-site {message['site_key']}", daemon=True)
            with self.lock:
                self.audits[message["id"]] = thread
            thread.start()
        with self.lock:  # the pool has no more sites for this process
            self.closing = True
            idle = not self.audits
        if idle:
            self.reactor.callFromThread(self._stop_reactor)

    def audit(self, message: dict) -> None:
        from zwgk.batch import audit_for_batch, one_line

        try:
            result = audit_for_batch(message, run_crawl=self.crawl)
        except Exception as exc:  # noqa: BLE001 — one site's failure is that site's, never the others'
            import traceback

            traceback.print_exc()
            result = {"status": "failed", "error": one_line(exc)[:2000]}
        self.say(message["id"], result)
        with self.lock:
            self.audits.pop(message["id"], None)
            last = self.closing and not self.audits
        if last:
            self.reactor.callFromThread(self._stop_reactor)

    def say(self, site_id: int, result: dict) -> None:
        with self.said:
            if site_id in self.answered:
                return
            self.answered.add(site_id)
            self.out.write(json.dumps({"id": site_id, "result": result}, ensure_ascii=False) + "\n")
            self.out.flush()

    # ---- one crawl on the shared reactor (called from the site's thread) ---------------------

    def crawl(self, opts) -> int:
        """crawler.run.run_crawl's counterpart: the crawl on this process's reactor; the scan id."""
        from crawler.run import PreparedCrawl

        prepared = PreparedCrawl(opts)
        done: Future = Future()
        started: dict = {}
        with self.lock:
            self.waiting.add(done)
        try:
            self.reactor.callFromThread(self._start, prepared, done, started)
            done.result()  # set by the crawl's end, or by the process stopping
        finally:
            with self.lock:
                self.waiting.discard(done)
            prepared.release(started.get("crawler"))
        return prepared.end()

    def _start(self, prepared, done: Future, started: dict) -> None:
        from crawler.run import interrupted_by

        if interrupted_by() is not None or done.done():  # stopping: the scan is marked interrupted, never begun
            _resolve(done)
            return
        try:
            crawler = self._crawler(prepared)
            started["crawler"] = crawler
            self.crawls[crawler] = prepared
            deferred = self.runner.crawl(crawler, **prepared.spider_arguments())
        except Exception:  # noqa: BLE001 — said on stderr; the scan is not finished, so the audit says why
            import traceback

            traceback.print_exc()
            _resolve(done)
            return

        def ended(outcome):
            self.crawls.pop(crawler, None)
            if hasattr(outcome, "printTraceback"):
                outcome.printTraceback(file=sys.stderr)
            _resolve(done)

        deferred.addBoth(ended)

    def _crawler(self, prepared):
        """A crawler with the site's own settings; the first one also sets up the process: logging,
        the name resolver and the address policy (both shared by every crawl of the process — the
        pool gives a process only sites on the same kind of address, zwgk.site_pool)."""
        from scrapy.crawler import Crawler, CrawlerRunner
        from scrapy.settings import Settings

        from crawler.address_policy import AddressPolicy
        from crawler.dns import ControlledResolver
        from crawler.run import quiet_retries
        from crawler.spiders.disclosure import DisclosureSpider

        settings = Settings(prepared.settings)
        crawler = Crawler(DisclosureSpider, settings)
        if self.runner is None:
            from scrapy.utils.log import configure_logging

            configure_logging(settings)
            quiet_retries(prepared.opts.log_level)
            # no settings of its own: a runner merges its settings into each crawler it is given, over the
            # crawler's own at the same priority (every site would crawl with the first one's)
            self.runner = CrawlerRunner()
            ControlledResolver.from_crawler(crawler, self.reactor).install_on_reactor()
            self.reactor.getThreadPool().adjustPoolsize(maxthreads=settings.getint("REACTOR_THREADPOOL_MAXSIZE"))
        policy = AddressPolicy.of(crawler)
        for host in settings.getlist("ZWGK_SCOPE_HOSTS"):
            policy.add_scope_host(host)
        return crawler

    # ---- stopping ----------------------------------------------------------------------------

    def on_signal(self, signum, frame) -> None:
        from crawler.run import signal_received

        if not signal_received(signum):
            os._exit(128 + signum)  # a second signal: at once (fetched rows are written or saved)
        self.reactor.callFromThread(self.interrupt)

    def on_write_failure(self) -> None:
        """A failed write (disk full …) in any crawl: the disk is the process's, every crawl stops."""
        for prepared in list(self.crawls.values()):
            prepared.reserve.release()  # room to flush what was fetched
        self.reactor.callFromThread(self.interrupt)

    def interrupt(self) -> None:
        from crawler.run import STOP_WITHIN, interrupt_crawl

        self.closing = True
        for crawler in list(self.crawls):
            interrupt_crawl(crawler)
        self.reactor.callLater(STOP_WITHIN, self._stop_now)

    def _stop_now(self) -> None:
        for crawler in list(self.crawls):
            pipeline = getattr(crawler, "zwgk_pipeline", None)
            if pipeline is not None:
                pipeline.interrupt()  # whatever arrived meanwhile is written too
        self._stop_reactor()

    def _stop_reactor(self) -> None:
        if self.reactor.running:
            self.reactor.stop()

    def after_reactor(self) -> None:
        """The reactor has stopped: crawls still awaited end (interrupted), the audits get a few
        seconds to say how they ended, and those that have not are told interrupted."""
        from crawler.run import interrupted_by

        with self.lock:
            waiting, audits = list(self.waiting), dict(self.audits)
        for done in waiting:
            _resolve(done)
        deadline = time.monotonic() + WAIT_AFTER_STOP
        for thread in audits.values():
            thread.join(timeout=max(0.0, deadline - time.monotonic()) if interrupted_by() is not None else None)
        for site_id in audits:
            self.say(site_id, {"status": "interrupted", "error": "interrupted"})


def _resolve(done: Future) -> None:
    if not done.done():
        try:
            done.set_result(None)
        except Exception:  # noqa: BLE001 — set meanwhile by another thread
            pass


def main() -> None:
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # whatever else is printed goes to stderr, never into the results
    from scrapy.utils.reactor import install_reactor

    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    from twisted.internet import reactor

    from crawler import write_errors

    host = SiteHost(reactor, out)
    write_errors.reset(host.on_write_failure)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, host.on_signal)
    threading.Thread(target=host.read_sites, args=(sys.stdin,), name="zwgk-sites", daemon=True).start()
    parent = os.getppid()

    def orphaned():  # the batch or worker that started it is gone (killed): so are its sites
        if os.getppid() != parent:
            os._exit(1)
        reactor.callLater(1.0, orphaned)

    reactor.callLater(1.0, orphaned)
    reactor.run(installSignalHandlers=False)
    host.after_reactor()
    out.flush()
    os._exit(0)  # threads a stopped audit left (a browser's, a check's) end with the process


if __name__ == "__main__":
    main()
