"""The widgets dashboard: each user adds, moves and removes widgets; the layout is theirs."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from analytics_server.config import Settings
from tests.archiving.traffic import known_day, make_site
from tests.conftest import FakeClock, make_app
from tests.dashboard.helpers import sign_in
from tests.factories import create_token


def placed(html: str) -> list[list[str]]:
    """Widget ids per column, in order."""
    columns = html.split('<div class="column">')[1:]
    return [re.findall(r'name="widget" value="([a-z0-9-]+)"', column) for column in columns]


def test_add_move_and_remove_widgets_per_user(
    client: TestClient, db: Session, clock: FakeClock, engine: Engine, settings: Settings
) -> None:
    site = make_site(db)
    known_day(db, site.idsite)
    create_token(db)
    create_token(db, login="other", superuser=True)
    clock.now = datetime(2026, 4, 20, 12, tzinfo=UTC)
    csrf = sign_in(client)
    page = f"/site/{site.idsite}/dashboard?period=day&date=2026-03-10"
    layout = placed(client.get(page).text)
    assert layout[0] == ["visits-evolution", "visits-summary"]
    assert "browsers" in layout[1]

    def act(action: str, widget: str, **more: str) -> list[list[str]]:
        answer = client.post(page, data={"csrf": csrf, "action": action, "widget": widget, **more})
        assert answer.status_code == 200
        return placed(answer.text)

    layout = act("add", "cities", column="2")
    assert layout[2][-1] == "cities"
    layout = act("up", "cities")
    assert layout[2].index("cities") == len(layout[2]) - 2
    layout = act("left", "cities")
    assert "cities" in layout[1]
    assert "cities" not in layout[2]
    layout = act("remove", "browsers")
    assert all("browsers" not in column for column in layout)
    assert act("add", "no-such-widget") == layout  # unknown widgets are ignored
    with make_app(engine, settings, clock) as other:
        sign_in(other, "other")
        theirs = placed(other.get(page).text)
    assert "browsers" in theirs[1]  # another user keeps the default layout
