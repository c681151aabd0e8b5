"""The rule engine and the checks, one module per rule family (yamllint style): each rule is a
function over the stored scan registered under its stable id."""

from checks import content, crawl, disclosure, freshness, identity, ipv6, linkage, links, metadata  # noqa: F401  (registration)
from checks import attachments, catalogue, interaction, repealed, wording  # noqa: F401  (registration)
from checks import cloak, index_numbers  # noqa: F401  (registration)
from checks import availability  # noqa: F401  (registration)
from checks import annual_report  # noqa: F401  (registration)
from checks.registry import CHECKS, Finding  # noqa: F401
