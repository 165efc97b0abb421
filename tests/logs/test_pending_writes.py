"""Visit changes written at the end of a batch: each visit gets exactly the columns its hits
changed, even when the visit rows in memory hold different columns."""

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
