"""The periodic runner behind the embedded server's archiving and email timers."""

from __future__ import annotations

import logging
import threading

import pytest

from analytics_server.kit.timer import PeriodicRunner


class Flaky(PeriodicRunner[int]):
    name = "flaky"
    failing = "the flaky job"
    log = logging.getLogger("tests.flaky")

    def __init__(self) -> None:
        super().__init__()
        self.runs = 0
        self.reported: list[int] = []
        self.twice = threading.Event()

    def interval(self) -> float:
        return 0.01

    def run_once(self) -> int:
        self.runs += 1
        if self.runs == 1:
            raise RuntimeError("boom")
        return self.runs

    def report(self, result: int) -> None:
        self.reported.append(result)
        self.twice.set()


def test_a_failed_run_is_logged_and_the_next_one_still_comes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    runner = Flaky()
    with caplog.at_level(logging.ERROR, logger="tests.flaky"):
        runner.start()
        assert runner.twice.wait(5)
        runner.stop()
    assert runner.reported[0] == 2
    assert "the flaky job failed; next try in 0.01s" in caplog.text
