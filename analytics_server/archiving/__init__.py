"""Archiving: raw logs into per-day reports, periods summed from days, invalidation, tasks."""
