"""Self-hosted, Matomo-compatible web analytics server."""

__version__ = "0.1.0"
# The Matomo version API.getMatomoVersion answers: clients check it before calling methods that
# exist since a version (the API we serve follows Matomo 5).
MATOMO_VERSION = "5.2.0"
