"""The embedded mode's email runner: `tasks.send_due` on a timer, in a thread of `serve`.

Production runs the same function from Celery beat (`email.send_due` in `worker.py`); every
rendering is claimed in the database first, so both running at once still send each report once.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker

from analytics_server.config import Settings
from analytics_server.kit.timer import PeriodicRunner
from analytics_server.scheduled_reports import tasks

FIRST_RUN_AFTER = 60.0  # seconds: let the server take its first hits and archive first


class EmailScheduler(PeriodicRunner[tasks.Summary]):
    """Runs "send what is due" every `email.interval_seconds` until stopped."""

    name = "email"
    failing = "sending scheduled reports"
    log = logging.getLogger(__name__)

    def __init__(self, factory: sessionmaker[Session], settings: Settings) -> None:
        super().__init__()
        self.factory = factory
        self.settings = settings

    def interval(self) -> float:
        return self.settings.email.interval_seconds

    def first_run_after(self) -> float:
        return FIRST_RUN_AFTER

    def run_once(self) -> tasks.Summary:
        return tasks.send_due(self.factory, settings=self.settings)

    def report(self, result: tasks.Summary) -> None:
        if result.sent or result.failed:
            self.log.info(
                "scheduled reports: %d sent, %d failed in %.1f s",
                result.sent,
                result.failed,
                result.seconds,
            )
