"""Many sites: the sites file, the batch tables, and each site's audit — many sites per process, as
many at once as the machine has room for (zwgk.site_pool) — from a thread pool on this machine
(`zwgk batch sites.yaml`) or from Celery workers on many (`zwgk batch sites.yaml --broker redis://…`,
`zwgk worker`); both call :func:`run_site`.

A site is *claimed* by one conditional UPDATE (atomic on SQLite and PostgreSQL alike) and held by
a heartbeat while its audit runs; a task delivered twice, or delivered again after its worker
died, finds the site done (and does nothing) or held by a live worker (and waits) or held by a
dead one (and takes it over). With a PostgreSQL database the scan is published and the site
marked done in one transaction, only by the worker holding the claim: one result per site.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shlex
import signal
import socket
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from storage.postgres import BATCH_DDL, without_password
from reports.batch import DONE  # noqa: F401 — the site has its one result (zwgk.cli reads it here too)
from reports.times import BEIJING
from zwgk.pipeline import AuditInputError, AuditJob, url_problem

if TYPE_CHECKING:
    from reports.batch import BatchInfo

HEARTBEAT_EVERY = float(os.environ.get("ZWGK_HEARTBEAT_SECONDS", "5"))
STALE_AFTER = 4 * HEARTBEAT_EVERY  # a claim not renewed for this long belongs to a dead worker
# on each scan a batch audited: the sites file's 网站名称 and 网站标识码, for that site's own report
SCAN_SITE_COLUMNS = ("site_name", "site_code")
CSV_COLUMNS = {"网站名称": "name", "网站标识码": "code", "首页网址": "url", "主办单位": "organiser",
               "name": "name", "code": "code", "url": "url", "organiser": "organiser"}


class SitesError(AuditInputError):
    """A sites file that cannot be used (one line naming the file and the row, exit code 2)."""


@dataclass
class Site:
    key: str
    name: str
    urls: list[str]
    code: str | None = None
    organiser: str | None = None
    allow_hosts: list[str] = field(default_factory=list)
    rules_file: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---- the sites file -------------------------------------------------------------------------

def load_sites(path: str) -> list[Site]:
    """Sites from YAML (``sites:`` list of name/url(s)/code/organiser/allow_hosts/rules) or from a CSV
    with the national site list's columns 网站名称, 网站标识码, 首页网址, 主办单位 (UTF-8 or GB18030)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise SitesError(f"无法读取网站清单 cannot read sites file {path}: {exc.strerror or exc}") from None
    if p.suffix.lower() == ".csv":
        entries = _csv_entries(path, raw)
    else:
        try:
            data = yaml.safe_load(raw.decode("utf-8-sig"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise SitesError(f"{path}: 不是有效的 YAML not valid YAML: {' '.join(str(exc).split())}") from None
        entries = data.get("sites") if isinstance(data, dict) else data
        if not isinstance(entries, list):
            raise SitesError(f"{path}: 应为网站列表（sites: [...]）expected a list of sites under 'sites:'")
        entries = [(f"site {i + 1}", e) for i, e in enumerate(entries)]
    sites: list[Site] = []
    seen: dict[str, tuple] = {}  # the key as compared (３３０１ is 3301, ABC is abc) → where it was first, as written
    for where, entry in entries:
        site = _site(path, where, entry, p.parent)
        same = same_key(site.key)
        if same in seen:
            first, key = seen[same]
            raise SitesError(f"{path}: {where}: 网站重复，与 {first} 相同 duplicate site, same as {first}: "
                             f"{_shown(site.key)} / {_shown(key)}")
        seen[same] = (where, site.key)
        sites.append(site)
    if not sites:
        raise SitesError(f"{path}: 清单中没有网站 no sites in the file")
    return sites


def _csv_entries(path: str, raw: bytes) -> list[tuple]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SitesError(f"{path}: 无法识别编码（应为 UTF-8 或 GB18030）unknown encoding (expected UTF-8 or GB18030)")
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    if not any(CSV_COLUMNS.get((k or "").strip()) == "url" for k in reader.fieldnames or ()):
        raise SitesError(f"{path}: 缺少“首页网址”列 no 首页网址 (url) column; expected 网站名称,网站标识码,首页网址,主办单位")
    if not rows:
        raise SitesError(f"{path}: 清单中没有网站（只有标题行）no sites in the list (only its header row)")
    entries = []
    for n, row in enumerate(rows):
        raw = {CSV_COLUMNS[k.strip()]: v for k, v in row.items() if k and k.strip() in CSV_COLUMNS}
        _refuse_forbidden(path, f"row {n + 2}", raw)  # before the spaces around a value are trimmed
        entries.append((f"row {n + 2}", {k: (v or "").strip() or None for k, v in raw.items()}))
    return entries


def same_key(key: str) -> str:
    """A site key as two entries are compared: NFKC, then case folded (３３０１ is 3301, ABC is abc)."""
    import unicodedata

    return unicodedata.normalize("NFKC", key).casefold()


# characters no sites file may hold: C0 and C1 controls (NUL, tab, newline, DEL …), lone surrogates and
# U+FFFE/U+FFFF, which neither an XML workbook nor a UTF-8 page or database can carry
FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
FIELD_WORDS = {"name": "网站名称", "code": "网站标识码", "url": "首页网址", "urls": "首页网址", "organiser": "主办单位",
               "allow_hosts": "一并抓取的主机", "rules": "规则文件"}


def _shown(text: str, limit: int = 60) -> str:
    """A value as a one-line message shows it: at most ``limit`` characters."""
    return text if len(text) <= limit else text[:limit] + "…"


def _forbidden(value, field: str = "") -> tuple[str, str] | None:
    """The first forbidden character in ``value`` (a string, or the strings in a list or mapping) and
    the field it is in."""
    if isinstance(value, str):
        found = FORBIDDEN.search(value)
        return (found.group(), field) if found else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for name, item in items:
        hit = _forbidden(name, field) or _forbidden(item, field or str(name))
        if hit:
            return hit
    return None


def _refuse_forbidden(path: str, where, entry: dict) -> None:
    hit = _forbidden(entry)
    if hit:
        char, field = hit
        zh, en = ("控制字符", "control character") if char < "\ud800" else ("无效字符", "invalid character")
        raise SitesError(f"{path}: {where}: {FIELD_WORDS.get(field, field)}含{zh} U+{ord(char):04X} {en} in {field}")


def _site(path: str, where, entry, base: Path) -> Site:
    if not isinstance(entry, dict):
        raise SitesError(f"{path}: {where}: 应为键值表 expected a mapping with name and url")
    _refuse_forbidden(path, where, entry)
    urls = entry.get("urls") or ([entry["url"]] if entry.get("url") else [])
    if isinstance(urls, str):
        urls = [urls]
    if not urls:
        raise SitesError(f"{path}: {where}: 缺少首页网址 no url")
    for url in urls:
        if not isinstance(url, str) or "://" not in url:
            url = f"http://{url}/" if isinstance(url, str) and url and "/" not in url else url
        problem = url_problem(str(url))
        if problem:
            raise SitesError(f"{path}: {where}: 不是有效的网址 not a valid http(s) URL: {url} ({problem})")
    urls = [u if "://" in u else f"http://{u}/" for u in urls]
    from urllib.parse import urlsplit

    code = str(entry["code"]).strip() if entry.get("code") not in (None, "") else None
    key = code or urlsplit(urls[0]).netloc.lower()
    rules = entry.get("rules")
    if rules is not None:
        rules = str((base / str(rules)).resolve()) if not Path(str(rules)).is_absolute() else str(rules)
        if not Path(rules).is_file():
            raise SitesError(f"{path}: {where}: 规则文件不存在 no such rules file: {entry.get('rules')}")
    hosts = entry.get("allow_hosts") or []
    return Site(key=key, name=str(entry.get("name") or key), urls=list(urls), code=code,
                organiser=entry.get("organiser"), allow_hosts=[str(h) for h in hosts], rules_file=rules)


# ---- the batch tables -----------------------------------------------------------------------

def ensure_batch_tables(conn) -> None:
    """The batch tables, and the scans' site columns on a database made by an older zwgk. Nothing is
    done when they are there (storage.postgres creates them with the schema), so a user with only
    the right to read and write rows can run a batch."""
    from storage.schema import table_columns

    scans = table_columns(conn, "scans")
    if table_columns(conn, "batches") and table_columns(conn, "batch_sites") and all(c in scans for c in SCAN_SITE_COLUMNS):
        return
    server = getattr(conn, "dialect", None) == "postgresql"
    with conn:
        for ddl in BATCH_DDL:
            conn.execute(ddl)
        for column in SCAN_SITE_COLUMNS:
            if column not in table_columns(conn, "scans"):  # IF NOT EXISTS: another zwgk may add it meanwhile
                conn.execute(f'ALTER TABLE "scans" ADD COLUMN {"IF NOT EXISTS " if server else ""}"{column}" TEXT')


def new_batch(conn, sites: list[Site], sites_file: str, settings: dict, broker: str | None, batch_id: str | None = None) -> str:
    """Record a batch and its sites (queued); an existing ``batch_id`` is continued: sites not done
    are queued again, done ones kept."""
    ensure_batch_tables(conn)
    batch_id = batch_id or datetime.now(BEIJING).strftime("%Y%m%d-%H%M%S") + f"-{os.getpid() % 10000:04d}"
    with conn:
        if conn.execute('select 1 from "batches" where "id" = ?', (batch_id,)).fetchone() is None:
            conn.execute('insert into "batches" ("id", "created_at", "sites_file", "settings", "broker") values (?, ?, ?, ?, ?)',
                         (batch_id, now(), sites_file, json.dumps(settings, ensure_ascii=False), without_password(broker)))
        for position, site in enumerate(sites):
            row = conn.execute('select "status" from "batch_sites" where "batch_id" = ? and "site_key" = ?',
                               (batch_id, site.key)).fetchone()
            if row is None:
                conn.execute('insert into "batch_sites" ("batch_id", "site_key", "position", "name", "code", "url", "organiser", '
                             '"status", "attempts", "queued_at") values (?, ?, ?, ?, ?, ?, ?, \'queued\', 0, ?)',
                             (batch_id, site.key, position, site.name, site.code, site.urls[0], site.organiser, now()))
            elif row[0] not in DONE:
                conn.execute('update "batch_sites" set "status" = \'queued\', "error" = null, "queued_at" = ? '
                             'where "batch_id" = ? and "site_key" = ?', (now(), batch_id, site.key))
    return batch_id


def claim(conn, batch_id: str, key: str, worker: str) -> bool:
    """Take the site for ``worker``: queued, failed, interrupted, held by a worker whose heartbeat
    stopped, or by ``worker`` itself (its task tried again after an outage). One UPDATE, so two
    workers never both succeed."""
    with conn:
        cursor = conn.execute(
            'update "batch_sites" set "status" = \'running\', "worker" = ?, "heartbeat" = ?, "started_at" = ?, '
            '"attempts" = coalesce("attempts", 0) + 1, "error" = null where "batch_id" = ? and "site_key" = ? and '
            '("status" in (\'queued\', \'failed\', \'interrupted\') or ("status" = \'running\' and '
            '("heartbeat" < ? or "worker" = ?)))',
            (worker, time.time(), now(), batch_id, key, time.time() - STALE_AFTER, worker))
        return cursor.rowcount == 1


def site_row(conn, batch_id: str, key: str):
    return conn.execute('select * from "batch_sites" where "batch_id" = ? and "site_key" = ?', (batch_id, key)).fetchone()


def finish(conn, batch_id: str, key: str, worker: str, status: str, scan_id: int | None, error: str | None,
           summary: dict | None = None) -> bool:
    """Record the site's outcome if ``worker`` still holds it (False otherwise); a site done names its
    scan with the sites file's 网站名称 and 网站标识码 (scans.site_name, scans.site_code)."""
    s = summary or {}
    cursor = conn.execute(
        'update "batch_sites" set "status" = ?, "scan_id" = ?, "error" = ?, "site" = ?, "score" = ?, "passed" = ?, '
        '"findings" = ?, "vetoes" = ?, "finished_at" = ? where "batch_id" = ? and "site_key" = ? and "worker" = ? '
        'and "status" = \'running\'',
        (status, scan_id, error, s.get("site"), s.get("score"), None if s.get("passed") is None else int(s["passed"]),
         s.get("findings"), len(s.get("vetoes") or []) if s else None, now(), batch_id, key, worker))
    if cursor.rowcount != 1:
        return False
    # only a site done: the scan id of an interrupted audit for a server database is its local work file's
    if status in DONE and scan_id is not None:
        conn.execute('update "scans" set "site_name" = (select "name" from "batch_sites" where "batch_id" = ? and "site_key" = ?), '
                     '"site_code" = (select "code" from "batch_sites" where "batch_id" = ? and "site_key" = ?) where "id" = ?',
                     (batch_id, key, batch_id, key, scan_id))
    return True


class Heartbeat(threading.Thread):
    """Renews a claim every few seconds while the audit runs; a database that restarts meanwhile is
    connected to again at the next beat (the claim goes stale only while it is down)."""

    def __init__(self, db: str, batch_id: str, key: str, worker: str):
        super().__init__(daemon=True, name=f"heartbeat {key}")
        self.db, self.batch_id, self.key, self.worker = db, batch_id, key, worker
        self.stopped = threading.Event()

    def run(self) -> None:
        from zwgk.pipeline import connect_db

        conn = None
        while not self.stopped.wait(HEARTBEAT_EVERY):
            try:
                conn = conn or connect_db(self.db)
                with conn:
                    conn.execute('update "batch_sites" set "heartbeat" = ? where "batch_id" = ? and "site_key" = ? and '
                                 '"worker" = ? and "status" = \'running\'', (time.time(), self.batch_id, self.key, self.worker))
            except Exception:  # noqa: BLE001 — the database restarting: connect again at the next beat
                conn = _close_quietly(conn)
        _close_quietly(conn)

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=30)


def _close_quietly(conn) -> None:
    try:
        if conn is not None:
            conn.close()
    except Exception:  # noqa: BLE001 — a connection the server already dropped
        pass


# ---- one site -------------------------------------------------------------------------------

def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_native_id()}"


