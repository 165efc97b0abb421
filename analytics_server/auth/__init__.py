"""Users, passwords, API tokens and per-site permissions."""
