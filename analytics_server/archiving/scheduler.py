"""The embedded mode's archiving runner: `tasks.archive_due` on a timer, in a thread of `serve`.

Production runs the same function from Celery beat (`archiving.archive_due` in `worker.py`);
archives are claimed one at a time, so both running at once would only share the work.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy.orm import Session, sessionmaker

from analytics_server.archiving import tasks
from analytics_server.config import ArchivingSettings

log = logging.getLogger(__name__)
FIRST_RUN_AFTER = 30.0  # seconds


class ArchiveScheduler:
    """Runs "archive what is due" every `interval_seconds` until stopped."""

    def __init__(self, factory: sessionmaker[Session], settings: ArchivingSettings) -> None:
        self.factory = factory
        self.settings = settings
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="archiving", daemon=True)
        self._thread.start()

    def run_once(self) -> tasks.Summary:
        return tasks.archive_due(self.factory, max_days=self.settings.max_days_per_run)

    def _loop(self) -> None:
        # The first run waits a little: a server that just started has hits to take first.
        wait = min(self.settings.interval_seconds, FIRST_RUN_AFTER)
        while not self._stop.wait(wait):
            wait = self.settings.interval_seconds
            try:
                summary = self.run_once()
            except Exception:
                log.exception("archiving failed; next try in %ss", self.settings.interval_seconds)
                continue
            if summary.days or summary.periods:
                log.info(
                    "archived %d days and %d periods (%d reports) in %.1f s",
                    summary.days,
                    summary.periods,
                    summary.records,
                    summary.seconds,
                )

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