def site_job(job: AuditJob, site: Site) -> AuditJob:
    """The batch's options applied to one site (its own start URLs, hosts and rules)."""
    data = job.to_dict()
    data.update(urls=list(site.urls), rules_file=site.rules_file or job.rules_file, out_dir=None)
    crawl = dict(data["crawl"])
    crawl["allow_hosts"] = tuple(crawl.get("allow_hosts") or ()) + tuple(site.allow_hosts)
    crawl["progress"] = False
    data["crawl"] = crawl
    data["quiet"] = True
    return AuditJob.from_dict(data)


def run_site(db: str, batch_id: str, site: Site, job: AuditJob, worker: str | None = None) -> str:
    """Audit one site of a batch in a site-host process (zwgk.site_pool), exactly once per batch; the site's final status
    ("skipped" when another worker did it, or holds it alive). Outage when the database could not be
    reached (the site's claim, if any, goes stale and is taken again): the caller tries again later."""
    try:
        return _run_site(db, batch_id, site, job, worker or worker_name())
    except Exception as exc:
        if outage(exc):
            raise Outage(one_line(exc)) from None
        raise


def _run_site(db: str, batch_id: str, site: Site, job: AuditJob, worker: str) -> str:
    from zwgk.site_pool import pool

    with pool().admitted():  # once the machine has room: until then the site stays queued
        return _run_admitted(db, batch_id, site, job, worker)


