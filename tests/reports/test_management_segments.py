"""SegmentEditor.* through HTTP: stored segments, who sees and changes them, bad definitions,
and that an auto-archived segment's reports are served past the ad-hoc limit."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from analytics_server.config import Settings
from analytics_server.models import Segment
from tests.archiving.traffic import known_day, make_site
from tests.conftest import FakeClock
from tests.factories import count, create_site, create_token
from tests.reports.api import call, error, get, parse_xml

SEGMENT_KEYS = {
    "idsegment",
    "name",
    "definition",
    "hash",
    "login",
    "enable_all_users",
    "enable_only_idsite",
    "auto_archive",
    "ts_created",
    "ts_last_edit",
    "deleted",
}


@pytest.fixture
def site(db: Session) -> int:
    return create_site(db).idsite


@pytest.fixture
def admin(db: Session) -> str:
    return create_token(db)


def add(client: TestClient, token: str, idsite: int, **params: Any) -> int:
    params.setdefault("name", "Firefox")
    params.setdefault("definition", "browserCode==FF")
    found = call(client, "SegmentEditor.add", token_auth=token, idSite=idsite, **params)
    return int(found["value"])


def test_add_get_update_delete(client: TestClient, clock: FakeClock, admin: str, site: int) -> None:
    idsegment = add(client, admin, site, definition="browserCode==FF;countryCode==de")
    row = call(client, "SegmentEditor.get", token_auth=admin, idSegment=idsegment)
    assert set(row) == SEGMENT_KEYS
    assert {k: v for k, v in row.items() if k != "hash"} == {
        "idsegment": idsegment,
        "name": "Firefox",
        "definition": "browserCode==FF;countryCode==de",
        "login": "admin",
        "enable_all_users": 0,
        "enable_only_idsite": site,
        "auto_archive": 0,
        "ts_created": "2026-03-10 12:00:00",
        "ts_last_edit": "2026-03-10 12:00:00",
        "deleted": 0,
    }
    assert len(row["hash"]) == 32
    clock.advance(hours=1)
    done = call(
        client,
        "SegmentEditor.update",
        token_auth=admin,
        idSegment=idsegment,
        name="Chrome",
        definition="browserCode==CH",
        autoArchive=1,
    )
    assert done == {"result": "success", "message": "ok"}
    row = call(client, "SegmentEditor.get", token_auth=admin, idSegment=idsegment)
    assert (row["name"], row["definition"], row["auto_archive"]) == ("Chrome", "browserCode==CH", 1)
    assert row["ts_last_edit"] == "2026-03-10 13:00:00"
    listed = call(client, "SegmentEditor.getAll", token_auth=admin, idSite=site)
    assert [s["idsegment"] for s in listed] == [idsegment]
    xml = get(client, "SegmentEditor.getAll", token_auth=admin, idSite=site)
    assert parse_xml(xml.text).find("row/definition").text == "browserCode==CH"  # type: ignore[union-attr]
    call(client, "SegmentEditor.delete", token_auth=admin, idSegment=idsegment)
    assert "does not exist" in error(
        client, "SegmentEditor.get", token_auth=admin, idSegment=idsegment
    )
    assert call(client, "SegmentEditor.getAll", token_auth=admin, idSite=site) == []


def test_get_all_lists_the_sites_and_the_all_sites_segments(
    client: TestClient, db: Session, admin: str, site: int
) -> None:
    other = create_site(db, name="Other").idsite
    here = add(client, admin, site)
    everywhere = add(client, admin, 0, name="All sites")
    elsewhere = add(client, admin, other, name="Elsewhere")
    found = call(client, "SegmentEditor.getAll", token_auth=admin, idSite=site)
    assert [s["idsegment"] for s in found] == [here, everywhere]
    every = call(client, "SegmentEditor.getAll", token_auth=admin)
    assert [s["idsegment"] for s in every] == [here, everywhere, elsewhere]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"definition": "browserCode~FF"}, "OPERATOR"),
        ({"definition": "noSuchThing==1"}, "unknown segment"),
        ({"definition": ""}, "definition"),
        ({"definition": ";".join(["visitCount>1"] * 60)}, "at most"),
        ({"name": ""}, "name"),
        ({"name": "n" * 256}, "longer than 255"),
        ({"idSite": 999}, "does not exist"),
        ({"idSite": "1 OR 1=1"}, "integer"),
        ({"autoArchive": "perhaps"}, "autoArchive"),
    ],
)
def test_add_refuses_bad_input(
    client: TestClient, db: Session, admin: str, site: int, params: dict[str, Any], message: str
) -> None:
    params = {"name": "S", "definition": "browserCode==FF", "idSite": site, **params}
    assert message in error(client, "SegmentEditor.add", token_auth=admin, **params)
    assert count(db, Segment) == 0


def test_names_and_values_are_kept_verbatim(client: TestClient, admin: str, site: int) -> None:
    name = "'; DROP TABLE segment; -- Café ☕ 日本語"
    definition = "pageUrl=@%27%3B%20DROP%20TABLE%20segment%3B%20--"
    idsegment = add(client, admin, site, name=name, definition=definition)
    row = call(client, "SegmentEditor.get", token_auth=admin, idSegment=idsegment)
    assert row["name"] == name
    assert row["definition"] == definition
    found = call(
        client,
        "VisitsSummary.getVisits",
        token_auth=admin,
        idSite=site,
        period="day",
        date="2026-03-10",
        segment=definition,
    )
    assert found == {"value": 0}


def test_who_may_store_see_and_change_segments(client: TestClient, db: Session, site: int) -> None:
    admin = create_token(db)
    viewer = create_token(db, login="viewer", superuser=False, access={site: "view"})
    colleague = create_token(db, login="colleague", superuser=False, access={site: "view"})
    writer = create_token(db, login="writer", superuser=False, access={site: "write"})
    stranger = create_token(db, login="stranger", superuser=False)
    for token in (None, "wrong-token", stranger):
        auth = {} if token is None else {"token_auth": token}
        assert error(
            client,
            "SegmentEditor.add",
            401,
            idSite=site,
            name="x",
            definition="visitCount>1",
            **auth,
        )
    mine = add(client, viewer, site)
    message = error(
        client,
        "SegmentEditor.add",
        401,
        token_auth=viewer,
        idSite=site,
        name="x",
        definition="visitCount>1",
        autoArchive=1,
    )
    assert "write" in message
    assert "superuser" in error(
        client,
        "SegmentEditor.add",
        401,
        token_auth=writer,
        idSite=site,
        name="x",
        definition="visitCount>1",
        enabledAllUsers=1,
    )
    assert "superuser" in error(
        client,
        "SegmentEditor.add",
        401,
        token_auth=writer,
        idSite=0,
        name="x",
        definition="visitCount>1",
        autoArchive=1,
    )
    archived = add(client, writer, site, autoArchive=1)
    # Another user of the site neither sees nor changes the viewer's segment.
    assert "does not exist" in error(
        client, "SegmentEditor.get", token_auth=colleague, idSegment=mine
    )
    assert "does not exist" in error(
        client, "SegmentEditor.update", token_auth=colleague, idSegment=mine, name="x"
    )
    assert "does not exist" in error(
        client, "SegmentEditor.delete", token_auth=colleague, idSegment=mine
    )
    assert [
        s["idsegment"] for s in call(client, "SegmentEditor.getAll", token_auth=viewer, idSite=site)
    ] == [mine]
    # A shared segment is seen by the site's users, changed by its author (or a superuser) only.
    shared = add(client, admin, site, name="Shared", enabledAllUsers=1)
    assert (
        call(client, "SegmentEditor.get", token_auth=colleague, idSegment=shared)["name"]
        == "Shared"
    )
    assert "author" in error(
        client, "SegmentEditor.update", 401, token_auth=colleague, idSegment=shared, name="x"
    )
    assert error(client, "SegmentEditor.get", token_auth=stranger, idSegment=shared)
    assert "write" in error(
        client, "SegmentEditor.update", 401, token_auth=viewer, idSegment=mine, autoArchive=1
    )
    call(client, "SegmentEditor.update", token_auth=viewer, idSegment=mine, name="Renamed")
    call(
        client,
        "SegmentEditor.update",
        token_auth=admin,
        idSegment=archived,
        name="By the superuser",
    )
    everything = call(client, "SegmentEditor.getAll", token_auth=admin, idSite=site)
    assert [s["name"] for s in everything] == ["Renamed", "By the superuser", "Shared"]
    assert error(client, "SegmentEditor.getAll", 401, token_auth=stranger, idSite=site)


@pytest.fixture
def traffic(db: Session, clock: FakeClock, settings: Settings) -> tuple[int, str]:
    site = make_site(db)
    known_day(db, site.idsite)
    clock.now = datetime(2026, 4, 20, 12, tzinfo=UTC)
    settings.reports.adhoc_segment_max_days = 7
    return site.idsite, create_token(db)


def test_an_auto_archived_segment_is_served_past_the_ad_hoc_limit(
    client: TestClient, traffic: tuple[int, str]
) -> None:
    idsite, token = traffic
    month = {"token_auth": token, "idSite": idsite, "period": "month", "date": "2026-03-10"}
    firefox = "browserCode==FF"
    assert "pre-processed" in error(client, "VisitsSummary.getVisits", segment=firefox, **month)
    add(client, token, idsite, definition=firefox)  # real time: still computed on request
    assert "pre-processed" in error(client, "VisitsSummary.getVisits", segment=firefox, **month)
    add(client, token, idsite, definition=firefox, autoArchive=1)
    found = call(client, "VisitsSummary.getVisits", segment=firefox, **month)
    everyone = call(client, "VisitsSummary.getVisits", **month)
    assert 1 <= found["value"] < everyone["value"]
    day = {**month, "period": "day"}
    assert call(client, "VisitsSummary.getVisits", segment=firefox, **day) == {"value": 1}
    browsers = call(client, "DevicesDetection.getBrowsers", segment=firefox, **month)
    assert [row["label"] for row in browsers] == ["Firefox"]
