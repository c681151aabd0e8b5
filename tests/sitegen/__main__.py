"""``python3 -m tests.sitegen SEED [--port-file F]``: serve generated site SEED on 127.0.0.1 and
print its URL, the audit command and a ground-truth summary; serve until Ctrl-C."""

from __future__ import annotations

import argparse
import time

from . import AS_OF, generate, serve


def summary(site, srv) -> str:
    t = site.truth
    out = [f"seed {site.seed}: {site.name}  home {srv.home}", "columns:"]
    for c in t.columns:
        flags = ",".join(f for f, on in (("lying", c.lying), ("blank", c.blank)) if on)
        via = sum(1 for d in c.docs if d.via)
        out.append(f"  {c.family:6} {c.ctype:5} {c.name:6} {len(c.docs):3} docs ({via} only via API/script) {len(c.list_pages)} list pages  {srv.url(c.url)} {flags}")
        for lp in c.list_pages:
            out.append(f"           list {srv.url(lp)}")
        for u, form in c.hanweb_requests:
            out.append(f"           POST {srv.url(u)} " + " ".join(f"{k}={v}" for k, v in form.items() if k in ("columnid", "unitid", "channelid", "classsql", "page")))
    out.append(f"documents: {len(t.documents)}")
    out.append("planted findings:")
    for rule, urls in sorted(t.findings.items()):
        for u in sorted(urls):
            out.append(f"  {rule:32} {srv.url(u)}")
    out.append("look-alikes (must not be reported):")
    for rule, u, why in t.lookalikes:
        out.append(f"  {rule:32} {srv.url(u)}  ({why})")
    out.append("traps:")
    for kind, u, note in t.traps:
        out.append(f"  {kind:32} {srv.url(u)}  {note}")
    args = " ".join(srv.resolve_args())
    out.append(f"\nzwgk audit {srv.home} --db /tmp/sg.db --out /tmp/sg-out --format json --no-ipv6 --as-of {AS_OF} {args}")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(prog="python3 -m tests.sitegen")
    ap.add_argument("seed", type=int)
    a = ap.parse_args()
    site = generate(a.seed)
    with serve(site) as srv:
        print(summary(site, srv), flush=True)
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