def _run_admitted(db: str, batch_id: str, site: Site, job: AuditJob, worker: str) -> str:
    from zwgk.pipeline import connect_db
    from zwgk.site_pool import pool

    conn = connect_db(db)
    try:
        waited = 0.0
        while not claim(conn, batch_id, site.key, worker):
            row = site_row(conn, batch_id, site.key)
            # done; or a duplicate delivery while a live worker holds it: that worker's own task (or the
            # submitter, should it stop renewing) finishes the site, this one need not wait for it
            if row is None or row["status"] in DONE or waited > STALLED_AFTER:
                return "skipped"
            time.sleep(HEARTBEAT_EVERY)  # its heartbeat may be stopping: then take it over
            waited += HEARTBEAT_EVERY
        beat = Heartbeat(db, batch_id, site.key, worker)
        beat.start()
        this = site_job(job, site)
        if (site_row(conn, batch_id, site.key)["attempts"] or 0) > 1:
            # a second attempt (an interrupted batch, a dead worker): continue that scan where its
            # responses were saved, if they are on this machine (crawler.run.prepare_scan)
            this.crawl["resume"] = True
        try:
            outcome = pool().run({"job": this.to_dict(), "batch_id": batch_id, "site_key": site.key, "worker": worker})
        finally:
            beat.stop()
        if outcome.get("status") == "retry":  # the database went away during the audit
            raise Outage(outcome.get("error") or "database unreachable")
        _close_quietly(conn)
        conn = connect_db(db)  # the audit may have outlived a database restart
        with conn:
            if outcome.get("status") == "duplicate":
                return "skipped"
            if outcome.get("status") in DONE:
                finish(conn, batch_id, site.key, worker, outcome["status"], outcome.get("scan_id"), outcome.get("error"),
                       outcome.get("summary"))
            else:
                finish(conn, batch_id, site.key, worker, "failed" if outcome.get("status") != "interrupted" else "interrupted",
                       outcome.get("scan_id"), outcome.get("error") or "unknown error")
        return outcome.get("status") or "failed"
    finally:
        _close_quietly(conn)


