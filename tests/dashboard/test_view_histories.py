"""A page reads each evolution history once: the graph and the metrics' sparklines share it."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from analytics_server.dashboard import views
from tests.archiving.traffic import known_day, make_site
from tests.conftest import FakeClock
from tests.dashboard.helpers import sign_in
from tests.factories import create_token


def test_the_overview_reads_the_visits_history_once(
    client: TestClient, db: Session, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(db)
    known_day(db, site.idsite)
    create_token(db)
    clock.now = datetime(2026, 3, 20, 12, tzinfo=UTC)
    sign_in(client)
    calls: Counter[tuple[str, str]] = Counter()
    dispatch = views.api.dispatch

    def counting(call: Any) -> Any:
        calls[(call.params.get("method"), call.params.get("date"))] += 1
        return dispatch(call)

    monkeypatch.setattr(views.api, "dispatch", counting)
    page = client.get(f"/site/{site.idsite}/visitors/overview?period=day&date=2026-03-10")
    assert page.status_code == 200
    history = ("VisitsSummary.get", "2026-02-09,2026-03-10")
    assert calls[history] == 1  # was 2: the graph and the sparklines each asked
    assert calls[("VisitsSummary.get", "2026-03-10")] == 1
    assert 'data-metric="nb_visits"' in page.text
    assert page.text.count('class="sparkline"') == 8
