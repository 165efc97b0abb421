"""The dashboard: server-rendered pages over the same report service as the API."""