def audit_for_batch(message: dict, run_crawl=None) -> dict:
    """One site's audit for a batch (zwgk.site_host runs it): the pipeline, its scan published and
    the site marked done in one transaction; the result as a dict ("retry" when the database could
    not be reached: the site is not the reason, it is audited again later)."""
    from zwgk.pipeline import audit_site

    job = AuditJob.from_dict(message["job"])
    batch_id, key, worker = message["batch_id"], message["site_key"], message["worker"]

    def hook(conn, scan_id, result) -> bool:  # inside the transaction that publishes the scan
        return finish(conn, batch_id, key, worker, result.status if result.status in DONE else "failed", scan_id,
                      result.error, result.summary)

    try:
        return audit_site(job, publish_hook=hook, run_crawl=run_crawl).to_dict()
    except Exception as exc:
        if outage(exc):
            return {"status": "retry", "error": one_line(exc)}
        if isinstance(exc, AuditInputError):
            return {"status": "failed", "error": str(exc)}
        raise


# ---- the whole batch ------------------------------------------------------------------------

def run_local(db: str, batch_id: str, sites: list[Site], job: AuditJob, parallel: int, on_done=None,
              out_dir: str | None = None) -> None:
    """Audit the batch's sites on this machine, as many at once as it has room for and at most
    ``parallel`` (zwgk.site_pool; each site with its own politeness); sites already done in this
    batch are skipped. Interrupted, it says how to continue (with ``--out out_dir`` when given)."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    from zwgk.site_pool import close_pool, pool as site_pool

    pool = ThreadPoolExecutor(max_workers=max(1, parallel), thread_name_prefix="zwgk-site")
    futures = {pool.submit(run_site, db, batch_id, site, job): site for site in sites}
    interrupted = False
    try:
        for future in as_completed(futures):
            status = future.result()
            if on_done:
                on_done(futures[future], status)
    except BaseException as exc:  # Ctrl-C, SIGTERM: the running audits save and stop, the rest never start
        interrupted = True
        for future in futures:
            future.cancel()
        # a terminal's Ctrl-C reached the audits already: no site starts after it, none is told twice
        site_pool().signal(None if isinstance(exc, KeyboardInterrupt) else signal.SIGTERM)
        raise
    finally:
        pool.shutdown(wait=True)  # a second Ctrl-C ends this wait, and the hint with it
        close_pool()
        if interrupted:  # once the running audits have recorded how they ended
            tell_how_to_continue(db, batch_id, out_dir)


def check_broker(broker: str) -> None:
    """A Redis broker that answers, before anything is recorded (AuditInputError otherwise)."""
    from zwgk.tasks import configure

    if not broker.startswith(("redis://", "rediss://")):
        raise AuditInputError(f"--broker 应为 redis:// 地址 must be a redis:// or rediss:// URL: {without_password(broker)}")
    try:
        with configure(broker).connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=10)
    except Exception as exc:  # kombu/redis connection errors of every kind
        raise AuditInputError(f"无法连接消息队列 cannot reach the broker {without_password(broker)}: {exc}") from None


def enqueue(broker: str, db: str, batch_id: str, sites: list[Site], job: AuditJob) -> None:
    """One Celery task per site not yet done, on the broker's ``zwgk`` queue. The job and the sites are
    kept with the batch, so that whoever watches it (:func:`heal`) can hand a site out again."""
    from zwgk.pipeline import connect_db

    conn = connect_db(db)
    try:
        done = {r[0] for r in conn.execute('select "site_key" from "batch_sites" where "batch_id" = ? and "status" in (?, ?)',
                                           (batch_id, *DONE))}
        with conn:
            row = conn.execute('select "settings" from "batches" where "id" = ?', (batch_id,)).fetchone()
            settings = json.loads(row[0] or "{}") if row else {}
            settings.update(job=job.to_dict(), sites={s.key: s.to_dict() for s in sites})
            conn.execute('update "batches" set "settings" = ? where "id" = ?', (json.dumps(settings, ensure_ascii=False), batch_id))
    finally:
        conn.close()
    send_tasks(broker, db, batch_id, [s for s in sites if s.key not in done], job)


def progress(db: str, batch_id: str) -> dict[str, int]:
    from zwgk.pipeline import connect_db

    conn = connect_db(db)
    try:
        return {status: n for status, n in conn.execute(
            'select "status", count(*) from "batch_sites" where "batch_id" = ? group by "status"', (batch_id,))}
    finally:
        conn.close()


def wait(db: str, batch_id: str, timeout: float, every: float = 2.0, on_progress=None) -> bool:
    """Until no site of the batch is queued or running (True), or ``timeout`` seconds (False)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        counts = progress(db, batch_id)
        if counts != last and on_progress:
            on_progress(counts)
        last = counts
        if not counts.get("queued") and not counts.get("running"):
            return True
        time.sleep(every)
    return False


