"""Source-independent parsing helpers: dates, engagement counts, HTML to text, charset repair."""
