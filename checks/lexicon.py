"""The content rules' lexicons (``checks/lexicons/*.tsv``): loading, user files, and one
Aho–Corasick automaton per lexicon so that a scan of 100 000 documents is one pass per text
whatever the number of terms."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import ahocorasick

from checks.config import RulesError

LEXICON_DIR = Path(__file__).parent / "lexicons"


@dataclass(frozen=True)
class Entry:
    term: str  # the wrong form / spam term (a regex when match == "regex")
    fields: dict  # the file's other columns by name
    origin: str  # file:line


def read_tsv(path: str | Path, columns: tuple[str, ...], required: tuple[str, ...] = ("source",)) -> list[Entry]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesError(f"{path}: 无法读取词表 cannot read lexicon: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise RulesError(f"{path}:1: lexicon is not UTF-8 text") from None
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        row = dict(zip(columns, (c.strip() for c in cells)))
        if not row.get(columns[0]):
            raise RulesError(f"{path}:{number}: {columns[0]}: empty")
        for name in required:
            if not row.get(name):
                raise RulesError(f"{path}:{number}: {name}: every lexicon entry needs its {name}")
        entries.append(Entry(row.pop(columns[0]), row, f"{path.name}:{number}"))
    return entries


def load(default_file: str, columns: tuple[str, ...], extra_files: list[str], silence: list[str]) -> list[Entry]:
    """The shipped entries, then the user's files (a later entry for the same term replaces an
    earlier one), minus the silenced terms."""
    by_term: dict[str, Entry] = {}
    for path in [LEXICON_DIR / default_file, *extra_files]:
        for entry in read_tsv(path, columns):
            by_term[entry.term] = entry
    silenced = set(silence)
    return [e for e in by_term.values() if e.term not in silenced]


def automaton(terms, fold_case: bool = False) -> ahocorasick.Automaton | None:
    """term → index automaton (None when there is nothing to find)."""
    auto = ahocorasick.Automaton()
    for index, term in enumerate(terms):
        auto.add_word(term.lower() if fold_case else term, (index, len(term)))
    if not len(auto):
        return None
    auto.make_automaton()
    return auto


def hits(auto: ahocorasick.Automaton | None, text: str):
    """(start, index) of every occurrence."""
    if auto is None or not text:
        return
    for end, (index, length) in auto.iter(text):
        yield end - length + 1, index


def context(text: str, start: int, end: int, chars: int) -> str:
    """The text around a match, for the evidence (newlines flattened)."""
    left = max(0, start - chars)
    right = min(len(text), end + chars)
    return ("…" if left else "") + " ".join(text[left:right].split()) + ("…" if right < len(text) else "")
