"""Serve one generated inspection portal by hand and print its manifest:
``python3 -m tests.inspectgen disclosure|interaction [SEED]`` (Ctrl-C stops it)."""

import sys
import time

from . import generate, serve


def main() -> None:
    name = sys.argv[1] if len(sys.argv) > 1 else "disclosure"
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 20260315
    site = generate(seed)[name]
    with serve(site) as srv:
        for e in site.expect:
            if e.present:
                print(f"{e.rule:40} {e.why}  {e.where[0]}")
        print(f"\n{srv.origin}/  (zwgk audit {srv.origin}/ --as-of 2026-03-15 {' '.join(srv.resolve_args())})", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
