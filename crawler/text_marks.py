"""Which content rules need a document's text, decided while the page is parsed.

The content rules (personal data, spam words, wording errors, repealed documents) look for rare
things in every document's text: at 100 000 documents that is over a thousand million characters,
more than Python reads in the ten seconds a whole check may take. The page's parser already holds
the text, in a worker process beside the crawl: there each rule's *prefilter* — the literals and
patterns of which any finding needs at least one, given by the rule (``checks``) as a
:class:`MarkSpec` — is searched once, and the rules a document may concern are stored as rows of
``text_marks``. The rule then reads only those documents, and judges them in full as before.

A prefilter is never the verdict: it only has to let through every document the rule could report
(a superset). The scan records each spec's digest; a check run whose rule parameters give another
spec (a user lexicon added afterwards) reads every document instead, as it does for scans made
before marks existed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache


@dataclass(frozen=True)
class MarkSpec:
    """A document needs the rule when its title + "\\n" + body contains one of ``literals`` or
    matches one of ``patterns`` (regular expressions), after ``str.lower()`` if ``fold_case``."""

    literals: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    fold_case: bool = False
    # the rule also reads every page's title, meta tag values, footer and visible link text
    page_text: bool = False

    @cached_property
    def digest(self) -> str:
        data = [sorted(set(self.literals)), list(self.patterns), self.fold_case, self.page_text]
        return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()[:16]


@lru_cache(maxsize=64)
def _searches(spec: MarkSpec) -> tuple[re.Pattern, ...]:
    # one alternation for the literals (longest first), each user pattern on its own (its groups,
    # flags and back-references stay its own)
    literals = sorted(set(spec.literals), key=lambda t: (-len(t), t))
    found = [re.compile("|".join(map(re.escape, literals)))] if literals else []
    return tuple(found + [re.compile(p) for p in spec.patterns])


def marks(specs: dict[str, MarkSpec], title: str, body: str) -> tuple[str, ...]:
    """The rule ids whose prefilter the document's title and body pass."""
    return _passing(specs, f"{title}\n{body}")


def page_marks(specs: dict[str, MarkSpec], texts) -> tuple[str, ...]:
    """The rule ids reading page text (``page_text``) whose prefilter one of ``texts`` passes."""
    wanted = {rule_id: spec for rule_id, spec in specs.items() if spec.page_text}
    return _passing(wanted, "\n".join(t for t in texts if t)) if wanted else ()


def _passing(specs: dict[str, MarkSpec], text: str) -> tuple[str, ...]:
    if not specs or not text:
        return ()
    folded = None
    found = []
    for rule_id, spec in sorted(specs.items()):
        subject = text
        if spec.fold_case:
            folded = text.lower() if folded is None else folded
            subject = folded
        if any(search.search(subject) for search in _searches(spec)):
            found.append(rule_id)
    return tuple(found)


def digests(specs: dict[str, MarkSpec]) -> dict[str, str]:
    """What a scan records of the prefilters it was crawled with."""
    return {rule_id: spec.digest for rule_id, spec in sorted(specs.items())}