# ---- a distributed batch heals itself -------------------------------------------------------

# a running site whose claim has not been renewed for this long is "stalled": its machine is dead (or
# cut off), and the site is handed out again, whatever the broker's visibility timeout
STALLED_AFTER = 12 * HEARTBEAT_EVERY


class Outage(Exception):
    """The scan database or the broker cannot be reached just now: not the site's fault; try again."""


def outage(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what caused it) is a database or broker that is down or restarting."""
    from storage.postgres import DatabaseUnavailable, unavailable

    for _ in range(8):
        if exc is None:
            return False
        package = type(exc).__module__.split(".")[0]
        if isinstance(exc, (Outage, DatabaseUnavailable)) or (package == "psycopg" and unavailable(exc)):
            return True
        if package in ("redis", "kombu", "amqp") and isinstance(exc, (ConnectionError, TimeoutError, OSError)) or \
                package in ("redis", "kombu") and type(exc).__name__ in ("ConnectionError", "TimeoutError", "OperationalError",
                                                                        "BusyLoadingError"):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def one_line(exc: BaseException) -> str:
    """What went wrong, as a user reads it: the first line, without the exception's class name."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else "no detail"


def _task_args(db: str, batch_id: str, site: Site | dict, job: AuditJob | dict) -> list:
    site = site if isinstance(site, dict) else site.to_dict()
    return [db, batch_id, site, job if isinstance(job, dict) else job.to_dict()]


def send_tasks(broker: str, db: str, batch_id: str, sites: list, job) -> None:
    """One task per site (Site or its dict), each marked with its batch and site in the message headers."""
    from zwgk.tasks import configure

    app = configure(broker)
    with app.connection_for_write() as connection:
        for site in sites:
            key = site["key"] if isinstance(site, dict) else site.key
            app.send_task("zwgk.audit_site", args=_task_args(db, batch_id, site, job), connection=connection,
                          headers={"zwgk_batch": batch_id, "zwgk_site": key})


