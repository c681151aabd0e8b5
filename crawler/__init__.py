"""Scrapy crawler of a portal's 政府信息公开 column: spider, pagination adapters,
extraction and the SQLite pipeline."""
