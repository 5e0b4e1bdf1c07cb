"""The spiders: one module per source on the shared :class:`crawlers.spiders.base.SourceSpider`."""