def tasks_in_broker(broker: str, batch_id: str) -> set[str]:
    """The sites of the batch with a task the broker still holds: waiting in the queue, or delivered to
    a worker within the last STALLED_AFTER seconds (older deliveries belong to dead workers or were lost
    with the tasks they ran; a running site proves itself by its heartbeat instead)."""
    import redis

    from zwgk.tasks import QUEUE

    client = redis.Redis.from_url(broker, socket_timeout=10, socket_connect_timeout=10)
    try:
        raw = client.lrange(QUEUE, 0, -1)
        recent = client.zrangebyscore("unacked_index", time.time() - STALLED_AFTER, "+inf")
        if recent:
            raw += [json.loads(v)[0] for v in client.hmget("unacked", recent) if v]
    finally:
        client.close()
    keys = set()
    for message in raw:
        message = json.loads(message) if isinstance(message, (bytes, str)) else message
        headers = message.get("headers") or {}
        if headers.get("zwgk_batch") is not None:
            if headers["zwgk_batch"] == batch_id:
                keys.add(headers.get("zwgk_site"))
            continue
        try:  # a task sent without the headers: read its arguments
            import base64

            args = json.loads(base64.b64decode(message["body"]))[0]
            if args[1] == batch_id:
                keys.add(args[2]["key"])
        except (KeyError, IndexError, TypeError, ValueError):
            continue
    return keys


def heal(broker: str, db: str, batch_id: str, missing: dict[str, int] | None = None) -> list[str]:
    """Hand out again the sites of a distributed batch that nobody will finish: running sites whose
    claim stopped being renewed (a dead machine: taken back to queued at once, whatever the broker's
    visibility timeout) and, given ``missing`` (site key → how many checks in a row found its task
    gone, kept by the caller between calls), queued sites whose task the broker lost (a crash, an
    older snapshot) in two checks in a row. The keys sent again. A duplicate task is harmless:
    :func:`run_site` does a site once."""
    from zwgk.pipeline import connect_db

    conn = connect_db(db)
    try:
        row = conn.execute('select "settings" from "batches" where "id" = ?', (batch_id,)).fetchone()
        settings = json.loads((row[0] if row else None) or "{}")
        job, sites = settings.get("job"), settings.get("sites") or {}
        if job is None:  # enqueued by a zwgk that kept no job with the batch
            return []
        stale = time.time() - STALLED_AFTER
        taken: list[str] = []
        with conn:
            for (key,) in conn.execute('select "site_key" from "batch_sites" where "batch_id" = ? and "status" = \'running\' '
                                       'and coalesce("heartbeat", 0) < ?', (batch_id, stale)).fetchall():
                cursor = conn.execute(
                    'update "batch_sites" set "status" = \'queued\', "queued_at" = ?, "error" = ? where "batch_id" = ? '
                    'and "site_key" = ? and "status" = \'running\' and coalesce("heartbeat", 0) < ?',
                    (now(), "检查机器停止续约，已重新分发 its worker stopped renewing the claim; handed out again",
                     batch_id, key, stale))
                if cursor.rowcount == 1 and key in sites:
                    taken.append(key)
        queued = {r[0] for r in conn.execute('select "site_key" from "batch_sites" where "batch_id" = ? and "status" = \'queued\'',
                                             (batch_id,))}
    finally:
        conn.close()
    lost: list[str] = []
    if missing is not None:
        held = tasks_in_broker(broker, batch_id)
        for key in list(missing):
            if key not in queued or key in held or key in taken:
                missing.pop(key)
        for key in queued:
            if key not in held and key not in taken and key in sites:
                missing[key] = missing.get(key, 0) + 1
                if missing[key] >= 2:
                    lost.append(key)
                    missing.pop(key)
    if taken or lost:
        send_tasks(broker, db, batch_id, [sites[k] for k in taken + lost], job)
    return taken + lost


