"""Visit changes written at the end of a batch: each visit gets exactly the columns its hits
changed, even when the visit rows in memory hold different columns; the columns every action
moves are written together, so a batch's updates share one shape."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from analytics_server.logs import repository as logs
from tests.factories import create_site, visits

WHEN = datetime(2026, 3, 10, 12, tzinfo=UTC)


def _visit(db: Session, idsite: int, visitor: bytes) -> dict[str, Any]:
    row: dict[str, Any] = {
        "idsite": idsite,
        "idvisitor": visitor,
        "config_id": visitor,
        "location_ip": b"\x0a\x00\x00\x00",
        "visit_first_action_time": WHEN,
        "visit_last_action_time": WHEN,
        "visit_total_actions": 1,
    }
    # Only the columns a hit set: the rest took their defaults in the database.
    row["idvisit"] = logs.insert_visit(db, {**row})
    return row


def test_rows_with_different_columns_each_write_their_own(db: Session) -> None:
    site = create_site(db)
    plain = _visit(db, site.idsite, b"\x01" * 8)
    tagged = _visit(db, site.idsite, b"\x02" * 8)
    tagged["custom_dimension_1"] = "ACME"
    db.commit()
    writes = logs.PendingWrites()
    plain["visit_total_actions"] = 2
    writes.touch_visit(plain, {"visit_total_actions"})
    tagged["visit_total_actions"] = 3
    writes.touch_visit(tagged, {"visit_total_actions", "custom_dimension_1"})
    writes.flush(db)
    db.commit()
    found = {v["idvisit"]: (v["visit_total_actions"], v["custom_dimension_1"]) for v in visits(db)}
    assert found == {plain["idvisit"]: (2, None), tagged["idvisit"]: (3, "ACME")}


ACTION_COLUMNS = {
    "visit_exit_idaction_name",
    "visit_exit_idaction_url",
    "visit_last_action_time",
    "visit_total_actions",
    "visit_total_interactions",
    "visit_total_time",
}


def _loaded(idvisit: int) -> dict[str, Any]:
    """A visit row as the batch's prefetch loads it: every column."""
    return {**dict.fromkeys(ACTION_COLUMNS, 1), "idvisit": idvisit, "user_id": None}


def test_visits_an_action_moved_differently_are_written_in_one_shape() -> None:
    writes = logs.PendingWrites()
    writes.touch_visit(_loaded(1), {"visit_total_actions", "visit_exit_idaction_url"})
    writes.touch_visit(_loaded(2), {"visit_total_actions", "visit_last_action_time"})
    writes.touch_visit(_loaded(3), {"visit_total_time", "referer_name"})
    writes.touch_visit(_loaded(4), {"user_id"})  # no action column moved: only its own
    assert [cols for _, cols in writes.visits.values()] == [
        ACTION_COLUMNS,
        ACTION_COLUMNS,
        ACTION_COLUMNS | {"referer_name"},
        {"user_id"},
    ]
