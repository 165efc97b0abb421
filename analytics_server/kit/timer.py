"""A job on a timer in a daemon thread: the embedded server's stand-in for a Celery beat entry."""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from typing import ClassVar, Generic, TypeVar

Result = TypeVar("Result")


class PeriodicRunner(ABC, Generic[Result]):
    """Runs `run_once` every `interval()` seconds until stopped; a failed run is logged and
    the next one comes at its time. The first run waits at most `first_run_after()`."""

    name: ClassVar[str]  # the thread's name
    failing: ClassVar[str]  # what failed, for the log: "archiving failed; next try in 300s"
    log: ClassVar[logging.Logger]

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @abstractmethod
    def interval(self) -> float: ...

    def first_run_after(self) -> float:
        return self.interval()

    @abstractmethod
    def run_once(self) -> Result: ...

    @abstractmethod
    def report(self, result: Result) -> None:
        """Log what a run did (if anything)."""

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        wait = min(self.interval(), self.first_run_after())
        while not self._stop.wait(wait):
            wait = self.interval()
            try:
                result = self.run_once()
            except Exception:
                self.log.exception("%s failed; next try in %ss", self.failing, wait)
                continue
            self.report(result)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
