"""Rule id → check function. A check module registers each of its rules with ``@rule(ID)``;
``checks/__init__.py`` imports the modules so that the registry is complete."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

CHECKS: dict[str, Callable] = {}
# rules whose finding needs the whole site crawled (a missing column, report or update): not run
# on a scan cut short by a limit or an interruption, where absence proves nothing
WHOLE_SITE: set[str] = set()
# rules that can judge only with enough data (a week of availability visits): rule id →
# judge_if(conn, scan_id, as_of, params) -> bool; when False the rule is skipped (not checked)
JUDGE_IF: dict[str, Callable] = {}


@dataclass
class Finding:
    rule: str
    url: str
    message_zh: str
    message_en: str
    evidence: dict = field(default_factory=dict)
    key: str = ""  # what distinguishes two findings of one rule on one URL (a field, a tag …)
    severity: str | None = None  # None: the rule's configured severity
    column_url: str | None = None


def rule(rule_id: str, *also: str, whole_site: bool = False, judge_if: Callable | None = None):
    """Register a check for ``rule_id``; ``also`` names further rules the same pass reports
    (the delay check also reports ``calendar.unknown_year``). The first id's params are passed.
    ``whole_site``: its findings rest on what the crawl did not find (see WHOLE_SITE)."""
    def register(fn: Callable[..., Iterable[Finding]]):
        for rid in (rule_id, *also):
            if rid in CHECKS:
                raise ValueError(f"rule {rid} registered twice")
            CHECKS[rid] = fn
            if whole_site:
                WHOLE_SITE.add(rid)
            if judge_if is not None:
                JUDGE_IF[rid] = judge_if
        fn.rule_id = rule_id
        return fn
    return register
