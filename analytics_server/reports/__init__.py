"""Reports: the Matomo-compatible Reporting API over archived records and the raw logs."""
