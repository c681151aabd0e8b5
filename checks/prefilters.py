"""What the content rules ask the crawl to mark (crawler.text_marks): for each enabled rule that
reads every document's (or page's) text, the words and patterns of which any finding needs one."""

from __future__ import annotations

from checks.config import Rule
from checks.content import PERSONAL_MARKS, spam_marks
from checks.engine import selected
from checks.repealed import REPEALED_MARKS
from checks.wording import wording_marks
from crawler.text_marks import MarkSpec

SPECS = {
    "content.personal_data": lambda params: PERSONAL_MARKS,
    "content.spam_text": spam_marks,
    "content.wording": wording_marks,
    "content.repealed_unmarked": lambda params: REPEALED_MARKS,
}


def mark_specs(rules: dict[str, Rule], select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()) -> dict[str, MarkSpec]:
    """rule id → MarkSpec for the rules a run with this selection checks."""
    return {rule.id: SPECS[rule.id](rule.params) for rule in selected(rules, select, ignore) if rule.id in SPECS}
