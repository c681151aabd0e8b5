"""``python3 -m tests.unknownsites SEED``: serve generated site SEED on 127.0.0.1 and print its URL,
columns with their mechanisms, the documents count and the planted findings; serve until Ctrl-C."""

from __future__ import annotations

import argparse
import json
import time

from . import AS_OF, generate, serve


def summary(site, srv) -> str:
    t = site.truth
    out = [f"seed {site.seed}: {site.name}  home {srv.home}  section {srv.url(t['section'])}  as of {AS_OF}", "columns:"]
    for c in t["columns"]:
        m = c["mechanism"]
        flags = " ".join(f for f, on in (("EMPTY", c["empty"]), ("STALE", c["stale"]), ("SPA-details", c["spa"]),
                                          (f"dept={c['dept']}", c["dept"])) if on)
        out.append(f"  {c['name']:8} {m['kind']:11} {len(c['docs']):3} docs {c['pages']} pages size {c['size']:2}  "
                   f"{srv.url(c['url'])}  {flags}")
        shown = {k: v for k, v in m.items() if k not in ("inner",)}
        out.append("      mechanism: " + json.dumps(shown, ensure_ascii=False, default=str))
        if "inner" in m:
            out.append("      framed:    " + json.dumps(m["inner"], ensure_ascii=False, default=str))
        for lp in c["list_pages"]:
            out.append(f"      list page {srv.url(lp)}")
        if c["api"]:
            a = c["api"]
            out.append(f"      api {a['method']} {srv.url(a['endpoint'])} place={a['place']} scheme={a['scheme']} "
                       f"page_param={a['page_param']} consts={a['consts']} outer={a['outer']}")
    for d in t["departments"]:
        out.append(f"department home {d['name']} {srv.url(d['url'])} lists {d['columns']}")
    out.append(f"documents: {len(t['documents'])}")
    out.append("planted findings:")
    for rule, urls in sorted(t["findings"].items()):
        for u in sorted(urls):
            out.append(f"  {rule:28} {srv.url(u)}")
    out.append("look-alikes (must not be reported):")
    for rule, u, why in t["lookalikes"]:
        out.append(f"  {rule:28} {srv.url(u)}  ({why})")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(prog="python3 -m tests.unknownsites")
    ap.add_argument("seed", type=int)
    args = ap.parse_args()
    site = generate(args.seed)
    with serve(site) as srv:
        print(summary(site, srv), flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
