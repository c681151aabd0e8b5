"""Generated government portals whose list mechanisms are drawn from a space, not from vendor templates.

``generate(seed)`` builds, deterministically from ``random.Random(seed)``, a small portal: a home
page (``/``) linking a 政府信息公开 section index; the index links 3-7 columns by name (and
sometimes a 部门首页 that links two script-filled lists of its own); 20-70 documents with
metadata tables (索引号, 主题分类, 发文机关, 成文日期, 发布日期, 发文字号, 标题, 有效性).

What is drawn, per seed:

* the section path, link style (root-relative or absolute), date style (ISO or 年月日), the
  metadata markup (two- or four-cell tables, dl, ul) and label padding (索 引 号, 标　题), body class;
* the 索引号 shapes (documents.INDEX_SHAPES: org code or credit code / year[-month]-serial,
  local schemes, xxgk-2026-0012) and, in half the seeds, 1-3
  documents whose 索引号 cannot be one (无, 暂无, a bare date, stray ？？): ``metadata.bad_value``;
* one SPA detail shell (its path, id parameter, document API, method, JSON keys, date format);
* per column (mechanisms.py holds the SPACE): its kind (static / scriptpager / script / empty /
  iframe), and for script lists an API style (endpoint, GET/POST, where the page parameter goes,
  its name, 0/1-based pages or offset/limit or start/end records, client- or server-fixed size,
  JSON keys and nesting, JSONP callback name, HTML fragments, total given or not, past-the-end
  behaviour, a cache-buster) and the page UI (XHR / fetch / a hand-written ajax helper / a
  JSONP script tag; numbered goPage() links, 下一页 buttons or 加载更多; 共N页/共N条; the
  empty notice written by script or shown from a hidden element; script inline or in a
  same-site .js file); whether its details are SPA pages;
* in 30 % of seeds one column whose newest document is 400-600 days old: ``freshness.stale_column``.

Every non-empty, non-planted column's newest document is 1-10 days before AS_OF = 2026-11-20, and
every 发布日期 is 0-15 working days after its 成文日期, with all eight fields present, so no
other metadata/freshness rule should fire. Empty columns are ``freshness.blank_column`` only
(not also stale). ``site.truth`` is built in site.Builder.truth; URLs in it carry
``@@ORIGIN@@``, resolved by ``srv.url``. ``client.py`` fetches a column's API pages from the
truth alone; ``server.Hit`` is one log entry.
"""

from .documents import AS_OF
from .mechanisms import SPACE, features
from .model import Site
from .server import Hit, serve
from .site import EXACT_RULES, generate

__all__ = ["AS_OF", "EXACT_RULES", "SPACE", "Hit", "Site", "features", "generate", "serve"]
