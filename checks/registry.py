"""Rule id → check function. A check module registers each of its rules with ``@rule(ID)``;
``checks/__init__.py`` imports the modules so that the registry is complete."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

CHECKS: dict[str, Callable] = {}


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


def rule(rule_id: str, *also: str):
    """Register a check for ``rule_id``; ``also`` names further rules the same pass reports
    (the delay check also reports ``calendar.unknown_year``). The first id's params are passed."""
    def register(fn: Callable[..., Iterable[Finding]]):
        for rid in (rule_id, *also):
            if rid in CHECKS:
                raise ValueError(f"rule {rid} registered twice")
            CHECKS[rid] = fn
        fn.rule_id = rule_id
        return fn
    return register
