"""Caches: a small key-value interface with Redis and in-process adapters, and
the two caches built on it (sessions, tickets). The cache is never the source
of truth for a sale: it may only answer "sold out" early."""
