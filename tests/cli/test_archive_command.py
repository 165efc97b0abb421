"""`analytics-server archive`: what is due, a span of days, one segment; progress and summary."""

from __future__ import annotations

import argparse
import contextlib
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from analytics_server.cli.archive import register
from analytics_server.config import Settings
from analytics_server.db import create_db_engine, make_session_factory, upgrade_schema
from analytics_server.errors import NotFoundError
from analytics_server.segments import service as segments_service
from tests.archiving.traffic import known_day, make_site


@pytest.fixture
def settings_with_traffic(tmp_path: Path) -> Settings:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    engine = create_db_engine(url)
    upgrade_schema(engine)
    with make_session_factory(engine)() as db:
        site = make_site(db)
        known_day(db, site.idsite)
        segments_service.create_segment(db, name="Germany", definition="countryCode==de")
        db.commit()
    engine.dispose()
    return Settings(database={"url": url}, data_dir=tmp_path)  # type: ignore[arg-type]


NOW = datetime(2026, 3, 12, 3, 0, tzinfo=UTC)  # noon in Tokyo, two days after the known day


def run(settings: Settings, *argv: str) -> tuple[str, str]:
    parser = argparse.ArgumentParser(prog="analytics-server")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["archive", *argv])
    progress = io.StringIO()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert args.handler(args, settings, stream=progress, now=NOW) == 0
    return out.getvalue(), progress.getvalue()


def test_a_span_with_progress_and_summary(settings_with_traffic: Settings) -> None:
    out, progress = run(settings_with_traffic, "--from", "2026-03-09", "--to", "2026-03-11")
    # For all visits and the stored segment: 3 days, then a week, a month and a year, which
    # need today (the 12th) too.
    assert out.strip().startswith("archived 8 days and 6 longer periods:")
    assert "[##############################]    12/12" in progress
    again, _ = run(settings_with_traffic, "--from", "2026-03-09", "--to", "2026-03-11")
    assert again.startswith("archived 0 days and 6 longer periods")  # days are fresh
    forced, _ = run(
        settings_with_traffic,
        "--from",
        "2026-03-10",
        "--to",
        "2026-03-10",
        "--force",
        "--segment",
        "countryCode==fr",
    )
    assert forced.startswith("archived 4 days and 3 longer periods")  # a new segment's week


def test_what_is_due(settings_with_traffic: Settings) -> None:
    out, _ = run(settings_with_traffic, "--max-days", "2")
    assert out.startswith("archived 4 days and 0 longer periods")


def test_unknown_stored_segment(settings_with_traffic: Settings) -> None:
    with pytest.raises(NotFoundError):
        run(settings_with_traffic, "--segment", "99", "--from", "2026-03-10")
