"""Annotations.* through HTTP: notes per site and day, their ranges and counts, who may change
them, and bad input."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from analytics_server.models import Annotation
from tests.factories import count, create_site, create_token
from tests.reports.api import call, error, get, parse_delimited, parse_xml

NOTE_KEYS = {"date", "note", "starred", "user", "idNote", "canEditOrDelete"}


@pytest.fixture
def site(db: Session) -> int:
    return create_site(db, timezone="Asia/Tokyo").idsite


@pytest.fixture
def admin(db: Session) -> str:
    return create_token(db)


def add(client: TestClient, token: str, idsite: int, day: str, note: str, **params: Any) -> Any:
    return call(
        client, "Annotations.add", token_auth=token, idSite=idsite, date=day, note=note, **params
    )


def test_add_get_save_delete(client: TestClient, admin: str, site: int) -> None:
    added = add(client, admin, site, "2026-03-01", "Release 2.0", starred=1)
    assert set(added) == NOTE_KEYS
    assert {k: v for k, v in added.items() if k != "idNote"} == {
        "date": "2026-03-01",
        "note": "Release 2.0",
        "starred": 1,
        "user": "admin",
        "canEditOrDelete": True,
    }
    idnote = added["idNote"]
    params = {"token_auth": admin, "idSite": site, "idNote": idnote}
    assert call(client, "Annotations.get", **params) == added
    saved = call(client, "Annotations.save", **params, note="Release 2.0.1", starred=0)
    assert (saved["note"], saved["starred"], saved["date"]) == ("Release 2.0.1", 0, "2026-03-01")
    moved = call(client, "Annotations.save", **params, date="2026-03-02")
    assert (moved["note"], moved["date"]) == ("Release 2.0.1", "2026-03-02")
    xml = get(client, "Annotations.get", **params)
    assert parse_xml(xml.text).findtext("note") == "Release 2.0.1"
    assert call(client, "Annotations.delete", **params)["result"] == "success"
    assert "does not exist" in error(client, "Annotations.get", **params)


def test_relative_dates_are_the_sites_days(client: TestClient, admin: str, site: int) -> None:
    # The clock says 2026-03-10 12:00 UTC: already the 10th, 21:00, in Tokyo.
    assert add(client, admin, site, "today", "now")["date"] == "2026-03-10"
    assert add(client, admin, site, "yesterday", "before")["date"] == "2026-03-09"


def test_get_all_by_site_and_date_range(
    client: TestClient, db: Session, admin: str, site: int
) -> None:
    other = create_site(db, name="Other").idsite
    for day, note in (("2026-02-27", "a"), ("2026-03-02", "b"), ("2026-03-09", "c")):
        add(client, admin, site, day, note)
    add(client, admin, other, "2026-03-02", "elsewhere")
    base = {"token_auth": admin}
    everything = call(client, "Annotations.getAll", idSite=site, **base)
    assert list(everything) == [str(site)]
    assert [n["note"] for n in everything[str(site)]] == ["a", "b", "c"]
    week = call(client, "Annotations.getAll", idSite=site, date="2026-03-04", period="week", **base)
    assert [n["note"] for n in week[str(site)]] == ["b"]
    weeks = call(
        client,
        "Annotations.getAll",
        idSite=site,
        date="2026-03-04",
        period="week",
        lastN=2,
        **base,
    )
    assert [n["note"] for n in weeks[str(site)]] == ["a", "b"]
    both = call(client, "Annotations.getAll", idSite=f"{site},{other}", date="2026-03-02", **base)
    assert {k: [n["note"] for n in v] for k, v in both.items()} == {
        str(site): ["b"],
        str(other): ["elsewhere"],
    }
    ranged = call(
        client,
        "Annotations.getAll",
        idSite=site,
        period="range",
        date="2026-03-01,2026-03-31",
        **base,
    )
    assert [n["note"] for n in ranged[str(site)]] == ["b", "c"]
    csv = get(client, "Annotations.getAll", idSite=site, format="csv", **base)
    assert [r["note"] for r in parse_delimited(csv.content)] == ["a", "b", "c"]


def test_counts_per_period(client: TestClient, admin: str, site: int) -> None:
    add(client, admin, site, "2026-03-02", "b", starred=1)
    add(client, admin, site, "2026-03-03", "c")
    add(client, admin, site, "2026-03-10", "only one")
    found = call(
        client,
        "Annotations.getAnnotationCountForDates",
        token_auth=admin,
        idSite=site,
        date="2026-03-10",
        period="week",
        lastN=3,
        getAnnotationText=1,
    )
    assert found == {
        str(site): {
            "2026-02-23,2026-03-01": {"count": 0, "starred": 0},
            "2026-03-02,2026-03-08": {"count": 2, "starred": 1},
            "2026-03-09,2026-03-15": {"count": 1, "starred": 0, "note": "only one"},
        }
    }
    days = call(
        client,
        "Annotations.getAnnotationCountForDates",
        token_auth=admin,
        idSite=site,
        date="2026-03-02,2026-03-03",
        period="day",
    )
    assert days[str(site)] == {
        "2026-03-02": {"count": 1, "starred": 1},
        "2026-03-03": {"count": 1, "starred": 0},
    }
    assert "date" in error(
        client, "Annotations.getAnnotationCountForDates", token_auth=admin, idSite=site
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"note": ""}, "note"),
        ({"note": "   "}, "note"),
        ({"note": "n" * 256}, "at most 255"),
        ({"date": ""}, "date"),
        ({"date": "soon"}, "date"),
        ({"date": "2026-02-30"}, "date"),
        ({"starred": "very"}, "starred"),
        ({"idSite": 999}, "does not exist"),
        ({"idSite": "1; DROP TABLE annotation"}, "integer"),
    ],
)
def test_add_refuses_bad_input(
    client: TestClient, db: Session, admin: str, site: int, params: dict[str, Any], message: str
) -> None:
    params = {"idSite": site, "date": "2026-03-01", "note": "ok", **params}
    assert message in error(client, "Annotations.add", token_auth=admin, **params)
    assert count(db, Annotation) == 0


def test_bad_input_on_read_and_save(client: TestClient, admin: str, site: int) -> None:
    idnote = add(client, admin, site, "2026-03-01", "x")["idNote"]
    base = {"token_auth": admin, "idSite": site}
    assert "idNote" in error(client, "Annotations.get", **base)
    assert "does not exist" in error(client, "Annotations.get", idNote=idnote + 1, **base)
    assert "at most 255" in error(client, "Annotations.save", idNote=idnote, note="n" * 300, **base)
    assert "period" in error(client, "Annotations.getAll", date="2026-03-01", period="eon", **base)
    assert "lastN" in error(
        client, "Annotations.getAll", date="2026-03-01", period="day", lastN=0, **base
    )


def test_notes_are_kept_verbatim(client: TestClient, admin: str, site: int) -> None:
    text = "'; DROP TABLE annotation; -- <script>alert(1)</script> Café ☕ 日本語"
    added = add(client, admin, site, "2026-03-01", text)
    fetched = call(client, "Annotations.get", token_auth=admin, idSite=site, idNote=added["idNote"])
    assert fetched["note"] == text
    xml = get(client, "Annotations.get", token_auth=admin, idSite=site, idNote=added["idNote"])
    assert parse_xml(xml.text).findtext("note") == text


def test_who_may_annotate(client: TestClient, db: Session, admin: str, site: int) -> None:
    viewer = create_token(db, login="viewer", superuser=False, access={site: "view"})
    colleague = create_token(db, login="colleague", superuser=False, access={site: "view"})
    writer = create_token(db, login="writer", superuser=False, access={site: "write"})
    stranger = create_token(db, login="stranger", superuser=False)
    for token in (None, "wrong-token", stranger):
        auth = {} if token is None else {"token_auth": token}
        note = {"idSite": site, "date": "2026-03-01", "note": "x"}
        assert error(client, "Annotations.add", 401, **note, **auth)
        assert error(client, "Annotations.getAll", 401, idSite=site, **auth)
    mine = add(client, viewer, site, "2026-03-01", "mine")
    assert mine["user"] == "viewer"
    idnote = {"idSite": site, "idNote": mine["idNote"]}
    seen = call(client, "Annotations.get", token_auth=colleague, **idnote)
    assert seen["canEditOrDelete"] is False
    message = error(client, "Annotations.save", 401, token_auth=colleague, note="x", **idnote)
    assert "author" in message
    assert error(client, "Annotations.delete", 401, token_auth=colleague, **idnote)
    call(client, "Annotations.save", token_auth=viewer, note="still mine", **idnote)
    assert call(client, "Annotations.get", token_auth=writer, **idnote)["canEditOrDelete"] is True
    call(client, "Annotations.save", token_auth=writer, starred=1, **idnote)
    assert "superuser" in error(
        client, "Annotations.deleteAll", 401, token_auth=writer, idSite=site
    )
    call(client, "Annotations.delete", token_auth=writer, **idnote)
    add(client, viewer, site, "2026-03-02", "another")
    call(client, "Annotations.deleteAll", token_auth=admin, idSite=site)
    assert call(client, "Annotations.getAll", token_auth=admin, idSite=site) == {str(site): []}


def test_deleting_a_site_deletes_its_notes(
    client: TestClient, db: Session, admin: str, site: int
) -> None:
    add(client, admin, site, "2026-03-01", "x")
    call(client, "SitesManager.deleteSite", token_auth=admin, idSite=site)
    assert count(db, Annotation) == 0
