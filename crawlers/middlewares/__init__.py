"""Downloader and spider middlewares: replay, recording, charset repair, blocked pages, cookies, retry backoff."""
