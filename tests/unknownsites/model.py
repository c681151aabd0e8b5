"""Plain data: a served response, a request as handlers see it, a column, the generated site."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

ORIGIN = "@@ORIGIN@@"   # http://127.0.0.1:PORT, substituted by the server in bodies and by Site.resolve in truth


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    headers: list = field(default_factory=list)
    info: dict | None = None   # list pages and list APIs: {"kind", "column", "page", "items"} for the log


@dataclass
class Request:
    method: str          # GET / POST (HEAD is looked up as GET)
    path: str
    query: str           # raw query string, no '?'
    body: bytes
    headers: dict        # lower-case names


@dataclass
class Column:
    key: str
    name: str
    ctype: str                 # 指引 ColumnType
    dir: str                   # the column's folder, e.g. /zwgk/tzgg/
    mech: dict
    size: int                  # items per list page
    publisher: str
    dept: str | None = None    # department key when the column belongs to a department home page
    stale: bool = False
    spa: bool = False
    detail: str = ""           # detail URL template with {id} / {yyyymm} / {w}
    docs: list = field(default_factory=list)
    path: str = ""             # the column page path as the section index links it
    list_pages: list = field(default_factory=list)   # paths of the real static list pages
    chan: str = ""             # channel id value sent to the list API

    @property
    def empty(self) -> bool:
        return not self.docs

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.docs) // self.size))

    def page_docs(self, k: int) -> list:
        return self.docs[(k - 1) * self.size: k * self.size]


@dataclass
class Site:
    seed: int
    name: str
    routes: dict                      # path → Response (static files: the query is ignored, as by a file server)
    handlers: dict                    # path → Callable[[Request], Response]
    truth: dict
    columns: list
    summary: list = field(default_factory=list)   # printable lines for ``python -m tests.unknownsites``

    @staticmethod
    def resolve(text: str, origin: str) -> str:
        return text.replace(ORIGIN, origin)


Handler = Callable[[Request], Response]
