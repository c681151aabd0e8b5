"""Access to the real pages copied into tests/fixtures/corpus (read-only; never edited; their
provenance is in tests/fixtures/corpus/SOURCES.md)."""

from __future__ import annotations

import html
import re
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "corpus"
CORPUS = FIXTURES / "raw"
SEEDS = FIXTURES / "seeds"

_SQL_STRING = re.compile(r"'((?:[^'\\]|\\.|'')*)'|(null)|(-?\d+)", re.S)
_MYSQL_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "0": "\0", "\\": "\\", "'": "'", '"': '"'}


def corpus_file(name: str) -> Path:
    return CORPUS / name


def read_corpus(name: str) -> str:
    return (CORPUS / name).read_text(encoding="utf-8")


def read_seed(prefix: str) -> str:
    """A seed text by its number (``"002"``): page text as plain text, kept byte for byte."""
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def seed_html(text: str) -> str:
    """A seed's page text as HTML: a line with 「|」 cells is a table row (consecutive rows make one
    table, seed 002's metadata block), any other line a paragraph."""
    out, rows = [], []
    for line in text.splitlines() + [""]:
        if "|" in line:
            rows.append("<tr>" + "".join(f"<td>{html.escape(c.strip())}</td>" for c in line.split("|")) + "</tr>")
            continue
        if rows:
            out.append("<table>" + "".join(rows) + "</table>")
            rows = []
        if line.strip():
            out.append(f"<p>{html.escape(line)}</p>")
    return "<html><body>" + "\n".join(out) + "</body></html>"


def _unescape(text: str) -> str:
    text = text.replace("''", "'")
    return re.sub(r"\\(.)", lambda m: _MYSQL_ESCAPES.get(m[1], m[1]), text, flags=re.S)


def govcn_rows() -> list[dict]:
    """The 15 rows of the MySQL dump of gov.cn policy pages, as dicts of column → value."""
    rows = []
    for statement in read_corpus("govcn__ge_policy_raw-20190217.sql").split("INSERT INTO ")[1:]:
        columns = re.search(r"\(([^)]*)\) VALUES \(", statement)
        names = [c.strip() for c in columns[1].split(",")]
        values = []
        pos = columns.end()
        while len(values) < len(names):
            m = _SQL_STRING.match(statement, pos)
            if m is None:
                pos += 1
                continue
            if m[1] is not None:
                values.append(_unescape(m[1]))
            elif m[2]:
                values.append(None)
            else:
                values.append(int(m[3]))
            pos = m.end()
        rows.append(dict(zip(names, values)))
    return rows


# The corpus pages' original addresses (SOURCES.md), used only to resolve their relative links;
# nothing is fetched from them.
PINGTAN = "https://www.pingtan.gov.cn"
HANDAN = "http://hdzfxxgk.hd.gov.cn"
