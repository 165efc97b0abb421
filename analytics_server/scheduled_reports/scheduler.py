"""The embedded mode's email runner: `tasks.send_due` on a timer, in a thread of `serve`.

Production runs the same function from Celery beat (`email.send_due` in `worker.py`); every
rendering is claimed in the database first, so both running at once still send each report once.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy.orm import Session, sessionmaker

from analytics_server.config import Settings
from analytics_server.scheduled_reports import tasks

log = logging.getLogger(__name__)
FIRST_RUN_AFTER = 60.0  # seconds: let the server take its first hits and archive first


class EmailScheduler:
    """Runs "send what is due" every `email.interval_seconds` until stopped."""

    def __init__(self, factory: sessionmaker[Session], settings: Settings) -> None:
        self.factory = factory
        self.settings = settings
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="email", daemon=True)
        self._thread.start()

    def run_once(self) -> tasks.Summary:
        return tasks.send_due(self.factory, settings=self.settings)

    def _loop(self) -> None:
        interval = self.settings.email.interval_seconds
        wait = min(interval, FIRST_RUN_AFTER)
        while not self._stop.wait(wait):
            wait = interval
            try:
                summary = self.run_once()
            except Exception:
                log.exception("sending scheduled reports failed; next try in %ss", interval)
                continue
            if summary.sent or summary.failed:
                log.info(
                    "scheduled reports: %d sent, %d failed in %.1f s",
                    summary.sent,
                    summary.failed,
                    summary.seconds,
                )

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
