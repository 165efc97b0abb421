"""Scheduled email reports: schedules, rendering (PDF, HTML, CSV, TSV), SMTP delivery, tasks."""
