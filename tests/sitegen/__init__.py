"""Test-only generator of realistic 政府信息公开 portals with ground truth.

``generate(seed)`` draws a site (``site.py``: template families, traps, planted defects;
``labels.py``: metadata labels and layouts), ``serve(site)`` serves it on 127.0.0.1
(``server.py``), and ``python3 -m tests.sitegen SEED`` serves one by hand. The crawler's code is
deliberately not consulted: the sites follow real portals (docs/cms-patterns.md), not zwgk.
"""

from .server import SiteServer, serve
from .site import AS_OF, OFFSITE_HOSTS, Site, generate

__all__ = ["AS_OF", "OFFSITE_HOSTS", "Site", "SiteServer", "generate", "serve"]