def supervise(broker: str, db: str, batch_id: str, timeout: float, every: float = 2.0, on_progress=None,
              say=None) -> bool:
    """Wait for a distributed batch (True once no site is queued or running; False after ``timeout``
    seconds), handing out again what :func:`heal` finds. An unreachable database or broker is waited
    for, said once on ``say`` (one line, Chinese then English) and again when it is back."""
    say = say or (lambda text: None)
    deadline = time.monotonic() + timeout
    last = None
    missing: dict[str, int] = {}
    down: dict[str, str] = {}  # service → the line said when it went away
    db_back = None  # when the database last started answering: claims are judged after STALLED_AFTER of it
    healed = float("-inf")

    def went(service: str, exc: BaseException) -> None:
        if service not in down:
            down[service] = one_line(exc)
            zh = "数据库" if service == "database" else "消息队列"
            say(f"{zh}暂时无法连接，等待恢复 the {service} is unreachable, waiting: {down[service]}")

    def back(service: str) -> None:
        if down.pop(service, None) is not None:
            say(f"{'数据库' if service == 'database' else '消息队列'}已恢复 the {service} is back")

    while time.monotonic() < deadline:
        try:
            counts = progress(db, batch_id)
        except Exception as exc:
            if not outage(exc):
                raise
            went("database", exc)
            db_back = None
            time.sleep(every)
            continue
        back("database")
        db_back = db_back or time.monotonic()
        if counts != last and on_progress:
            on_progress(counts)
        last = counts
        if not counts.get("queued") and not counts.get("running"):
            return True
        # once every live claim has been renewed since the database answered again; the broker's queue is
        # read every HEARTBEAT_EVERY * 2 seconds (10 s), not at every look at the progress
        if time.monotonic() - db_back >= STALLED_AFTER and time.monotonic() - healed >= 2 * HEARTBEAT_EVERY:
            healed = time.monotonic()
            try:
                sent = heal(broker, db, batch_id, missing)
                back("broker")
                if sent:
                    more = f" … (+{len(sent) - 10})" if len(sent) > 10 else ""
                    say(f"重新分发 {len(sent)} 个网站 handed out again: {', '.join(sent[:10])}{more}")
            except Exception as exc:
                if not outage(exc):
                    raise
                service = "database" if type(exc).__module__.split(".")[0] in ("psycopg", "storage") or \
                    isinstance(exc, AuditInputError) else "broker"
                went(service, exc)
                if service == "database":
                    db_back = None
        time.sleep(every)
    return False


def latest_batch(conn) -> str | None:
    from storage.schema import table_columns

    if not table_columns(conn, "batches"):
        return None
    row = conn.execute('select "id" from "batches" order by "created_at" desc, "id" desc limit 1').fetchone()
    return row[0] if row else None


def site_rows(conn, batch_id: str) -> list:
    return conn.execute('select * from "batch_sites" where "batch_id" = ? order by "position", "site_key"', (batch_id,)).fetchall()


def previous_results(conn, batch_id: str) -> dict[str, dict]:
    """site key → its score and findings in the newest earlier batch that audited it."""
    out: dict[str, dict] = {}
    for r in conn.execute(
            'select s."site_key", s."score", s."findings", s."batch_id" from "batch_sites" s join "batches" b on b."id" = s."batch_id" '
            'where s."batch_id" <> ? and s."status" = \'audited\' and b."created_at" <= '
            '(select "created_at" from "batches" where "id" = ?) order by b."created_at", b."id"', (batch_id, batch_id)):
        out[r["site_key"]] = {"score": r["score"], "findings": r["findings"], "batch": r["batch_id"]}
    return out


def beijing_day(timestamp: str) -> str:
    """The day, in Beijing, of a UTC timestamp as :func:`now` writes it."""
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).astimezone(BEIJING).date().isoformat()


def as_of_days(conn, batch_id: str) -> tuple[str, ...]:
    """The 检查基准日 of the batch's scans: one day, unless --as-of was left to each site's own day."""
    return tuple(r[0] for r in conn.execute(
        'select distinct s."as_of" from "batch_sites" b join "scans" s on s."id" = b."scan_id" '
        'where b."batch_id" = ? and b."status" in (?, ?) and s."as_of" is not null order by s."as_of"', (batch_id, *DONE)))


def continue_command(conn, db: str, batch_id: str, out_dir: str | None = None) -> str:
    """`zwgk batch` for the sites of the batch not done: its sites file, database, broker and output
    directory (absolute, so it runs from anywhere), its 检查基准日 (the remaining sites are judged as of
    the same day) and ``--batch ID``. Passwords stay hidden (***)."""
    from storage.postgres import is_postgres

    sites_file, broker = conn.execute('select "sites_file", "broker" from "batches" where "id" = ?', (batch_id,)).fetchone()
    args = ["zwgk", "batch", sites_file, "--db", without_password(db) if is_postgres(db) else str(Path(db).resolve())]
    if broker:
        args += ["--broker", broker]
    if out_dir:
        args += ["--out", str(Path(out_dir).resolve())]
    days = as_of_days(conn, batch_id)
    if len(days) == 1:
        args += ["--as-of", days[0]]
    return shlex.join(args + ["--batch", batch_id])


def batch_info(conn, db: str, batch_id: str, out_dir: str | None = None) -> BatchInfo:
    """The batch as its outputs name it (reports.batch.BatchInfo): id, the days it ran in Beijing,
    its 检查基准日 and, while some sites are not done, the command that continues it."""
    from reports.batch import BatchInfo

    created = conn.execute('select "created_at" from "batches" where "id" = ?', (batch_id,)).fetchone()[0]
    last = conn.execute('select max("finished_at") from "batch_sites" where "batch_id" = ?', (batch_id,)).fetchone()[0]
    return BatchInfo(batch_id, (beijing_day(created), beijing_day(last or created)), as_of_days(conn, batch_id),
                     continue_command(conn, db, batch_id, out_dir) if not_done(conn, batch_id) else None)


