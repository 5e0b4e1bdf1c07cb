"""Downloader and spider middlewares: replay and recording, blocked pages, source cookies, retry backoff."""
