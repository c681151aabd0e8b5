"""Speed and memory of the content rules and of attachment reading.

    python3 benchmarks/content_benchmark.py [--documents 100000] [--attachments 200] [--big-pdf-mb 50]

1. A scan database with N generated documents (about 1 500 characters each, a few planted wording
   errors, spam terms and ID numbers) is written with crawler.store, then content.wording,
   content.spam_text, content.personal_data and content.repealed_unmarked run over it: documents/s.
2. M generated attachments (XLSX lists, DOCX, text PDFs, a scanned PDF) plus one PDF of the given
   size go through read_attachment (worker process, limits as in the crawl): attachments/s and the
   peak RSS of this process and of the parser processes.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from attachment_files import docx, pdf, xlsx  # noqa: E402
from checks.engine import rules_for_run, run_checks  # noqa: E402
from crawler.attachments import _POOL, attachment_row, close_workers, read_attachment  # noqa: E402
from storage.sqlite import create_scan, open_db  # noqa: E402

SENTENCES = ["为深入贯彻落实党中央、国务院决策部署，进一步做好城市管理工作，现将有关事项通知如下。",
             "各县（市、区）人民政府，市政府各部门要高度重视，加强组织领导，明确责任分工。",
             "市场监督管理部门要会同农业农村部门开展联合检查，确保各项措施落到实处。",
             "联系人：张科长，联系电话：0531-12345678。", "本通知自印发之日起施行。"]


def rss_mb(who) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def vm_hwm_mb(pid: int) -> float:
    """Peak RSS of a live process (ru_maxrss of children would count the parent's pages at fork)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def build_db(path: str, n: int) -> int:
    rng = random.Random(7)
    db = open_db(path)
    scan = create_scan(db, "bench.test", ["http://bench.test/"], {}, "bench")
    sql = ("insert into documents (scan_id, url, kind, title, body_text, written_date, publish_date, doc_no, validity) "
           "values (?, ?, ?, ?, ?, ?, ?, ?, ?)")
    rows = []
    for i in range(n):
        body = "".join(rng.choice(SENTENCES) for _ in range(30))
        if i % 1000 == 0:
            body += "请国家工商行政管理总局派员参加。"
        if i % 1500 == 0:
            body += "Copyright 皇冠hg体育赌场"
        if i % 2000 == 0:
            body += "身份证号110101199003074258。"
        rows.append((scan, f"http://bench.test/doc/{i}.html", "document", f"示范市人民政府关于做好第{i}项工作的通知", body,
                     "2020-01-01", "2020-01-02", f"示政发〔2020〕{i}号", "有效"))
        if len(rows) == 5000 or i == n - 1:  # in batches, like the crawl: the benchmark's own memory stays small
            with db.conn:
                db.conn.executemany(sql, rows)
            rows = []
    db.conn.close()
    return scan


def bench_rules(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "bench.db")
        started = time.perf_counter()
        scan = build_db(path, n)
        print(f"database: {n} documents written in {time.perf_counter() - started:.1f} s")
        rules = rules_for_run()
        total = 0.0
        for rule in ("content.wording", "content.spam_text", "content.personal_data", "content.repealed_unmarked"):
            started = time.perf_counter()
            found = run_checks(path, scan, rules, as_of=date(2026, 11, 20), select=(rule,))
            took = time.perf_counter() - started
            total += took
            print(f"{rule:28s} {took:6.2f} s  {n / took:9.0f} documents/s  {len(found)} findings")
        print(f"{'all four':28s} {total:6.2f} s  {n / total:9.0f} documents/s")


def bench_attachments(m: int, big_mb: int) -> None:
    rng = random.Random(3)
    files = []
    for i in range(m):
        kind = i % 4
        if kind == 0:
            rows = [["序号", "姓名", "身份证号", "金额"]] + [[r, f"姓名{r}", "1101**********4258", rng.randint(100, 900)] for r in range(200)]
            files.append((f"list{i}.xlsx", xlsx({"名单": rows})))
        elif kind == 1:
            files.append((f"doc{i}.docx", docx([rng.choice(SENTENCES) for _ in range(60)])))
        elif kind == 2:
            files.append((f"text{i}.pdf", pdf(["".join(rng.choice(SENTENCES) for _ in range(20)) for _ in range(5)])))
        else:
            files.append((f"scan{i}.pdf", pdf([], image_pages=3)))
    big = pdf(["附件：名单（扫描件后附文字页）", "张三 1101**********4258"], image_pages=1, filler=big_mb * 1024 * 1024)
    size = sum(len(b) for _, b in files)
    started = time.perf_counter()
    problems: dict = {}
    rows = 0
    for name, body in files:
        result = read_attachment(f"http://bench.test/files/{name}", body, None)
        problems[result.problem] = problems.get(result.problem, 0) + 1
        rows += bool(attachment_row(1, name, None, None, len(body), result))
    took = time.perf_counter() - started
    print(f"attachments: {m} files ({size / 1e6:.1f} MB) in {took:.2f} s = {m / took:.0f} attachments/s; problems {problems}")
    started = time.perf_counter()
    result = read_attachment("http://bench.test/files/big.pdf", big, None, max_bytes=len(big) + 1, time_limit=60)
    print(f"big PDF: {len(big) / 1e6:.1f} MB read in {time.perf_counter() - started:.2f} s, problem={result.problem}, "
          f"{len(result.text)} characters")
    result = read_attachment("http://bench.test/files/big.pdf", big, None)
    print(f"big PDF with the default 20 MB limit: problem={result.problem} ({result.detail})")
    worker_peak = max((vm_hwm_mb(w.proc.pid) for w in _POOL.idle), default=0.0)
    close_workers()
    print(f"peak RSS while reading attachments: this process {rss_mb(resource.RUSAGE_SELF):.0f} MiB, "
          f"largest parser process {worker_peak:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--attachments", type=int, default=200)
    parser.add_argument("--big-pdf-mb", type=int, default=50)
    args = parser.parse_args()
    bench_attachments(args.attachments, args.big_pdf_mb)  # first: this process's peak RSS is the reading's
    bench_rules(args.documents)
    print(f"peak RSS after the rules: this process {rss_mb(resource.RUSAGE_SELF):.0f} MiB")


if __name__ == "__main__":
    main()