def not_done(conn, batch_id: str) -> int:
    return conn.execute('select count(*) from "batch_sites" where "batch_id" = ? and "status" not in (?, ?)',
                        (batch_id, *DONE)).fetchone()[0]


def tell_how_to_continue(db: str, batch_id: str, out_dir: str | None = None) -> None:
    """On stderr, while sites of the batch are not done: how many, and the command that continues it."""
    from reports.batch import resume_lines
    from zwgk.pipeline import connect_db

    try:
        conn = connect_db(db)
        try:
            count = not_done(conn, batch_id)
            command = continue_command(conn, db, batch_id, out_dir) if count else None
        finally:
            conn.close()
    except Exception:  # noqa: BLE001 — the hint must never hide why the batch stopped (the database may be why)
        return
    if command:
        print("\n".join(resume_lines(command, count)), file=sys.stderr)


def write_outputs(db: str, batch_id: str, out_dir: str, job: AuditJob, sites_by_key: dict[str, Site] | None = None) -> dict:
    """Each audited site's report (from the database, in ``out_dir/<folder>/``, :func:`dir_names`), the index page ranking
    the sites and the combined 问题清单.xlsx, both headed by the batch (:func:`batch_info`); returns the
    ranked sites, the paths and the batch. While sites are not done, says on stderr how to continue."""
    from reports.batch import ranking, site_summary, write_batch_outputs
    from zwgk.pipeline import connect_db, load_rules, write_outputs as write_site

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    conn = connect_db(db)
    try:
        previous = previous_results(conn, batch_id)
        rules_by_file: dict = {}  # one read of each rules file, not one per site
        sites = []
        rows = site_rows(conn, batch_id)
        folders = dir_names([row["site_key"] for row in rows])
        for row in rows:
            entry = {"name": row["name"], "code": row["code"], "url": row["url"], "organiser": row["organiser"],
                     "status": row["status"], "error": row["error"], "report": None, "scan_id": row["scan_id"],
                     "previous": previous.get(row["site_key"]), "key": row["site_key"]}
            if row["status"] == "audited" and row["scan_id"] is not None:
                own = (sites_by_key or {}).get(row["site_key"])
                site_job = AuditJob.from_dict({**job.to_dict(), "out_dir": str(out / folders[row["site_key"]]),
                                               "rules_file": (own.rules_file if own else None) or job.rules_file})
                if site_job.rules_file not in rules_by_file:
                    rules_by_file[site_job.rules_file] = load_rules(site_job)
                rules = rules_by_file[site_job.rules_file]
                entry.update(site_summary(conn, row["scan_id"], rules))
                entry["findings"] = StoredFindings(db, row["scan_id"])  # read again when its sheet is written
                paths = write_site(db, row["scan_id"], rules, site_job)
                html = [p for p in paths if p.endswith(".html")]
                entry["report"] = str(Path(html[0]).relative_to(out)) if html else None
            sites.append(entry)
        info = batch_info(conn, db, batch_id, out_dir)
    finally:
        conn.close()
    paths = write_batch_outputs(out, sites, job.lang, info)
    return {"ranked": ranking(sites), "paths": paths, "batch": info}


class StoredFindings:
    """A site's findings, read from the database when iterated: a batch of thousands of sites holds
    one site's findings in memory at a time, not all of them."""

    def __init__(self, db: str, scan_id: int):
        self.db, self.scan_id = db, scan_id

    def __iter__(self):
        from reports.findings_json import findings_of
        from zwgk.pipeline import connect_db

        conn = connect_db(self.db)
        try:
            yield from findings_of(conn, self.scan_id)
        finally:
            conn.close()


PLAIN_DIR = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,63}")


def dir_names(keys: list[str]) -> dict[str, str]:
    """Each site's report folder in ``--out``, by site key: the key itself when it is a plain name
    (letters, digits, . _ -, at most 64), otherwise its NFKC form cut to those characters (at most 40,
    "site" when nothing is left), ``~`` and 10 hex digits of the SHA-256 of the exact key. Never
    empty, "." or "..", never a path, at most 105 bytes, unique ignoring case (as Windows and macOS
    compare names); a plain name never has a ``~``, so it never meets another key's folder."""
    import hashlib
    import unicodedata

    names: dict[str, str] = {}
    used: set[str] = set()
    for key in keys:
        name = key if PLAIN_DIR.fullmatch(key) else None
        if name is None or name.lower() in used:
            plain = re.sub(r"[^0-9A-Za-z._-]+", "_", unicodedata.normalize("NFKC", key)).strip("._-")[:40] or "site"
            digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
            name = next(n for n in (f"{plain}~{digest[:10]}", f"{plain}~{digest}") if n.lower() not in used)
        used.add(name.lower())
        names[key] = name
    return names
