"""Bringing outside text in: articles (httpx + trafilatura + htmldate), scraped text, feeds (feedparser).

Everything here is pure of storage and front ends: functions take bytes, text or URLs and return frozen
dataclasses (ArticleDraft, FeedResult). All text is sanitised (no control characters or escapes).
"""
