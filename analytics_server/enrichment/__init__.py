"""Enrichment of hits: user agent, geolocation, and referrer/campaign classification."""
