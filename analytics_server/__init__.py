"""Self-hosted, Matomo-compatible web analytics server."""

__version__ = "0.1.0"
