"""Run inside a network namespace of its own (``unshare -n``, loopback only): a site on
127.0.0.1 whose pages link and redirect to internal addresses, a DNS server that resolves a
name to a private address, and one page of 50 links with a malformed one in the middle.
Prints what zwgk recorded as JSON. Usage: python3 netns_scenario.py OUT_DIR [zwgk options…]"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from dns_responder import DNSResponder, Zone  # noqa: E402
from http_site import page, serve  # noqa: E402

INTERNAL = ["http://10.255.255.1/x", "http://169.254.169.254/latest/meta-data/", "http://[fd00::1]/y",
            "http://[::ffff:10.1.2.3]/mapped"]


def main(out: Path, extra: list[str]) -> None:
    zone = Zone({("internal.test", "A"): ["10.0.0.5"]})
    with DNSResponder(zone) as (dns_host, dns_port):
        def answer(method, path, query, body):
            if path == "/":
                links = INTERNAL + ["http://internal.test/z", "/redirect", "/links.html"]
                return 200, {}, page("首页", "".join(f"<a href='{u}'>x</a>" for u in links)), 0
            if path == "/redirect":
                return 302, {"Location": "http://10.255.255.1/moved"}, b"", 0
            if path == "/links.html":
                hrefs = [f"/doc/{i}.html" for i in range(49)]
                hrefs.insert(24, "http://127.0.0.1:99999/broken")
                return 200, {}, page("列表", "".join(f"<p><a href='{h}'>文件{i}</a></p>" for i, h in enumerate(hrefs))), 0
            if path.startswith("/doc/"):
                return 200, {}, page("文件", "<h1>文件</h1>"), 0
            return 404, {}, page("404", "页面不存在"), 0

        with serve(answer) as server:
            proc = subprocess.run(
                [sys.executable, "-m", "zwgk.cli", "audit", server.base + "/", "--db", str(out / "scan.db"), "--out", str(out),
                 "--format", "json", "--no-ipv6", "--quiet", "--fail-on", "never", "--select", "links",
                 "--dns-server", f"{dns_host}:{dns_port}", "--per-host", "8", "--delay", "0", *extra],  # loopback: full speed
                capture_output=True, text=True, timeout=120)
            with sqlite3.connect(out / "scan.db") as conn:
                pages = {url: [kind, error] for url, kind, error in conn.execute("select url, error_kind, error from pages")}
    findings = json.loads((out / "findings.json").read_text(encoding="utf-8"))["findings"] if proc.returncode == 0 else []
    print(json.dumps({"returncode": proc.returncode, "stderr": proc.stderr[-2000:], "base": server.base, "pages": pages,
                      "queries": zone.queries, "findings": [(f["rule"], f["url"], f["evidence"]) for f in findings]}))


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2:])
