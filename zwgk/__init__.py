"""zwgk-audit: 政务公开专栏自查 — crawl a government portal's disclosure column, check it
against the regulations, and report."""

__version__ = "0.1.0"
