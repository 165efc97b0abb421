"""Pure helpers without I/O: periods, time zones, URL parameters, hashing, dialect-aware SQL."""
