"""Visits are recognised and split by Matomo's rules."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from analytics_server.kit.hashing import visitor_id_from_user_id
from tests.conftest import FakeClock
from tests.factories import actions, create_site, name_of, url_of, visits
from tests.tracking.helpers import js_hit, send


def page(idsite: int, path: str, **params: str) -> dict[str, str]:
    return js_hit(idsite, url=f"https://portal.example.com{path}", action_name=path, **params)


def test_actions_within_30_minutes_share_a_visit(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    site = create_site(db)
    send(client, page(site.idsite, "/a"))
    clock.advance(minutes=10)
    send(client, page(site.idsite, "/b"))
    clock.advance(minutes=29)
    send(client, page(site.idsite, "/c"))
    [visit] = visits(db)
    assert visit["visit_total_actions"] == 3
    assert visit["visit_total_time"] == 39 * 60 + 1
    assert url_of(db, visit["visit_entry_idaction_url"]) == "https://portal.example.com/a"
    assert url_of(db, visit["visit_exit_idaction_url"]) == "https://portal.example.com/c"
    first, second, third = actions(db)
    assert first["time_spent_ref_action"] == 0
    assert second["time_spent_ref_action"] == 600
    assert url_of(db, second["idaction_url_ref"]) == "https://portal.example.com/a"
    assert third["time_spent_ref_action"] == 29 * 60
    assert [a["pageview_position"] for a in (first, second, third)] == [1, 2, 3]


def test_thirty_minutes_of_inactivity_start_a_returning_visit(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    site = create_site(db)
    send(client, page(site.idsite, "/a"))
    clock.advance(minutes=31)
    send(client, page(site.idsite, "/b"))
    first, second = visits(db)
    assert first["visitor_returning"] == 0
    assert second["visitor_returning"] == 1
    assert second["visitor_count_visits"] == 2
    assert second["visitor_seconds_since_last"] == 31 * 60
    assert second["idvisitor"] == first["idvisitor"]


def test_midnight_in_the_site_time_zone_starts_a_new_visit(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    site = create_site(db, timezone="Asia/Tokyo")  # UTC+9: 14:50 UTC is 23:50 local
    clock.now = datetime(2026, 3, 10, 14, 50, tzinfo=UTC)
    send(client, page(site.idsite, "/late"))
    clock.now = datetime(2026, 3, 10, 15, 5, tzinfo=UTC)  # 00:05 the next local day
    send(client, page(site.idsite, "/early"))
    assert len(visits(db)) == 2


def test_utc_midnight_does_not_split_a_visit_in_a_site_west_of_utc(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    site = create_site(db, timezone="America/New_York")
    clock.now = datetime(2026, 3, 10, 23, 55, tzinfo=UTC)
    send(client, page(site.idsite, "/a"))
    clock.now = datetime(2026, 3, 11, 0, 5, tzinfo=UTC)
    send(client, page(site.idsite, "/b"))
    assert len(visits(db)) == 1


def test_new_visit_flag_forces_a_new_visit(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    site = create_site(db)
    send(client, page(site.idsite, "/a"))
    clock.advance(seconds=20)
    send(client, page(site.idsite, "/b", new_visit="1"))
    assert len(visits(db)) == 2


def test_a_different_campaign_starts_a_new_visit(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    site = create_site(db)
    send(client, page(site.idsite, "/a?utm_campaign=Spring&utm_source=mail"))
    clock.advance(seconds=30)
    send(client, page(site.idsite, "/b?utm_campaign=Spring"))  # same campaign: same visit
    clock.advance(seconds=30)
    send(client, page(site.idsite, "/c?mtm_campaign=Autumn"))
    first, second = visits(db)
    assert first["referer_type"] == 6
    assert first["referer_name"] == "spring"
    assert first["campaign_source"] == "mail"
    assert first["visit_total_actions"] == 2
    assert second["referer_name"] == "autumn"
    stored = [url_of(db, a["idaction_url"]) for a in actions(db)]
    assert stored[0] == "https://portal.example.com/a"  # campaign parameters are not stored


def test_user_id_sets_the_visitor_id_and_keeps_the_visit_after_login(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    site = create_site(db)
    send(client, page(site.idsite, "/login"))
    clock.advance(seconds=40)
    send(client, page(site.idsite, "/account", uid="anna@example.com"))
    [visit] = visits(db)
    assert visit["user_id"] == "anna@example.com"
    assert visit["idvisitor"] == visitor_id_from_user_id("anna@example.com")
    assert visit["visit_total_actions"] == 2


def test_another_user_on_the_same_device_gets_a_new_visit(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    site = create_site(db)
    send(client, page(site.idsite, "/a", uid="anna"))
    clock.advance(seconds=40)
    send(client, page(site.idsite, "/b", uid="boris"))
    first, second = visits(db)
    assert (first["user_id"], second["user_id"]) == ("anna", "boris")


def test_fingerprint_recognises_a_cookieless_visitor_within_the_window(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    site = create_site(db)
    hit = page(site.idsite, "/a")
    del hit["_id"]
    send(client, hit)
    clock.advance(minutes=5)
    hit = page(site.idsite, "/b")
    del hit["_id"]
    send(client, hit)
    [visit] = visits(db)
    assert visit["visit_total_actions"] == 2


def test_intranet_sites_never_match_by_fingerprint(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    site = create_site(db, site_type="intranet")
    for path in ("/a", "/b"):
        hit = page(site.idsite, path)
        del hit["_id"]
        send(client, hit)
        clock.advance(seconds=30)
    assert len(visits(db)) == 2


def test_heartbeat_extends_the_visit_without_an_action(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    site = create_site(db)
    send(client, page(site.idsite, "/a"))
    clock.advance(seconds=45)
    send(client, js_hit(site.idsite, ping="1"))
    [visit] = visits(db)
    assert len(actions(db)) == 1
    assert visit["visit_total_time"] == 46
    assert visit["visit_total_actions"] == 1
    assert visit["visit_last_action_time"] == visit["visit_first_action_time"]


def test_heartbeat_never_opens_a_visit(client: TestClient, db: Session) -> None:
    site = create_site(db)
    assert send(client, js_hit(site.idsite, ping="1")).status_code == 204
    assert visits(db) == []


def test_site_search_counts_as_an_interaction_and_exit(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    site = create_site(db)
    send(client, page(site.idsite, "/docs"))
    clock.advance(seconds=10)
    send(client, page(site.idsite, "/search?q=Install+Guide&category=Docs", search_count="0"))
    [visit] = visits(db)
    assert visit["visit_total_searches"] == 1
    search = actions(db)[1]
    assert search["action_type"] == 8
    assert name_of(db, search["idaction_name"]) == "install guide"
    assert search["search_count"] == 0
    assert url_of(db, search["idaction_url"]) == "https://portal.example.com/search?category=Docs"
