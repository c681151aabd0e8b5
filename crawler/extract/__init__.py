"""Extraction from one fetched page: metadata block, meta tags, dates, links, list rows.

lxml is used throughout rather than BeautifulSoup: the crawl parses every page once and lxml is
an order of magnitude faster, and its tree keeps comments (needed for commented-out fields) and
element tails (needed for ``<strong>索引号</strong>：value`` layouts).
"""
