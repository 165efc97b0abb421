"""The `analytics-server` command."""
