"""`zwgk batch` on one machine: the national site list as a GB18030 CSV, per-site rule overrides in
YAML, an unreachable site as a row of the ranking, `zwgk batch status`, continuing a batch (with the
command an interrupted batch prints), and sites files that cannot be used (one line, exit 2)."""

from __future__ import annotations

import json
import os
import shlex
import signal
import sqlite3
import subprocess
import sys
import time

import openpyxl
import pytest

from conftest import FAST
from tests.services import free_port
from tests.sitegen import AS_OF, generate, serve


def zwgk(*args, ok=(0, 1), timeout=600):
    proc = subprocess.run([sys.executable, "-m", "zwgk.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "CI": "1"})
    assert proc.returncode in ok, f"exit {proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def two_sites():
    with serve(generate(8)) as a, serve(generate(9)) as b:
        yield a, b


def test_national_list_csv_with_an_unreachable_site(two_sites, tmp_path):
    a, b = two_sites
    dead = f"http://127.0.0.1:{free_port()}/"
    csv_text = ("网站名称,网站标识码,首页网址,主办单位\n"
                f"甲市人民政府,1100000001,{a.home},甲市人民政府办公室\n"
                f"乙县人民政府,1100000002,{b.home},乙县人民政府办公室\n"
                f"丙镇人民政府,1100000003,{dead},丙镇人民政府\n")
    sites = tmp_path / "网站清单.csv"
    sites.write_bytes(csv_text.encode("gb18030"))  # as the national platform exports it
    args = ["--db", tmp_path / "b.db", "--out", tmp_path / "out", "--as-of", AS_OF.isoformat(), "--no-ipv6", "--parallel", "2",
            *FAST, *a.resolve_args(), *b.resolve_args()]
    proc = zwgk("batch", sites, *args, "--json", "--quiet", ok=(1,))  # a site not audited fails the batch
    result = json.loads(proc.stdout)
    by_code = {s["key"]: s for s in result["sites"]}
    assert by_code["1100000003"]["status"] == "unreachable" and "127.0.0.1" in by_code["1100000003"]["error"]
    assert {by_code[c]["status"] for c in ("1100000001", "1100000002")} == {"audited"}
    assert result["sites"][0]["key"] == "1100000003"  # not audited ranks first (a single veto)

    with sqlite3.connect(tmp_path / "b.db") as conn:
        findings = dict(conn.execute("select s.site_key, count(f.rule) from batch_sites s join findings f on f.scan_id = s.scan_id "
                                     "where f.suppressed is null and s.status = 'audited' group by s.site_key").fetchall())
        scans_before = conn.execute("select count(*) from scans").fetchone()[0]
    book = openpyxl.load_workbook(tmp_path / "out" / "问题清单.xlsx", read_only=True)
    assert book.sheetnames[0] == "汇总" and len(book.sheetnames) == 3  # the summary, then one sheet per audited site
    for name in book.sheetnames[1:]:
        rows = sum(1 for _ in book[name].iter_rows()) - 1
        assert rows in findings.values()
    assert sorted(sum(1 for _ in book[n].iter_rows()) - 1 for n in book.sheetnames[1:]) == sorted(findings.values())
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert all(name in index for name in ("甲市人民政府", "乙县人民政府", "丙镇人民政府")) and result["batch"] in index
    assert "--batch" not in proc.stderr  # every site has its result: nothing to continue
    for code in ("1100000001", "1100000002"):
        assert (tmp_path / "out" / code / "index.html").exists()
    with sqlite3.connect(tmp_path / "b.db") as conn:  # each site's scan carries its 网站名称 and 网站标识码
        assert conn.execute("select s.site_name, s.site_code from batch_sites b join scans s on s.id = b.scan_id "
                            "order by b.site_key").fetchall() == [
            ("甲市人民政府", "1100000001"), ("乙县人民政府", "1100000002"), ("丙镇人民政府", "1100000003")]

    status = json.loads(zwgk("batch", "status", "--db", tmp_path / "b.db", "--json").stdout)
    assert sorted(s["status"] for s in status["sites"]) == ["audited", "audited", "unreachable"]
    text = zwgk("batch", "status", "--db", tmp_path / "b.db").stdout
    assert "丙镇人民政府" in text and "甲市人民政府" not in text  # only sites that need attention are listed
    assert "连接被拒绝" in text and "Error" not in text  # why, in words: not the exception the crawler stored

    # continuing the batch audits nothing again: every site has its one result
    zwgk("batch", sites, *args, "--batch", result["batch"], "--quiet", ok=(1,))
    with sqlite3.connect(tmp_path / "b.db") as conn:
        assert conn.execute("select count(*) from scans").fetchone()[0] == scans_before


def test_an_interrupted_batch_says_how_to_continue_and_that_command_finishes_it(two_sites, tmp_path):
    a, b = two_sites
    sites = tmp_path / "sites.yaml"
    sites.write_text(f"sites:\n  - {{name: 甲市人民政府门户网站, code: '1100000001', url: '{a.home}'}}\n"
                     f"  - {{name: 乙县人民政府门户网站, code: '1100000002', url: '{b.home}'}}\n", encoding="utf-8")
    db = tmp_path / "b.db"
    options = ["--no-ipv6", "--quiet", "--parallel", "1", *FAST, *a.resolve_args(), *b.resolve_args()]
    first = subprocess.Popen([sys.executable, "-m", "zwgk.cli", "batch", sites, "--db", db, "--out", tmp_path / "out", *options],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "CI": "1"})
    deadline = time.monotonic() + 60
    while first.poll() is None and time.monotonic() < deadline:  # SIGTERM once the first site's audit runs
        if db.exists():
            with sqlite3.connect(db) as conn:
                if conn.execute("select count(*) from sqlite_master where name = 'batch_sites'").fetchone()[0] and \
                        conn.execute("select count(*) from batch_sites where status = 'running'").fetchone()[0]:
                    first.send_signal(signal.SIGTERM)
                    break
        time.sleep(0.05)
    out, err = first.communicate(timeout=120)
    assert first.returncode == 143, f"{out[-2000:]}\n{err[-3000:]}"
    sentence, command = err.strip().splitlines()[-2:]
    args = shlex.split(command)
    with sqlite3.connect(db) as conn:
        batch_id = conn.execute("select id from batches").fetchone()[0]
        # the site running may have been past its crawl, and finished
        not_done = conn.execute("select count(*) from batch_sites where status not in ('audited', 'unreachable')").fetchone()[0]
    assert not_done >= 1 and sentence.startswith(f"本批次尚有 {not_done} 个网站未完成检查。")
    assert f"Sites of this batch not done: {not_done}." in sentence
    assert args[:3] == ["zwgk", "batch", str(sites.resolve())] and args[-2:] == ["--batch", batch_id]

    # the command as printed, plus the first run's other options, audits both sites into the same batch
    zwgk(*args[1:], "--out", tmp_path / "out", *options)
    with sqlite3.connect(db) as conn:
        assert conn.execute("select b.status, s.site_name, s.site_code from batch_sites b join scans s on s.id = b.scan_id "
                            "order by b.site_key").fetchall() == [
            ("audited", "甲市人民政府门户网站", "1100000001"), ("audited", "乙县人民政府门户网站", "1100000002")]
    assert batch_id in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


def test_rule_overrides_per_site(two_sites, tmp_path):
    a, b = two_sites
    (tmp_path / "no-links.yaml").write_text("rules:\n  links.broken:\n    enabled: false\n", encoding="utf-8")
    (tmp_path / "sites.yaml").write_text(
        f"sites:\n  - {{name: 甲, code: A, url: '{a.home}', rules: no-links.yaml}}\n  - {{name: 乙, code: B, url: '{a.home}'}}\n",
        encoding="utf-8")
    zwgk("batch", tmp_path / "sites.yaml", "--db", tmp_path / "b.db", "--out", tmp_path / "out", "--as-of", AS_OF.isoformat(),
         "--no-ipv6", "--quiet", *FAST, *a.resolve_args())
    with sqlite3.connect(tmp_path / "b.db") as conn:
        rules = dict(conn.execute("select s.name, count(f.rule) from batch_sites s left join findings f on f.scan_id = s.scan_id "
                                  "and f.rule = 'links.broken' group by s.name").fetchall())
    assert rules["甲"] == 0 and rules["乙"] > 0


@pytest.mark.parametrize("text, message", [
    ("sites: []\n", "no sites"),
    ("sites:\n  - name: 甲\n", "no url"),
    ("sites:\n  - name: 甲\n    url: ftp://example.gov.cn/\n", "not a valid http(s) URL"),
    ("sites:\n  - {name: 甲, url: 'http://a.gov.cn/'}\n  - {name: 乙, url: 'http://a.gov.cn/'}\n", "duplicate site"),
    ("sites:\n  - {name: 甲, url: 'http://a.gov.cn/', rules: missing.yaml}\n", "no such rules file"),
    ("sites: {a: 1}\n", "expected a list of sites"),
    ("sites: [\n", "not valid YAML"),
])
def test_unusable_sites_file(tmp_path, text, message):
    (tmp_path / "sites.yaml").write_text(text, encoding="utf-8")
    proc = zwgk("batch", tmp_path / "sites.yaml", "--db", tmp_path / "b.db", ok=(2,))
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert not (tmp_path / "b.db").exists()


def test_csv_without_url_column(tmp_path):
    (tmp_path / "list.csv").write_text("网站名称,主办单位\n甲,乙\n", encoding="utf-8")
    proc = zwgk("batch", tmp_path / "list.csv", "--db", tmp_path / "b.db", ok=(2,))
    assert "首页网址" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("command", ["batch", "worker"])
@pytest.mark.parametrize("broker, message", [
    ("amqp://127.0.0.1/", "must be a redis:// or rediss:// URL"),
    ("redis://127.0.0.1:{port}/0", "cannot reach the broker"),  # a port nothing listens on, chosen when run
])
def test_unusable_broker(tmp_path, command, broker, message):
    broker = broker.format(port=free_port())
    (tmp_path / "sites.yaml").write_text("sites:\n  - {name: 甲, url: 'http://a.gov.cn/'}\n", encoding="utf-8")
    args = ["batch", tmp_path / "sites.yaml", "--db", tmp_path / "b.db"] if command == "batch" else ["worker"]
    proc = zwgk(*args, "--broker", broker, ok=(2,), timeout=60)
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "b.db").exists()  # nothing recorded for a batch that cannot be handed out


@pytest.mark.parametrize("header", ["网站名称,网站标识码,首页网址,主办单位\n", "网站名称,网站标识码,首页网址\r\n\r\n"])
def test_a_list_with_only_its_header_says_so(tmp_path, header):
    (tmp_path / "list.csv").write_text(header, encoding="utf-8")
    proc = zwgk("batch", tmp_path / "list.csv", "--db", tmp_path / "b.db", ok=(2,))
    assert "没有网站" in proc.stderr and "首页网址" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
