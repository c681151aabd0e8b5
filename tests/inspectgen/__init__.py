"""Test-only generator of portals that plant what the inspection rules check, with a manifest.

``generate(seed)`` returns two ``sites.Site`` (routes + ``Expect`` list: rule, where, tokens,
present); ``serve(site)`` serves one on 127.0.0.1 (``server.py``). Built from how real portals
publish (docs: /work/shared/docs/cms-patterns.md, regulations.md), not from zwgk's code, which was
deliberately not read: annual reports as HTML, PDF (ruled and not) and DOCX (``annual*.py``), message
boards paged by query string and by a JSON API (``board.py``), cloaked hijacks (``cloak.py``) and
索引号 collisions (``indexno.py``).
"""

from .server import SiteServer, serve
from .sites import Site, generate

__all__ = ["Site", "SiteServer", "generate", "serve"]
