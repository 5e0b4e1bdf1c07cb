"""Scrapy extensions: the crawl-run record of each spider's counts and status."""
