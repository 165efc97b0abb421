"""Websites: URLs, time zone, currency, exclusions, site-search parameters, goals, dimensions."""
