"""The embedded mode's archiving runner: `tasks.archive_due` on a timer, in a thread of `serve`.

Production runs the same function from Celery beat (`archiving.archive_due` in `worker.py`);
archives are claimed one at a time, so both running at once would only share the work.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker

from analytics_server.archiving import tasks
from analytics_server.config import ArchivingSettings
from analytics_server.kit.timer import PeriodicRunner

FIRST_RUN_AFTER = 30.0  # seconds: a server that just started has hits to take first


class ArchiveScheduler(PeriodicRunner[tasks.Summary]):
    """Runs "archive what is due" every `interval_seconds` until stopped."""

    name = "archiving"
    failing = "archiving"
    log = logging.getLogger(__name__)

    def __init__(self, factory: sessionmaker[Session], settings: ArchivingSettings) -> None:
        super().__init__()
        self.factory = factory
        self.settings = settings

    def interval(self) -> float:
        return self.settings.interval_seconds

    def first_run_after(self) -> float:
        return FIRST_RUN_AFTER

    def run_once(self) -> tasks.Summary:
        return tasks.archive_due(self.factory, max_days=self.settings.max_days_per_run)

    def report(self, result: tasks.Summary) -> None:
        if result.days or result.periods:
            self.log.info(
                "archived %d days and %d periods (%d reports) in %.1f s",
                result.days,
                result.periods,
                result.records,
                result.seconds,
            )
