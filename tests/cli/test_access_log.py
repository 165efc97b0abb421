"""`serve` logs page and API requests but, by default, not every tracking hit."""

from __future__ import annotations

import logging

import pytest

from analytics_server.cli.main import _NoTrackingHits


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/matomo.php?idsite=1&rec=1", False),
        ("/piwik.php", False),
        ("/js/?idsite=1", False),
        ("/index.php?module=API&method=API.get", True),
        ("/site/1/visitors/overview", True),
        ("/matomo.js", True),
    ],
)
def test_tracking_hits_are_left_out_of_the_access_log(path: str, logged: bool) -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("10.0.0.1:5000", "GET", path, "1.1", 200),
        None,
    )
    assert _NoTrackingHits().filter(record) is logged
